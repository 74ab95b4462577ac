// Route declarations for the member's own data, reached with a member token (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../app/member-auth";
import { errorResponses, jsonResponse, memberTokenSecurity, PaginationQuery } from "../../app/openapi";
import { BalanceSchema, EntryPageSchema } from "../../app/schemas";
import { BenefitsSchema, ClaimWithBalanceSchema, CouponPageSchema, IdempotencyHeader, ReferralCodeSchema, MeSchema, MemberCardSchema, MemberRewardListSchema, MyClaimParams, OfferListSchema } from "./me.schemas";

const tags = ["Me (member token)"];

export const getMe = createRoute({
  method: "get",
  path: "/v1/me",
  operationId: "getMe",
  summary: "The token's member: profile and balance",
  description: "For a member token (the shopper's browser): the token's member, their profile and balance. Program keys are refused here.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(MeSchema, "The member."), ...errorResponses },
});

export const getMyBalance = createRoute({
  method: "get",
  path: "/v1/me/balance",
  operationId: "getMyBalance",
  summary: "The token's member's balance",
  description: "For a member token: the token's member's balance (available, pending, held, tier, next expiries).",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(BalanceSchema, "The balance, including every write made before this read."), ...errorResponses },
});

export const listMyHistory = createRoute({
  method: "get",
  path: "/v1/me/history",
  operationId: "listMyHistory",
  summary: "The token's member's ledger, newest first",
  description: "For a member token: the token's member's ledger entries, newest first, paged by `cursor`.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  request: { query: PaginationQuery },
  responses: { 200: jsonResponse(EntryPageSchema, "One page of entries."), ...errorResponses },
});

export const getMyCard = createRoute({
  method: "get",
  path: "/v1/me/card",
  operationId: "getMyCard",
  summary: "The member card for the till: a QR code that changes every 30 seconds",
  description:
    "The code is an HMAC of the member and the current 30-second step under the program's key: a till takes it for 30 to 60 seconds, once (POST /v1/pos/scans), so a screenshot of an older card is refused.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(MemberCardSchema, "The card as it is now."), ...errorResponses },
});

export const listMyRewards = createRoute({
  method: "get",
  path: "/v1/me/rewards",
  operationId: "listMyRewards",
  summary: "The catalog as the token's member sees it",
  description: "As GET /v1/members/{memberId}/rewards: every reward offered to the member, whether they may claim it now, and why not.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(MemberRewardListSchema, "The member's catalog."), ...errorResponses },
});

export const claimMyReward = createRoute({
  method: "post",
  path: "/v1/me/rewards/{rewardId}/claims",
  operationId: "claimMyReward",
  summary: "Claim a reward for the token's member (scope claim)",
  description:
    "As POST /v1/members/{memberId}/rewards/{rewardId}/claims; a token without the `claim` scope is a 403 `insufficient_scope`. The Idempotency-Key is the member's own: a retry replays the first answer.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("claim")] as const,
  request: { params: MyClaimParams, headers: IdempotencyHeader },
  responses: { 201: jsonResponse(ClaimWithBalanceSchema, "Claimed."), ...errorResponses },
});

export const listMyCoupons = createRoute({
  method: "get",
  path: "/v1/me/coupons",
  operationId: "listMyCoupons",
  summary: "The token's member's coupons, newest first",
  description: "The token's member's coupons, newest first: issued, used, cancelled or expired, with what each gives and until when it is valid. Paged with `cursor`.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  request: { query: PaginationQuery },
  responses: { 200: jsonResponse(CouponPageSchema, "One page of coupons."), ...errorResponses },
});

export const getMyOffers = createRoute({
  method: "get",
  path: "/v1/me/offers",
  operationId: "getMyOffers",
  summary: "What applies to the token's member now, ranked, with the reason each is shown",
  description: "As GET /v1/members/{memberId}/offers for the token's member: rewards and campaigns in force that apply now, ranked, with the reason each is shown.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(OfferListSchema, "The member's offers."), ...errorResponses },
});

export const getMyReferral = createRoute({
  method: "get",
  path: "/v1/me/referral",
  operationId: "getMyReferral",
  summary: "The token's member's referral code and share link (created on first ask)",
  description: "As GET /v1/members/{memberId}/referral; 422 `referrals_disabled` unless the program runs referrals.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(ReferralCodeSchema, "The code and the link to share."), ...errorResponses },
});

export const getMyBenefits = createRoute({
  method: "get",
  path: "/v1/me/benefits",
  operationId: "getMyBenefits",
  summary: "The token's member's benefits now, from the tier and the memberships together",
  description: "What the shop should apply for the token's member now: free shipping, the earning multiplier, early access, from the tier and the memberships in force together.",
  tags,
  security: memberTokenSecurity,
  middleware: [requireScope("read")] as const,
  responses: { 200: jsonResponse(BenefitsSchema, "The member's benefits at this moment."), ...errorResponses },
});

export type GetMyReferralRoute = typeof getMyReferral;
export type GetMyBenefitsRoute = typeof getMyBenefits;
export type ListMyRewardsRoute = typeof listMyRewards;
export type ClaimMyRewardRoute = typeof claimMyReward;
export type ListMyCouponsRoute = typeof listMyCoupons;
export type GetMyOffersRoute = typeof getMyOffers;
export type GetMeRoute = typeof getMe;
export type GetMyBalanceRoute = typeof getMyBalance;
export type ListMyHistoryRoute = typeof listMyHistory;
export type GetMyCardRoute = typeof getMyCard;
export { z };
