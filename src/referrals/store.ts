// Referrals in D1: codes, hashed fingerprints, the referrals themselves, and what the fraud rules and the job read.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { memberFingerprints, referrals } from "../db/schema";
import { sha256Hex } from "../lib/ids";
import type { FraudFlag, ReferralParty } from "./fraud";

export type ReferralStatus = "pending" | "qualified" | "completed" | "cancelled" | "rejected";
export type ReferralTrigger = "enrollment" | "first_order";

export interface Referral {
  id: string;
  referrerId: string;
  refereeId: string;
  code: string;
  status: ReferralStatus;
  fraudFlags: FraudFlag[];
  trigger: ReferralTrigger;
  minOrderAmount: number;
  referrerPoints: number;
  refereePoints: number;
  orderIssuer: string | null;
  orderId: string | null;
  orderAmount: number | null;
  /** When the referrer's points become available: the qualifying order's availableAt. */
  rewardAvailableAt: string | null;
  referrerLotId: string | null;
  refereeLotId: string | null;
  refereeRewardedAt: string | null;
  /** When the referrer was rewarded (what the cap counts). */
  rewardedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The catalog rewards each side gets instead of points, as the settings said at recording. */
  referrerRewardId: string | null;
  refereeRewardId: string | null;
  /** The claims (with their coupons) the catalog rewards were given as. */
  referrerClaimId: string | null;
  refereeClaimId: string | null;
  /** A side's catalog reward that could not be given when its turn came: kept, so it is never lost silently. */
  unfulfilled: UnfulfilledReward[];
}

/** A catalog reward a referral should have given and could not: out of stock, or no longer offered. */
export interface UnfulfilledReward {
  role: "referrer" | "referee";
  rewardId: string;
  reason: "out_of_stock" | "archived" | "ended" | "not_found";
  at: string;
}

interface ReferralDbRow {
  id: string;
  referrer_id: string;
  referee_id: string;
  code: string;
  status: ReferralStatus;
  fraud_flags: string;
  trigger: ReferralTrigger;
  min_order_amount: number;
  referrer_points: number;
  referee_points: number;
  order_issuer: string | null;
  order_id: string | null;
  order_amount: number | null;
  reward_available_at: string | null;
  referrer_lot_id: string | null;
  referee_lot_id: string | null;
  referee_rewarded_at: string | null;
  rewarded_at: string | null;
  created_at: string;
  updated_at: string;
  referrer_reward_id: string | null;
  referee_reward_id: string | null;
  referrer_claim_id: string | null;
  referee_claim_id: string | null;
  unfulfilled: string;
}

function toReferral(r: ReferralDbRow): Referral {
  return {
    id: r.id,
    referrerId: r.referrer_id,
    refereeId: r.referee_id,
    code: r.code,
    status: r.status,
    fraudFlags: JSON.parse(r.fraud_flags) as FraudFlag[],
    trigger: r.trigger,
    minOrderAmount: r.min_order_amount,
    referrerPoints: r.referrer_points,
    refereePoints: r.referee_points,
    orderIssuer: r.order_issuer,
    orderId: r.order_id,
    orderAmount: r.order_amount,
    rewardAvailableAt: r.reward_available_at,
    referrerLotId: r.referrer_lot_id,
    refereeLotId: r.referee_lot_id,
    refereeRewardedAt: r.referee_rewarded_at,
    rewardedAt: r.rewarded_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    referrerRewardId: r.referrer_reward_id,
    refereeRewardId: r.referee_reward_id,
    referrerClaimId: r.referrer_claim_id,
    refereeClaimId: r.referee_claim_id,
    unfulfilled: JSON.parse(r.unfulfilled) as UnfulfilledReward[],
  };
}

export type FingerprintKind = "device" | "payment";

/**
 * What is stored of a fingerprint the storefront hashed: its hash again, bound
 * to the program, so the same device in two programs is not linkable across them.
 */
