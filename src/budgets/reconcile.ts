// What a budget's object asks D1: which lapsed reservations' member batches committed (deciding the
// rest by a lapse marker), refunds' give-backs, and its own outbox row.
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { budgetDraws, outboxEvents } from "../db/schema";
import type { WebhookEvent } from "../webhooks/events";

interface Campaign {
  programId: string;
  campaignId: string;
}

/**
 * For each reservation: writes a lapse marker unless its member's draw row is
 * there, and reads back which one holds the key, in ONE batch. The draw and
 * the marker share the primary key, so a member batch still in flight either
 * landed first (its draw is read) or fails on the marker and never lands.
 * Returns the points each reservation drew (0: it lapsed).
 */
export async function settleInD1(db: Database, campaign: Campaign, reservationIds: readonly string[], now: Date): Promise<Map<string, number>> {
  const at = now.toISOString();
  const markers = reservationIds.map((reservationId) =>
    db
      .insert(budgetDraws)
      .values({ ...campaign, reservationId, kind: "lapsed", memberId: null, points: 0, createdAt: at })
      .onConflictDoNothing(),
  );
  const read = db
    .select({ reservationId: budgetDraws.reservationId, kind: budgetDraws.kind, points: budgetDraws.points })
    .from(budgetDraws)
    .where(and(ofCampaign(campaign), inArray(budgetDraws.reservationId, [...reservationIds])));
  const results = await db.batch([...markers, read] as unknown as [typeof read, ...(typeof read)[]]);
  const rows = results.at(-1) as { reservationId: string; kind: string; points: number }[];
  return new Map(rows.map((row) => [row.reservationId, row.kind === "draw" ? row.points : 0]));
}

/** A member batch's clock may lag another's: returns are read again this far back, and applied once by id. */
const RETURNS_OVERLAP_MS = 3_600_000;
const RETURNS_PAGE = 500;

/** Refunds' give-backs recorded in D1 since the last look (less the overlap), oldest first. */
export async function unappliedReturns(
  db: Database,
  campaign: Campaign,
  syncedThrough: string | null,
): Promise<{ rows: { reservationId: string; points: number }[]; through: string | null }> {
  const since = syncedThrough ? new Date(Date.parse(syncedThrough) - RETURNS_OVERLAP_MS).toISOString() : "";
  const rows = await db
    .select({ reservationId: budgetDraws.reservationId, points: budgetDraws.points, createdAt: budgetDraws.createdAt })
    .from(budgetDraws)
    .where(and(ofCampaign(campaign), eq(budgetDraws.kind, "return"), gte(budgetDraws.createdAt, since)))
    .orderBy(budgetDraws.createdAt)
    .limit(RETURNS_PAGE);
  return { rows, through: rows.at(-1)?.createdAt ?? syncedThrough };
}

/** The object's own outbox row, written once: true when this call wrote it. */
export async function writeOutboxEventOnce(db: Database, event: WebhookEvent): Promise<boolean> {
  const written = await db
    .insert(outboxEvents)
    .values({ ...event, payload: JSON.stringify(event.payload) })
    .onConflictDoNothing()
    .returning({ id: outboxEvents.id });
  return written.length > 0;
}

/** What the campaign's draws in D1 add up to: the points its rules really issued (draws less returns). */
export async function issuedInD1(db: Database, campaign: Campaign): Promise<number> {
  const [row] = await db
    .select({ points: sql<number>`coalesce(sum(${budgetDraws.points}), 0)` })
    .from(budgetDraws)
    .where(ofCampaign(campaign));
  return Number(row?.points ?? 0);
}

function ofCampaign(campaign: Campaign) {
  return and(eq(budgetDraws.programId, campaign.programId), eq(budgetDraws.campaignId, campaign.campaignId));
}
