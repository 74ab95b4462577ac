// Route declarations for referral codes and referrals (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse, MemberIdParam, PaginationQuery } from "../../app/openapi";
import { ReferralCodeSchema, ReferralListQuery, ReferralPageSchema } from "./referrals.schemas";

const tags = ["Referrals"];

export const getReferralCode = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/referral",
  operationId: "getReferralCode",
  summary: "The member's referral code and share link (created on first ask)",
  description: "A new member enrolls with `referralCode` to be recorded as referred. 422 `referrals_disabled` unless the program runs referrals.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(ReferralCodeSchema, "The code, the link to share, and who referred this member."), ...errorResponses },
});

export const listMemberReferrals = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/referrals",
  operationId: "listMemberReferrals",
  summary: "Whom the member referred, and how each referral stands, newest first",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, query: PaginationQuery },
  responses: { 200: jsonResponse(ReferralPageSchema, "One page of referrals, with the fraud flags of refused ones."), ...errorResponses },
});

export const listReferrals = createRoute({
  method: "get",
  path: "/v1/referrals",
  operationId: "listReferrals",
  summary: "The program's referrals, newest first (e.g. the rejected ones, to review)",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: ReferralListQuery },
  responses: { 200: jsonResponse(ReferralPageSchema, "One page of referrals."), ...errorResponses },
});

export type GetReferralCodeRoute = typeof getReferralCode;
export type ListMemberReferralsRoute = typeof listMemberReferrals;
export type ListReferralsRoute = typeof listReferrals;