export function fingerprintHash(programId: string, kind: FingerprintKind, value: string): Promise<string> {
  return sha256Hex(`treue referral fingerprint v1\n${programId}\n${kind}\n${value}`);
}

export async function codeOfMember(db: Database, programId: string, memberId: string): Promise<string | null> {
  const [row] = await db.all<{ code: string }>(sql`SELECT code FROM referral_codes WHERE program_id = ${programId} AND member_id = ${memberId}`);
  return row?.code ?? null;
}

/** Inserts the code unless the member has one or the code is taken; the caller reads back which code the member holds. */
export async function insertCode(db: Database, programId: string, memberId: string, code: string, now: Date): Promise<void> {
  await db.run(sql`INSERT INTO referral_codes (program_id, member_id, code, created_at) VALUES (${programId}, ${memberId}, ${code}, ${now.toISOString()}) ON CONFLICT DO NOTHING`);
}

export async function ownerOfCode(db: Database, programId: string, code: string): Promise<string | null> {
  const [row] = await db.all<{ member_id: string }>(sql`SELECT member_id FROM referral_codes WHERE program_id = ${programId} AND code = ${code}`);
  return row?.member_id ?? null;
}

export async function fingerprintsOf(db: Database, programId: string, memberId: string): Promise<Pick<ReferralParty, "deviceHashes" | "paymentHashes">> {
  const rows = await db.all<{ kind: FingerprintKind; hash: string }>(
    sql`SELECT kind, hash FROM member_fingerprints WHERE program_id = ${programId} AND member_id = ${memberId}`,
  );
  return { deviceHashes: rows.filter((r) => r.kind === "device").map((r) => r.hash), paymentHashes: rows.filter((r) => r.kind === "payment").map((r) => r.hash) };
}

export function insertFingerprints(db: Database, programId: string, memberId: string, hashes: { kind: FingerprintKind; hash: string }[], now: Date): BatchItem<"sqlite">[] {
  return hashes.map(({ kind, hash }) =>
    db.insert(memberFingerprints).values({ programId, memberId, kind, hash, createdAt: now.toISOString() }).onConflictDoNothing(),
  );
}

/** The facts about the two members and their history that the fraud rules read, in one round trip. */
export async function referralHistory(db: Database, programId: string, referrerId: string, refereeId: string, capPeriod: { start: Date; end: Date } | null) {
  const [referrer] = await db.all<{ email: string | null; enrolled_at: string }>(
    sql`SELECT email, enrolled_at FROM members WHERE program_id = ${programId} AND member_id = ${referrerId}`,
  );
  const [counts] = await db.all<{ referred: number; loop: number; rewarded: number }>(sql`
    SELECT
      (SELECT COUNT(*) FROM referrals WHERE program_id = ${programId} AND referee_id = ${refereeId} AND status <> 'rejected') AS referred,
      (SELECT COUNT(*) FROM referrals WHERE program_id = ${programId} AND referrer_id = ${refereeId} AND referee_id = ${referrerId} AND status <> 'rejected') AS loop,
      (SELECT COUNT(*) FROM referrals WHERE program_id = ${programId} AND referrer_id = ${referrerId} AND status IN ('qualified', 'completed')
         AND rewarded_at >= ${capPeriod?.start.toISOString() ?? "~"} AND rewarded_at < ${capPeriod?.end.toISOString() ?? "~"}) AS rewarded`);
  return {
    referrer: referrer ? { email: referrer.email, enrolledAt: referrer.enrolled_at } : null,
    refereeAlreadyReferred: Number(counts?.referred ?? 0) > 0,
    referrerReferredByReferee: Number(counts?.loop ?? 0) > 0,
    referrerRewardedInPeriod: Number(counts?.rewarded ?? 0),
  };
}

