// Route declarations for the member's own data, reached with a member token (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../app/member-auth";
import { errorResponses, jsonResponse, memberTokenSecurity, PaginationQuery } from "../../app/openapi";
import { BalanceSchema, EntryPageSchema } from "../../app/schemas";
import { MeSchema, MemberCardSchema } from "./me.schemas";

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

export type GetMeRoute = typeof getMe;
export type GetMyBalanceRoute = typeof getMyBalance;
export type ListMyHistoryRoute = typeof listMyHistory;
export type GetMyCardRoute = typeof getMyCard;
export { z };
