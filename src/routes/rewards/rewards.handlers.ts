// Reward handlers: the catalog (admin), a member's view of it, and claims through the reward's stock and the member's object.
import type { Context } from "hono";
import { respond } from "../../app/ledger-client";
import { auditOf, auditOnce, keptAnswer } from "../../audit/audit";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { ApiError } from "../../lib/errors";
import { sha256Hex, ulid } from "../../lib/ids";
import { memberSegmentNames } from "../../offers/member-offers";
import { checkDefinition } from "../../rewards/check";
import { stockIdentity } from "../../rewards/claim-flow";
import { catalogBody, claimForMember, countsOf, findReward, memberCatalogLines, rewardBody, withCounts } from "../../rewards/member-rewards";
import { definitionOf, patchedDefinition } from "../../rewards/schemas";
import { rewardStockOf, type StockCounts } from "../../rewards/stock-object";
import type { RewardDefinition, RewardRecord } from "../../rewards/types";
import { activeCauseExists, codesInUse, insertReward, listRewards as rewardsOf, updateRewardAudited } from "./rewards.queries";
import type {
  ArchiveRewardRoute,
  ClaimRewardRoute,
  CreateRewardRoute,
  GetRewardRoute,
  ListMemberRewardsRoute,
  ListRewardsRoute,
  UpdateRewardRoute,
  UploadRewardCodesRoute,
} from "./rewards.routes";

/** The definition's field errors against this program (tiers, currency, causes), as a 400. */
async function checked(c: Context<AppEnv>, definition: RewardDefinition): Promise<RewardDefinition> {
  const { programId, settings } = c.get("principal");
  const causeOk = definition.causeId ? await activeCauseExists(c.env.DB, programId, definition.causeId) : false;
  const errors = checkDefinition(definition, { currency: settings.currency, tierNames: settings.tiers.map((t) => t.name), causeExists: () => causeOk });
  if (errors.length > 0) throw new ApiError("validation_failed", `${errors.length} field(s) failed validation.`, { errors });
  return definition;
}

function inventoryOf(counts: StockCounts | null) {
  return counts && { stock: counts.stock, left: counts.left, reserved: counts.pending, claimed: counts.confirmed, freeCodes: counts.freeCodes };
}

export const createReward: AppRouteHandler<CreateRewardRoute> = async (c) => {
  const definition = await checked(c, definitionOf(c.req.valid("json")));
  const at = new Date().toISOString();
  const reward: RewardRecord = { id: `rwd_${ulid()}`, status: "active", definition, createdAt: at, updatedAt: at };
  await insertReward(database(c.env.DB), c.get("principal").programId, reward, auditOf(c, `reward:${reward.id}`, "create", { after: rewardBody(reward, null) }));
  return c.json(rewardBody(reward, await countsOf(c, reward)), 201);
};

export const listRewards: AppRouteHandler<ListRewardsRoute> = async (c) => {
  const rewards = await rewardsOf(database(c.env.DB), c.get("principal").programId, c.req.valid("query").status);
  const counts = await withCounts(c, rewards);
  return c.json({ data: rewards.map((r) => rewardBody(r, counts.get(r.id) ?? null)) }, 200);
};

export const getReward: AppRouteHandler<GetRewardRoute> = async (c) => {
  const reward = await findReward(c, c.req.valid("param").id);
  return c.json(rewardBody(reward, await countsOf(c, reward)), 200);
};

/** Writes over the version read; a write in between is a 409 (retry on fresh state). */
async function rewrite(c: Context<AppEnv>, current: RewardRecord, next: RewardRecord, action: string): Promise<RewardRecord> {
  const audit = auditOf(c, `reward:${current.id}`, action, { before: rewardBody(current, null), after: rewardBody(next, null) });
  if (!(await updateRewardAudited(c.env.DB, c.get("principal").programId, next, current.updatedAt, audit))) {
    throw new ApiError("concurrent_update", "The reward changed meanwhile; read it again and retry.");
  }
  return next;
}

/** A new updatedAt that sorts after the old one even within the same millisecond. */
function nextStamp(previous: string): string {
  const now = Date.now();
  return new Date(Math.max(now, Date.parse(previous) + 1)).toISOString();
}

export const updateReward: AppRouteHandler<UpdateRewardRoute> = async (c) => {
  const current = await findReward(c, c.req.valid("param").id);
  const definition = await checked(c, patchedDefinition(current.definition, c.req.valid("json")));
  const reward = await rewrite(c, current, { ...current, definition, updatedAt: nextStamp(current.updatedAt) }, "update");
  return c.json(rewardBody(reward, await countsOf(c, reward)), 200);
};

export const archiveReward: AppRouteHandler<ArchiveRewardRoute> = async (c) => {
  const current = await findReward(c, c.req.valid("param").id);
  const reward = current.status === "archived" ? current : await rewrite(c, current, { ...current, status: "archived", updatedAt: nextStamp(current.updatedAt) }, "archive");
  return c.json(rewardBody(reward, await countsOf(c, reward)), 200);
};

export const uploadRewardCodes: AppRouteHandler<UploadRewardCodesRoute> = async (c) => {
  const reward = await findReward(c, c.req.valid("param").id);
  if (reward.definition.codeSource !== "pool") {
    throw new ApiError("validation_failed", "This reward generates its codes.", { errors: [{ path: "codes", message: "the reward's codeSource is not pool" }] });
  }
  const { programId } = c.get("principal");
  const key = c.req.valid("header")["idempotency-key"];
  const scope = `admin:reward-codes:${reward.id}`;
  const requestHash = await sha256Hex(JSON.stringify(c.req.valid("json")));
  if (key) {
    const kept = await keptAnswer(c.env.DB, programId, scope, key);
    if (kept && kept.requestHash !== requestHash) throw new ApiError("idempotency_key_reused", `Idempotency-Key '${key}' was already used with a different upload.`);
    if (kept) return c.json(kept.answer as { added: number; duplicates: number; inventory: NonNullable<ReturnType<typeof inventoryOf>> }, 200);
  }
  const distinct = [...new Set(c.req.valid("json").codes.map((code) => code.toUpperCase()))];
  // A code some claim of the program already carries would collide with it: counted as a duplicate, not added.
  const inUse = await codesInUse(database(c.env.DB), programId, distinct);
  const codes = distinct.filter((code) => !inUse.has(code));
  const result = await rewardStockOf(c.env, programId, reward.id).addCodes(stockIdentity(programId, reward), codes);
  const duplicates = result.duplicates + (c.req.valid("json").codes.length - codes.length);
  const answer = { added: result.added, duplicates, inventory: inventoryOf(result.counts)! };
  // Counts only: the codes themselves are the shop's secrets, kept in the reward's stock.
  const audit = auditOf(c, `reward:${reward.id}:codes`, "upload", { after: { sent: c.req.valid("json").codes.length, added: result.added, duplicates } });
  await auditOnce(c.env.DB, { programId, scope, key: key ?? `request:${c.get("requestId")}:${ulid()}`, requestHash, answer, now: new Date() }, audit);
  return c.json(answer, 200);
};

export const listMemberRewards: AppRouteHandler<ListMemberRewardsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { lines } = await memberCatalogLines(c, memberId, memberSegmentNames(c, memberId, new Date()));
  return c.json({ data: catalogBody(lines) }, 200);
};

export const claimReward: AppRouteHandler<ClaimRewardRoute> = async (c) => {
  const { memberId, rewardId } = c.req.valid("param");
  return respond(c, await claimForMember(c, memberId, rewardId, c.req.valid("header")["idempotency-key"]));
};