export async function rewardedInPeriod(db: Database, programId: string, referrerId: string, period: { start: Date; end: Date }): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`
    SELECT COUNT(*) AS n FROM referrals
    WHERE program_id = ${programId} AND referrer_id = ${referrerId} AND status IN ('qualified', 'completed')
      AND rewarded_at >= ${period.start.toISOString()} AND rewarded_at < ${period.end.toISOString()}`);
  return Number(row?.n ?? 0);
}

export function insertReferral(db: Database, programId: string, r: Referral): BatchItem<"sqlite"> {
  const { fraudFlags, unfulfilled, ...fields } = r;
  return db.insert(referrals).values({ ...fields, programId, fraudFlags: JSON.stringify(fraudFlags), unfulfilled: JSON.stringify(unfulfilled) });
}

export async function readReferral(db: Database, programId: string, id: string): Promise<Referral | null> {
  const [row] = await db.all<ReferralDbRow>(sql`SELECT * FROM referrals WHERE program_id = ${programId} AND id = ${id}`);
  return row ? toReferral(row) : null;
}

/** What a side's grant adds to the referral: the claim its catalog reward was given as, or why it could not be. */
export interface SideGrant {
  claimId: string | null;
  unfulfilled: UnfulfilledReward | null;
}

/** Appends in SQL, so the two sides' objects never overwrite each other's record. */
function withUnfulfilled(grant: SideGrant | undefined) {
  return grant?.unfulfilled ? { unfulfilled: sql`json_insert(${referrals.unfulfilled}, '$[#]', json(${JSON.stringify(grant.unfulfilled)}))` } : {};
}

/** The referrer's side: status, flags, qualifying order and lot. Guarded by the status it was read in, so it never moves a referral twice. */
export function updateReferrerSide(db: Database, programId: string, before: Referral, after: Referral, grant?: SideGrant): BatchItem<"sqlite"> {
  return db
    .update(referrals)
    .set({
      ...(grant?.claimId ? { referrerClaimId: grant.claimId } : {}),
      ...withUnfulfilled(grant),
      status: after.status,
      fraudFlags: JSON.stringify(after.fraudFlags),
      orderIssuer: after.orderIssuer,
      orderId: after.orderId,
      orderAmount: after.orderAmount,
      rewardAvailableAt: after.rewardAvailableAt,
      referrerLotId: after.referrerLotId,
      rewardedAt: after.rewardedAt,
      updatedAt: after.updatedAt,
    })
    .where(and(eq(referrals.programId, programId), eq(referrals.id, before.id), eq(referrals.status, before.status)));
}

/** The referee's side: only whether (and into which lot) the referee was rewarded. */
export function updateRefereeSide(db: Database, programId: string, id: string, lotId: string | null, at: string, grant?: SideGrant): BatchItem<"sqlite"> {
  return db
    .update(referrals)
    .set({ refereeLotId: lotId, refereeRewardedAt: at, updatedAt: at, ...(grant?.claimId ? { refereeClaimId: grant.claimId } : {}), ...withUnfulfilled(grant) })
    .where(and(eq(referrals.programId, programId), eq(referrals.id, id), isNull(referrals.refereeRewardedAt)));
}

/** A page of the referrals a member made, newest first. */
export async function referralsBy(db: Database, programId: string, referrerId: string, before: string | undefined, limit: number): Promise<Referral[]> {
  const rows = await db.all<ReferralDbRow>(sql`
    SELECT * FROM referrals WHERE program_id = ${programId} AND referrer_id = ${referrerId} AND (${before ?? null} IS NULL OR id < ${before ?? null})
    ORDER BY id DESC LIMIT ${limit + 1}`);
  return rows.map(toReferral);
}

/** The referral that brought a member in, if any counted. */
export async function referralOf(db: Database, programId: string, refereeId: string): Promise<Referral | null> {
  const [row] = await db.all<ReferralDbRow>(sql`
    SELECT * FROM referrals WHERE program_id = ${programId} AND referee_id = ${refereeId} AND status <> 'rejected' LIMIT 1`);
  return row ? toReferral(row) : null;
}

