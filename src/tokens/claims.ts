// Member token rules as plain functions: lifetimes, scopes, and the checks on a token's claims once its signature holds.
import type { TokenClaims } from "./jwt";

export const TOKEN_ISSUER = "treue";
export const SCOPES = ["read", "claim"] as const;
export type Scope = (typeof SCOPES)[number];

export const DEFAULT_TOKEN_TTL_SECONDS = 15 * 60;
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** Clock difference tolerated between the Worker's isolates (and a signer elsewhere) on exp, nbf and iat. */
export const CLOCK_LEEWAY_SECONDS = 30;
/** A rotated key still verifies for this long: the longest a token signed just before the rotation can live. */
export const KEY_RETIREMENT_SECONDS = MAX_TOKEN_TTL_SECONDS + CLOCK_LEEWAY_SECONDS;

export type TokenRefusalCode = "token_invalid" | "token_expired" | "token_revoked";
export type ClaimsVerdict = { ok: true; claims: TokenClaims; scopes: Scope[] } | { ok: false; code: TokenRefusalCode; detail: string };

export interface ClaimsInput {
  programId: string;
  /** Seconds since epoch. */
  now: number;
}

/** The claims a new token carries: `iat` never before the member's last revocation, so a token minted right after one works. */
export function newClaims(input: {
  programId: string;
  memberId: string;
  scopes: readonly Scope[];
  ttlSeconds: number;
  now: number;
  tokensValidAfter: number | null;
  jti: string;
}): TokenClaims {
  const iat = Math.max(input.now, input.tokensValidAfter ?? 0);
  return {
    iss: TOKEN_ISSUER,
    aud: input.programId,
    sub: input.memberId,
    iat,
    exp: iat + input.ttlSeconds,
    jti: input.jti,
    scope: [...new Set(input.scopes)].join(" "),
  };
}

const isTime = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Whether a token whose signature holds may be used now: the shape of every
 * claim, the issuer, the audience (the program whose key verified it), its
 * time window with leeway. Revocation and scope are checked after, by
 * `revoked` and `hasScope`, since they need the member's record and the route.
 */
export function checkClaims(payload: Record<string, unknown>, input: ClaimsInput): ClaimsVerdict {
  const invalid = (detail: string): ClaimsVerdict => ({ ok: false, code: "token_invalid", detail });
  const { iss, aud, sub, iat, nbf, exp, jti, scope } = payload;
  if (iss !== TOKEN_ISSUER) return invalid("The token was not issued by Treue.");
  if (aud !== input.programId) return invalid("The token is for another audience.");
  if (typeof sub !== "string" || sub.length === 0) return invalid("The token names no member.");
  if (typeof jti !== "string" || typeof scope !== "string") return invalid("The token lacks an id or its scopes.");
  if (!isTime(iat) || !isTime(exp) || (nbf !== undefined && !isTime(nbf))) return invalid("The token's times are not whole seconds.");
  if (exp - iat > MAX_TOKEN_TTL_SECONDS) return invalid("The token lives longer than a member token may.");
  if (iat > input.now + CLOCK_LEEWAY_SECONDS) return invalid("The token was issued in the future.");
  if (nbf !== undefined && nbf > input.now + CLOCK_LEEWAY_SECONDS) return invalid("The token is not valid yet.");
  if (exp + CLOCK_LEEWAY_SECONDS <= input.now) return { ok: false, code: "token_expired", detail: "The token has expired; ask the shop for a new one." };
  const scopes = scope.split(" ").filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  const claims: TokenClaims = { iss, aud, sub, iat, exp, jti, scope, ...(nbf !== undefined ? { nbf } : {}) } as TokenClaims;
  return { ok: true, claims, scopes };
}

/** A revocation refuses every token issued before it (`tokensValidAfter`, seconds). */
export function revoked(claims: Pick<TokenClaims, "iat">, tokensValidAfter: number | null): boolean {
  return tokensValidAfter !== null && claims.iat < tokensValidAfter;
}

/** The revocation mark for a revocation at `nowMs`: tokens issued in any earlier second, and in this one before it, are refused. */
export function revocationMark(nowMs: number): number {
  return Math.ceil(nowMs / 1000);
}

export function hasScope(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed);
}
