// Member token handlers: sign a token, revoke a member's tokens, rotate the signing key.
import { auditOf } from "../../audit/audit";
import { revokeMemberTokens as revokeAll, rotateSigningKey, signingKey, tokensValidAfter } from "../../app/member-auth";
import type { AppRouteHandler } from "../../app/types";
import { ulid } from "../../lib/ids";
import { newClaims } from "../../tokens/claims";
import { signToken } from "../../tokens/jwt";
import type { IssueMemberTokenRoute, RevokeMemberTokensRoute, RotateTokenKeyRoute } from "./tokens.routes";

export const issueMemberToken: AppRouteHandler<IssueMemberTokenRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { ttlSeconds, scopes } = c.req.valid("json");
  const { programId } = c.get("principal");
  const nowMs = Date.now();
  const key = await signingKey(c.env.DB, programId, nowMs);
  const claims = newClaims({
    programId,
    memberId,
    scopes,
    ttlSeconds,
    now: Math.floor(nowMs / 1000),
    tokensValidAfter: await tokensValidAfter(c.env.DB, programId, memberId),
    jti: ulid(nowMs),
  });
  const token = await signToken(claims, key.kid, key.secret);
  return c.json(
    {
      token,
      tokenType: "Bearer" as const,
      memberId,
      scopes: [...new Set(scopes)],
      issuedAt: new Date(claims.iat * 1000).toISOString(),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      expiresIn: ttlSeconds,
      keyId: key.kid,
    },
    201,
  );
};

export const revokeMemberTokens: AppRouteHandler<RevokeMemberTokensRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  return c.json(await revokeAll(c.env.DB, c.get("principal").programId, memberId), 200);
};

export const rotateTokenKey: AppRouteHandler<RotateTokenKeyRoute> = async (c) =>
  c.json(await rotateSigningKey(c.env.DB, c.get("principal").programId, Date.now(), (after) => auditOf(c, "member_token_key", "rotate", { after })), 201);