/** Referrals with work left (by the referrals_open index), in id order after `after`. */
export function openReferralsQuery(programId: string, after: string, limit: number) {
  return sql`
    SELECT * FROM referrals
    WHERE program_id = ${programId} AND id > ${after}
      AND (status IN ('pending', 'qualified') OR (status IN ('completed', 'cancelled') AND referee_rewarded_at IS NULL))
    ORDER BY id LIMIT ${limit}`;
}

export async function openReferrals(db: Database, programId: string, after: string, limit: number): Promise<Referral[]> {
  return (await db.all<ReferralDbRow>(openReferralsQuery(programId, after, limit))).map(toReferral);
}

export interface QualifyingOrder {
  issuer: string;
  orderId: string;
  amount: number;
  availableAt: string;
}

/**
 * The referee's first order at or above the amount, accrued since the
 * referral was recorded, with when its points become available (its lot's
 * availableAt; an order that earned nothing ends its window pendingDays after
 * it was posted). Read from the member's earn entries (entries_by_member), so
 * only this member's history is scanned, never the program's orders.
 */
export function firstQualifyingOrderQuery(programId: string, refereeId: string, since: string, minAmount: number) {
  return sql`
    SELECT COALESCE(e.partner_id, '') AS issuer, e.order_id, e.order_amount AS amount, e.created_at, l.available_at
    FROM entries e LEFT JOIN lots l ON l.id = e.lot_id
    WHERE e.program_id = ${programId} AND e.member_id = ${refereeId} AND e.type = 'earn' AND e.order_id IS NOT NULL
      AND e.created_at >= ${since} AND e.order_amount >= ${minAmount}
    ORDER BY e.id LIMIT 1`;
}

export async function firstQualifyingOrder(db: Database, programId: string, refereeId: string, since: string, minAmount: number, pendingDays: number): Promise<QualifyingOrder | null> {
  const [row] = await db.all<{ issuer: string; order_id: string; amount: number; created_at: string; available_at: string | null }>(
    firstQualifyingOrderQuery(programId, refereeId, since, minAmount),
  );
  if (!row) return null;
  const availableAt = row.available_at ?? new Date(Date.parse(row.created_at) + pendingDays * 86_400_000).toISOString();
  return { issuer: row.issuer, orderId: row.order_id, amount: row.amount, availableAt };
}

/** How much of the order was refunded before `before` (the end of its window): from the refunds' clawback entries. */
export async function refundedBefore(db: Database, programId: string, memberId: string, issuer: string, orderId: string, before: string): Promise<number> {
  const [row] = await db.all<{ refunded: number }>(sql`
    SELECT COALESCE(SUM(refunded_amount), 0) AS refunded FROM entries
    WHERE program_id = ${programId} AND member_id = ${memberId} AND type = 'clawback' AND order_id = ${orderId}
      AND COALESCE(partner_id, '') = ${issuer} AND created_at < ${before}`);
  return Number(row?.refunded ?? 0);
}

export interface ReferralLotRow {
  id: string;
  points: number;
  remaining: number;
  expired: number;
}

export async function readLot(db: Database, programId: string, lotId: string): Promise<ReferralLotRow | null> {
  const [row] = await db.all<ReferralLotRow>(sql`SELECT id, points, remaining, expired FROM lots WHERE program_id = ${programId} AND id = ${lotId}`);
  return row ?? null;
}

/** Up to `limit + 1` of the program's referrals before `before`, newest first, optionally of one status. */
export async function programReferrals(db: Database, programId: string, status: ReferralStatus | undefined, before: string | undefined, limit: number): Promise<Referral[]> {
  const rows = await db.all<ReferralDbRow>(sql`
    SELECT * FROM referrals WHERE program_id = ${programId} AND (${status ?? null} IS NULL OR status = ${status ?? null})
      AND (${before ?? null} IS NULL OR id < ${before ?? null})
    ORDER BY id DESC LIMIT ${limit + 1}`);
  return rows.map(toReferral);
}
