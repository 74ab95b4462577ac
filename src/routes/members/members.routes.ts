// Route declarations for members and their ledger (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam, PaginationQuery } from "../../app/openapi";
import {
  AccrualBody,
  AccrualResultSchema,
  BalanceSchema,
  EntryPageSchema,
  RedemptionWithBalanceSchema,
  RefundBody,
  RefundResultSchema,
} from "../../app/schemas";
import { EnrollBody, MemberSchema, RedeemBody } from "./members.schemas";

const tags = ["Members"];
/** The keys that may read a balance: the route's and the path before the router's (./balance-read.ts). */
export const BALANCE_READERS = ["admin", "server", "partner"] as const;
const replayNote = "A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).";

export const enrollMember = createRoute({
  method: "put",
  path: "/v1/members/{memberId}",
  operationId: "enrollMember",
  summary: "Enroll a member, or update one, by the storefront's own customer id",
  description: "Creates the member under the storefront's own customer id (201), or updates their profile (200). Safe to repeat: the same body gives the same member. Points can only be earned and spent by a member that exists (unless the program enrolls on accrual).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, body: jsonBody(EnrollBody) },
  responses: {
    200: jsonResponse(MemberSchema, "Updated."),
    201: jsonResponse(MemberSchema, "Enrolled."),
    ...errorResponses,
  },
});

export const getMember = createRoute({
  method: "get",
  path: "/v1/members/{memberId}",
  operationId: "getMember",
  summary: "A member with their balance",
  description: "The member's profile and their current balance (available, pending, held, debt, tier).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(MemberSchema, "The member."), ...errorResponses },
});

export const accrue = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/accruals",
  operationId: "accrue",
  summary: "Earn points for an order",
  description: `Base rate x tier multiplier, with a breakdown. One order earns once per issuer: a second accrual of the same orderId is a 409 \`order_already_accrued\`, whatever the Idempotency-Key. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(AccrualBody) },
  responses: { 201: jsonResponse(AccrualResultSchema, "Points earned."), ...errorResponses },
});

export const getBalance = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/balance",
  operationId: "getBalance",
  summary: "Available, pending, held, debt, tier and next expiries",
  description: "The member's balance as their ledger object holds it now: points available, pending (not yet available), held by open redemptions, debt, lifetime and qualifying points, tier, the next tier, and the next expiries.",
  tags,
  security: bearer,
  middleware: [requireKey(...BALANCE_READERS)] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(BalanceSchema, "The balance, including every write made before this read."), ...errorResponses },
});

export const redeem = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/redemptions",
  operationId: "redeem",
  summary: "Redeem points now (capture) or reserve them for a checkout (hold)",
  description: `Takes points from the lots that expire first, never more than available (422 \`insufficient_points\`). ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(RedeemBody) },
  responses: { 201: jsonResponse(RedemptionWithBalanceSchema, "Captured or held."), ...errorResponses },
});

export const refund = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/refunds",
  operationId: "refund",
  summary: "Take back the points of a refunded order, in proportion",
  description: `Unspent points come out of the order's lot; what was already spent becomes debt. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(RefundBody) },
  responses: { 201: jsonResponse(RefundResultSchema, "Points clawed back."), ...errorResponses },
});

export const listTransactions = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/transactions",
  operationId: "listTransactions",
  summary: "The member's ledger, newest first",
  description: "A partner key sees only the entries of its own orders and redemptions.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: MemberIdParam, query: PaginationQuery },
  responses: { 200: jsonResponse(EntryPageSchema, "One page of entries."), ...errorResponses },
});

export type EnrollMemberRoute = typeof enrollMember;
export type GetMemberRoute = typeof getMember;
export type AccrueRoute = typeof accrue;
export type GetBalanceRoute = typeof getBalance;
export type RedeemRoute = typeof redeem;
export type RefundRoute = typeof refund;
export type ListTransactionsRoute = typeof listTransactions;
export { z };
