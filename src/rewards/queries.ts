// Rewards, claims and causes in D1: the reads the member's object, the jobs and the routes share.
import { auditInsert, writeAudited, type AuditRow } from "../audit/audit";
import { and, asc, eq, gte, inArray, isNotNull, ne, sql } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { causes, rewardClaims, rewards } from "../db/schema";
import type { ClaimRecord, CouponGives, RewardDefinition, RewardRecord } from "./types";

type RewardRow = typeof rewards.$inferSelect;
type ClaimRow = typeof rewardClaims.$inferSelect;
export type CauseRow = typeof causes.$inferSelect;

export function toReward(row: RewardRow): RewardRecord {
  return { id: row.id, status: row.status, definition: JSON.parse(row.definition) as RewardDefinition, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function toClaim(row: ClaimRow): ClaimRecord {
  const { programId: _programId, gives, ...rest } = row;
  return { ...rest, rewardType: row.rewardType as ClaimRecord["rewardType"], gives: JSON.parse(gives) as CouponGives };
}

export async function readReward(db: Database, programId: string, rewardId: string): Promise<RewardRecord | null> {
  const [row] = await db.select().from(rewards).where(and(eq(rewards.programId, programId), eq(rewards.id, rewardId)));
  return row ? toReward(row) : null;
}

export async function listRewards(db: Database, programId: string, status?: "active" | "archived"): Promise<RewardRecord[]> {
  const where = status ? and(eq(rewards.programId, programId), eq(rewards.status, status)) : eq(rewards.programId, programId);
  return (await db.select().from(rewards).where(where).orderBy(asc(rewards.createdAt), asc(rewards.id))).map(toReward);
}

export async function insertReward(db: Database, programId: string, reward: RewardRecord, audit?: AuditRow): Promise<void> {
  const d = reward.definition;
  const insert = db.insert(rewards).values({
    id: reward.id,
    programId,
    type: d.type,
    status: reward.status,
    costPoints: d.costPoints,
    causeId: d.causeId,
    definition: JSON.stringify(d),
    createdAt: reward.createdAt,
    updatedAt: reward.updatedAt,
  });
  if (audit) await db.batch([insert, auditInsert(db, audit)]);
  else await insert;
}

/** Writes the reward over the version read (its updatedAt); false when someone else wrote it meanwhile. */
export async function updateReward(db: Database, programId: string, reward: RewardRecord, readAt: string): Promise<boolean> {
  const rows = await rewardUpdate(db, programId, reward, readAt).returning({ id: rewards.id });
  return rows.length > 0;
}

function rewardUpdate(db: Database, programId: string, reward: RewardRecord, readAt: string) {
  const d = reward.definition;
  return db
    .update(rewards)
    .set({ status: reward.status, type: d.type, costPoints: d.costPoints, causeId: d.causeId, definition: JSON.stringify(d), updatedAt: reward.updatedAt })
    .where(and(eq(rewards.programId, programId), eq(rewards.id, reward.id), eq(rewards.updatedAt, readAt)));
}

/** updateReward with its audit row in the same batch (written only if the reward was). */
export async function updateRewardAudited(d1: D1Database, programId: string, reward: RewardRecord, readAt: string, audit: AuditRow): Promise<boolean> {
  return (await writeAudited(d1, rewardUpdate(database(d1), programId, reward, readAt), audit)) > 0;
}

export async function readClaim(db: Database, programId: string, claimId: string): Promise<ClaimRecord | null> {
  const [row] = await db.select().from(rewardClaims).where(and(eq(rewardClaims.programId, programId), eq(rewardClaims.id, claimId)));
  return row ? toClaim(row) : null;
}

/** Which of these codes a claim of the program already carries (any reward's), in chunks D1's bound-parameter limit allows. */
export async function codesInUse(db: Database, programId: string, codes: readonly string[]): Promise<Set<string>> {
  const used = new Set<string>();
  for (let i = 0; i < codes.length; i += 90) {
    const rows = await db
      .select({ code: rewardClaims.code })
      .from(rewardClaims)
      .where(and(eq(rewardClaims.programId, programId), inArray(rewardClaims.code, codes.slice(i, i + 90))));
    for (const row of rows) used.add(row.code!);
  }
  return used;
}

/** The claim a redemption paid for, if any. */
export async function claimOfRedemption(db: Database, programId: string, redemptionId: string): Promise<ClaimRecord | null> {
  const [row] = await db.select().from(rewardClaims).where(and(eq(rewardClaims.programId, programId), eq(rewardClaims.redemptionId, redemptionId)));
  return row ? toClaim(row) : null;
}

/** The coupon of any of these spellings of a code (as typed, and as Crockford reads it). */
export async function claimByCode(db: Database, programId: string, codes: string[]): Promise<ClaimRecord | null> {
  const [row] = await db.select().from(rewardClaims).where(and(eq(rewardClaims.programId, programId), inArray(rewardClaims.code, codes))).limit(1);
  return row ? toClaim(row) : null;
}

/** A member's claims of a reward since `since` (null: ever), cancelled ones aside: what a per-member limit counts. */
export async function countClaims(db: Database, programId: string, memberId: string, rewardId: string, since: Date | null): Promise<number> {
  const conditions = [eq(rewardClaims.programId, programId), eq(rewardClaims.memberId, memberId), eq(rewardClaims.rewardId, rewardId), ne(rewardClaims.status, "cancelled")];
  if (since) conditions.push(gte(rewardClaims.createdAt, since.toISOString()));
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(rewardClaims).where(and(...conditions));
  return Number(row?.n ?? 0);
}

/** Per reward, a member's claims since each reward's own limit start: one query for the member's catalog. */
export async function claimsByReward(db: Database, programId: string, memberId: string): Promise<{ rewardId: string; createdAt: string }[]> {
  return db
    .select({ rewardId: rewardClaims.rewardId, createdAt: rewardClaims.createdAt })
    .from(rewardClaims)
    .where(and(eq(rewardClaims.programId, programId), eq(rewardClaims.memberId, memberId), ne(rewardClaims.status, "cancelled")));
}

/**
 * Marks an issued, unexpired coupon used for `orderId`: one conditional
 * UPDATE, so of any number of racing uses exactly one changes the row.
 */
export async function useCoupon(db: Database, programId: string, claimId: string, orderId: string, now: Date): Promise<ClaimRecord | null> {
  const at = now.toISOString();
  const [row] = await db
    .update(rewardClaims)
    .set({ status: "used", orderId, usedAt: at, updatedAt: at })
    .where(and(eq(rewardClaims.programId, programId), eq(rewardClaims.id, claimId), eq(rewardClaims.status, "issued"), sql`${rewardClaims.expiresAt} > ${at}`))
    .returning();
  return row ? toClaim(row) : null;
}

/** Issued coupons past their validity, oldest first, after `afterId` in (expiresAt, id) order. */
export async function expiredCoupons(db: Database, programId: string, now: Date, limit: number): Promise<{ id: string; memberId: string }[]> {
  return db
    .select({ id: rewardClaims.id, memberId: rewardClaims.memberId })
    .from(rewardClaims)
    // A literal 'issued', not a bound parameter, so the partial index's condition is plainly implied.
    .where(and(eq(rewardClaims.programId, programId), sql`${rewardClaims.status} = 'issued'`, sql`${rewardClaims.expiresAt} <= ${now.toISOString()}`))
    .orderBy(asc(rewardClaims.expiresAt), asc(rewardClaims.id))
    .limit(limit);
}

export async function readCause(db: Database, programId: string, causeId: string): Promise<CauseRow | null> {
  const [row] = await db.select().from(causes).where(and(eq(causes.programId, programId), eq(causes.id, causeId)));
  return row ?? null;
}

export async function listCauses(db: Database, programId: string): Promise<CauseRow[]> {
  return db.select().from(causes).where(eq(causes.programId, programId)).orderBy(asc(causes.createdAt), asc(causes.id));
}

/** Donations to a cause per settlement period (or one period): claims, points and the money to pass on. */
export async function donationTotals(db: Database, programId: string, causeId: string | null, period: string | null) {
  // Through reward_claims_by_cause: a donation always names its cause.
  const conditions = [eq(rewardClaims.programId, programId), isNotNull(rewardClaims.causeId), eq(rewardClaims.rewardType, "donation"), eq(rewardClaims.status, "donated")];
  if (causeId) conditions.push(eq(rewardClaims.causeId, causeId));
  if (period) conditions.push(eq(rewardClaims.settlementPeriod, period));
  const rows = await db
    .select({
      causeId: rewardClaims.causeId,
      period: rewardClaims.settlementPeriod,
      currency: rewardClaims.currency,
      claims: sql<number>`count(*)`,
      points: sql<number>`sum(${rewardClaims.points})`,
      amount: sql<number>`sum(${rewardClaims.valueAmount})`,
    })
    .from(rewardClaims)
    .where(and(...conditions))
    .groupBy(rewardClaims.causeId, rewardClaims.settlementPeriod, rewardClaims.currency)
    .orderBy(asc(rewardClaims.settlementPeriod), asc(rewardClaims.causeId));
  return rows.map((r) => ({ causeId: r.causeId!, period: r.period, currency: r.currency, claims: Number(r.claims), points: Number(r.points), amount: Number(r.amount) }));
}
