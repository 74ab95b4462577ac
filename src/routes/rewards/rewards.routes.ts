// Route declarations for the rewards catalog, a member's view of it, and claims (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
import {
  ClaimParams,
  ClaimWithBalanceSchema,
  CreateRewardBody,
  ListRewardsQuery,
  MemberRewardListSchema,
  RewardIdParam,
  RewardListSchema,
  RewardSchema,
  UpdateRewardBody,
  UploadCodesBody,
  UploadCodesResultSchema,
} from "./rewards.schemas";

const tags = ["Rewards"];


export const createReward = createRoute({
  method: "post",
  path: "/v1/rewards",
  operationId: "createReward",
  ...AUDITED,
  summary: "Add a reward to the catalog",
  description: "Each type needs its own fields (see `type`); a field another type uses is refused, as is a tier, a cause or a currency the program does not have.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreateRewardBody) },
  responses: { 201: jsonResponse(RewardSchema, "Created."), ...errorResponses },
});

export const listRewards = createRoute({
  method: "get",
  path: "/v1/rewards",
  operationId: "listRewards",
  summary: "The catalog, oldest first",
  description: "The program's reward catalog, oldest first, filterable by status.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: ListRewardsQuery },
  responses: { 200: jsonResponse(RewardListSchema, "Every reward of the program."), ...errorResponses },
});

export const getReward = createRoute({
  method: "get",
  path: "/v1/rewards/{id}",
  operationId: "getReward",
  summary: "One reward, with its stock as its own object counts it",
  description: "A reward by id, with its stock as the reward's own stock object counts it (reserved and claimed units included).",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: RewardIdParam },
  responses: { 200: jsonResponse(RewardSchema, "The reward."), ...errorResponses },
});

export const updateReward = createRoute({
  method: "patch",
  path: "/v1/rewards/{id}",
  operationId: "updateReward",
  ...AUDITED,
  summary: "Change a reward",
  description: "Fields left out stay; `null` clears one. The whole reward is checked again. Claims made before keep what they were given.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: RewardIdParam, body: jsonBody(UpdateRewardBody) },
  responses: { 200: jsonResponse(RewardSchema, "Updated."), ...errorResponses },
});

export const archiveReward = createRoute({
  method: "post",
  path: "/v1/rewards/{id}/archive",
  operationId: "archiveReward",
  ...AUDITED,
  summary: "Stop offering a reward",
  description: "No new claims; coupons already issued stay valid. Archiving an archived reward answers it as it is.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: RewardIdParam },
  responses: { 200: jsonResponse(RewardSchema, "Archived."), ...errorResponses },
});

export const uploadRewardCodes = createRoute({
  method: "post",
  path: "/v1/rewards/{id}/codes",
  operationId: "uploadRewardCodes",
  ...AUDITED,
  summary: "Add the shop's own coupon codes to a reward's pool",
  description:
    "For a reward with `codeSource: pool`: each claim takes one code, and the reward is out of stock when none is left. A code already in the pool is counted as a duplicate. With an Idempotency-Key a retry is answered as the first upload was, and the audit log holds one row for it.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: RewardIdParam, headers: IdempotencyHeader.partial(), body: jsonBody(UploadCodesBody) },
  responses: { 200: jsonResponse(UploadCodesResultSchema, "Added."), ...errorResponses },
});

export const listMemberRewards = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/rewards",
  operationId: "listMemberRewards",
  summary: "The catalog as this member sees it",
  description: "Every active reward: whether the member may claim it now, how many points they still need, and every reason it is not available (tier, plan, limit, stock, window).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(MemberRewardListSchema, "The member's catalog."), ...errorResponses },
});

export const claimReward = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/rewards/{rewardId}/claims",
  operationId: "claimReward",
  summary: "Claim a reward: take its points and issue its coupon",
  description:
    "Takes the reward's points as a captured redemption (lots that expire first, first) and issues a coupon (a donation issues none). Refusals: `reward_out_of_stock`, `reward_limit_reached`, `reward_not_available` (with `reason`), `insufficient_points`. A retry with the same Idempotency-Key replays the first answer.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: ClaimParams, headers: IdempotencyHeader },
  responses: { 201: jsonResponse(ClaimWithBalanceSchema, "Claimed."), ...errorResponses },
});

export type CreateRewardRoute = typeof createReward;
export type ListRewardsRoute = typeof listRewards;
export type GetRewardRoute = typeof getReward;
export type UpdateRewardRoute = typeof updateReward;
export type ArchiveRewardRoute = typeof archiveReward;
export type UploadRewardCodesRoute = typeof uploadRewardCodes;
export type ListMemberRewardsRoute = typeof listMemberRewards;
export type ClaimRewardRoute = typeof claimReward;
