// A member's side of the rewards, for whichever route names the member (a server key's path, a member token's subject).
import type { Context } from "hono";
import { and, desc, eq, isNotNull, lt } from "drizzle-orm";
import { ledgerCall, memberLedger } from "../app/ledger-client";
import type { AppEnv } from "../app/types";
import { database } from "../db/client";
import { members, rewardClaims } from "../db/schema";
import { memberNotFound } from "../ledger/errors";
import { ApiError, fromDomain } from "../lib/errors";
import { inParallel } from "../lib/parallel";
import { memberCatalog, type CatalogLine } from "./catalog";
import { claimThroughStock, stockIdentity, usesStockObject, type ClaimReply } from "./claim-flow";
import { plansHeld } from "./plans";
import { claimsByReward, listRewards, readReward, toClaim } from "./queries";
import { rewardStockOf, type StockCounts } from "./stock-object";
import type { RewardRecord } from "./types";
import { couponView } from "./views";

export function rewardNotFound(id: string): ApiError {
  return new ApiError("reward_not_found", `No reward '${id}' in this program.`);
}

export async function findReward(c: Context<AppEnv>, id: string): Promise<RewardRecord> {
  const reward = await readReward(database(c.env.DB), c.get("principal").programId, id);
  if (!reward) throw rewardNotFound(id);
  return reward;
}

export async function countsOf(c: Context<AppEnv>, reward: RewardRecord): Promise<StockCounts | null> {
  if (!usesStockObject(reward)) return null;
  const { programId } = c.get("principal");
  return rewardStockOf(c.env, programId, reward.id).counts(stockIdentity(programId, reward));
}

/** Rewards with their stock counts, a few objects at a time. */
export async function withCounts(c: Context<AppEnv>, rewards: RewardRecord[]): Promise<Map<string, StockCounts | null>> {
  const counts = new Map<string, StockCounts | null>();
  await inParallel(rewards, 8, async (reward) => {
    counts.set(reward.id, await countsOf(c, reward));
  });
  return counts;
}

export function rewardBody(reward: RewardRecord, counts: StockCounts | null) {
  const inventory = counts && { stock: counts.stock, left: counts.left, reserved: counts.pending, claimed: counts.confirmed, freeCodes: counts.freeCodes };
  return { id: reward.id, status: reward.status, ...reward.definition, inventory, createdAt: reward.createdAt, updatedAt: reward.updatedAt };
}

/**
 * The catalog as the member sees it now, with their segments (id to name, from `segmentsOf`) (a reward restricted to segments
 * the member is in none of is left out, not shown as unavailable: it is not offered to them).
 * A member the program does not have is the ledger's 404.
 */
export async function memberCatalogLines(
  c: Context<AppEnv>,
  memberId: string,
  segmentsOf: (member: { tier: string | null; attributes: Record<string, unknown>; availablePoints: number }) => Promise<ReadonlyMap<string, string>>,
): Promise<{ lines: CatalogLine[]; availablePoints: number; segments: ReadonlyMap<string, string> }> {
  const { programId } = c.get("principal");
  const reply = await memberLedger(c, memberId).getMember(await ledgerCall(c, memberId));
  if (!reply.ok) throw fromDomain(reply.error);
  const db = database(c.env.DB);
  const now = new Date();
  const member = reply.value;
  const [rewards, claims, activePlans, segments] = await Promise.all([
    listRewards(db, programId, "active"),
    claimsByReward(db, programId, memberId),
    plansHeld(db)(programId, memberId, now),
    segmentsOf({ tier: member.tier, attributes: member.attributes, availablePoints: member.balance.available }),
  ]);
  const offered = rewards.filter((r) => !r.definition.segmentIds || r.definition.segmentIds.some((id) => segments.has(id)));
  const counts = await withCounts(c, offered);
  const lines = memberCatalog(
    offered,
    { tier: member.tier, attributes: member.attributes, availablePoints: member.balance.available, activePlans, claims },
    (id) => counts.get(id)?.left ?? null,
    now,
  );
  return { lines, availablePoints: member.balance.available, segments };
}

export function catalogBody(lines: CatalogLine[]) {
  return lines.map(({ reward, ...line }) => {
    const { inventory: _inventory, ...shown } = rewardBody(reward, null);
    return { reward: shown, ...line };
  });
}

/** A claim for the member through the reward's stock and the member's object; the key's replay answers the first outcome. */
export async function claimForMember(c: Context<AppEnv>, memberId: string, rewardId: string, idempotencyKey: string): Promise<ClaimReply> {
  const reward = await findReward(c, rewardId);
  const call = await ledgerCall(c, memberId, { idempotencyKey, target: `${memberId}/${rewardId}`, body: null });
  const now = new Date();
  const activePlans = await plansHeld(database(c.env.DB))(call.programId, memberId, now);
  return claimThroughStock(c.env, { ...call, now: now.getTime() }, reward, activePlans, now);
}

/**
 * The member's coupons, newest first (claim ids are time-ordered), one page through the
 * index of claims that carry a code. Donations carry none and are not coupons. A member the
 * program does not have is a 404, as everywhere.
 */
export async function memberCouponPage(c: Context<AppEnv>, memberId: string, limit: number, after: string | undefined) {
  const { programId } = c.get("principal");
  const conditions = [eq(rewardClaims.programId, programId), eq(rewardClaims.memberId, memberId), isNotNull(rewardClaims.code)];
  if (after) conditions.push(lt(rewardClaims.id, after));
  const db = database(c.env.DB);
  const [known, rows] = await db.batch([
    db.select({ memberId: members.memberId }).from(members).where(and(eq(members.programId, programId), eq(members.memberId, memberId))),
    db
      .select()
      .from(rewardClaims)
      .where(and(...conditions))
      .orderBy(desc(rewardClaims.id))
      .limit(limit + 1),
  ]);
  if (known.length === 0) throw fromDomain(memberNotFound(memberId));
  const now = new Date();
  const data = rows.slice(0, limit).map((row) => couponView(toClaim(row), now));
  return { data, nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
}
