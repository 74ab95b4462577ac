// Route declarations for member tokens: issue and revoke a member's, rotate the program's signing key (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
import { IssueTokenBody, MemberTokenSchema, RevocationSchema, RotationSchema } from "./tokens.schemas";

const tags = ["Member tokens"];

export const issueMemberToken = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/tokens",
  operationId: "issueMemberToken",
  summary: "A short-lived token for one member, for the shopper's browser or app",
  description:
    "A JWT signed with the program's key (HS256, `kid` in the header): audience the program, subject the member, `scope` the scopes. It opens /v1/me for that member only and nothing else. Not stored; issuing changes no ledger, so no Idempotency-Key.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, body: jsonBody(IssueTokenBody) },
  responses: { 201: jsonResponse(MemberTokenSchema, "Issued."), ...errorResponses },
});

export const revokeMemberTokens = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/tokens/revoke",
  operationId: "revokeMemberTokens",
  summary: "Refuse every token of this member issued until now",
  description: "At once on this edge location, everywhere within 10 seconds. Tokens issued after it work as usual.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(RevocationSchema, "Revoked."), ...errorResponses },
});

export const rotateTokenKey = createRoute({
  method: "post",
  path: "/v1/token-keys/rotate",
  operationId: "rotateTokenKey",
  ...AUDITED,
  summary: "A new signing key for member tokens and card codes",
  description: "New tokens are signed with the new key; the old key still verifies for 24 hours (the longest a token lives), so no shopper is logged out.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 201: jsonResponse(RotationSchema, "Rotated."), ...errorResponses },
});

export type IssueMemberTokenRoute = typeof issueMemberToken;
export type RevokeMemberTokensRoute = typeof revokeMemberTokens;
export type RotateTokenKeyRoute = typeof rotateTokenKey;
export { z };
