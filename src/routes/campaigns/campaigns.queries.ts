// A program's campaigns in D1: reading them with their versions and intervals, applying a change in one batch, their stats.
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { auditInsert, type AuditRow } from "../../audit/audit";
import { database } from "../../db/client";
import { campaignIntervals, campaigns, campaignVersions } from "../../db/schema";
import { errorMessages } from "../../db/transient";
import type { CampaignChange, CampaignRecord } from "../../campaigns/lifecycle";
import { CampaignDefinitionSchema, type CampaignDefinition, type CampaignStatusName } from "../../campaigns/rules";
import { foldBeforeReading } from "../../kpis/fold";

export interface CampaignWithDefinition {
  campaign: CampaignRecord;
  definition: CampaignDefinition;
}

type CampaignRow = typeof campaigns.$inferSelect;

function toRecord({ programId: _programId, ...row }: CampaignRow): CampaignRecord {
  return row;
}

function parseDefinition(json: string): CampaignDefinition {
  return CampaignDefinitionSchema.parse(JSON.parse(json));
}

/** The campaign and its latest version's definition, or undefined when the program has none of that id. */
export async function findCampaign(d1: D1Database, programId: string, id: string): Promise<CampaignWithDefinition | undefined> {
  const [row] = await database(d1)
    .select({ campaign: campaigns, definition: campaignVersions.definition })
    .from(campaigns)
    .innerJoin(
      campaignVersions,
      and(eq(campaignVersions.programId, campaigns.programId), eq(campaignVersions.campaignId, campaigns.id), eq(campaignVersions.version, campaigns.version)),
    )
    .where(and(eq(campaigns.programId, programId), eq(campaigns.id, id)));
  return row ? { campaign: toRecord(row.campaign), definition: parseDefinition(row.definition) } : undefined;
}

/** Up to `limit + 1` campaigns after the id `after`, oldest first (ids are time-ordered), optionally of one status. */
export async function campaignsAfter(
  d1: D1Database,
  programId: string,
  after: string | undefined,
  status: CampaignStatusName | undefined,
  limit: number,
): Promise<CampaignWithDefinition[]> {
  const conditions = [eq(campaigns.programId, programId)];
  if (after) conditions.push(gt(campaigns.id, after));
  if (status) conditions.push(eq(campaigns.status, status));
  const rows = await database(d1)
    .select({ campaign: campaigns, definition: campaignVersions.definition })
    .from(campaigns)
    .innerJoin(
      campaignVersions,
      and(eq(campaignVersions.programId, campaigns.programId), eq(campaignVersions.campaignId, campaigns.id), eq(campaignVersions.version, campaigns.version)),
    )
    .where(and(...conditions))
    .orderBy(asc(campaigns.id))
    .limit(limit + 1);
  return rows.map((row) => ({ campaign: toRecord(row.campaign), definition: parseDefinition(row.definition) }));
}

export interface VersionWithIntervals {
  version: number;
  definition: CampaignDefinition;
  createdAt: string;
  updatedAt: string;
  inForce: { from: string; to: string | null }[];
}

/** Every version of a campaign, newest first, with the intervals each was in force. */
export async function campaignVersionsOf(d1: D1Database, programId: string, id: string): Promise<VersionWithIntervals[]> {
  const db = database(d1);
  const [versions, intervals] = await db.batch([
    db
      .select()
      .from(campaignVersions)
      .where(and(eq(campaignVersions.programId, programId), eq(campaignVersions.campaignId, id)))
      .orderBy(asc(campaignVersions.version)),
    db
      .select()
      .from(campaignIntervals)
      .where(and(eq(campaignIntervals.programId, programId), eq(campaignIntervals.campaignId, id)))
      .orderBy(asc(campaignIntervals.startsAt)),
  ]);
  return versions
    .map((v) => ({
      version: v.version,
      definition: parseDefinition(v.definition),
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      inForce: intervals.filter((i) => i.version === v.version).map((i) => ({ from: i.startsAt, to: i.endsAt })),
    }))
    .reverse();
}

/** Thrown when the campaign changed between the read and the write: the caller reads again. */
export class StaleCampaign extends Error {}

/**
 * Writes a change in ONE batch. The campaigns row goes first with the next
 * revision; its trigger aborts the whole batch unless that is one step past
 * what is stored, so a change built on a stale read writes nothing.
 */
export async function applyCampaignChange(d1: D1Database, programId: string, change: CampaignChange, isNew: boolean, audit?: AuditRow): Promise<void> {
  const db = database(d1);
  const { campaign } = change;
  const at = campaign.updatedAt;
  const statements = [];
  if (isNew) {
    statements.push(db.insert(campaigns).values({ ...campaign, programId }));
  } else {
    statements.push(
      db
        .update(campaigns)
        .set({ status: campaign.status, version: campaign.version, revision: campaign.revision, name: campaign.name, updatedAt: at })
        .where(and(eq(campaigns.programId, programId), eq(campaigns.id, campaign.id))),
    );
  }
  if (change.version) {
    const definition = JSON.stringify(change.version.definition);
    statements.push(
      change.version.isNew
        ? db.insert(campaignVersions).values({ programId, campaignId: campaign.id, version: change.version.version, definition, createdAt: at, updatedAt: at })
        : db
            .update(campaignVersions)
            .set({ definition, updatedAt: at })
            .where(and(eq(campaignVersions.programId, programId), eq(campaignVersions.campaignId, campaign.id), eq(campaignVersions.version, change.version.version))),
    );
  }
  if (change.closeAt) {
    statements.push(
      db
        .update(campaignIntervals)
        .set({ endsAt: change.closeAt })
        .where(and(eq(campaignIntervals.programId, programId), eq(campaignIntervals.campaignId, campaign.id), isNull(campaignIntervals.endsAt))),
    );
  }
  if (change.open) {
    statements.push(db.insert(campaignIntervals).values({ programId, campaignId: campaign.id, version: change.open.version, startsAt: change.open.startsAt, endsAt: null }));
  }
  if (audit) statements.push(auditInsert(db, audit));
  try {
    await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
  } catch (error) {
    const message = errorMessages(error).join("\n");
    // A second interval opened at the same instant, or a revision already taken: both mean someone else changed it.
    if (message.includes("stale_campaign_revision") || message.includes("UNIQUE constraint failed: campaign_intervals.")) throw new StaleCampaign();
    throw error;
  }
}

export interface CampaignStats {
  pointsIssued: number;
  membersReached: number;
  orders: number;
}

/**
 * Writes the grants that wait with the KPI figures (those no limit or cooldown counted when they were given).
 * Before the stats read, so they are exact; and after a campaign's change, so a rule that now has a limit
 * finds every grant it gave before in D1 when a member's object first reads them.
 */
export async function foldPendingGrants(d1: D1Database, programId: string): Promise<void> {
  await foldBeforeReading(database(d1), programId, new Date());
}

/** What the campaign's rules gave, from the grants its accruals recorded (typed columns, by the campaign's index). */
export async function campaignStats(d1: D1Database, programId: string, id: string): Promise<CampaignStats> {
  await foldPendingGrants(d1, programId);
  const row = await d1
    .prepare(
      `SELECT coalesce(sum(points), 0) AS pointsIssued, count(DISTINCT member_id) AS membersReached, count(DISTINCT order_id) AS orders
         FROM member_rule_grants WHERE program_id = ?1 AND campaign_id = ?2`,
    )
    .bind(programId, id)
    .first<CampaignStats>();
  return { pointsIssued: Number(row?.pointsIssued ?? 0), membersReached: Number(row?.membersReached ?? 0), orders: Number(row?.orders ?? 0) };
}
