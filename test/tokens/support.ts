// Helpers for the member token tests: issue a token through the API, and forge ones with a program's real key.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { toBase64Url, utf8 } from "../../src/tokens/encoding";
import { signToken, type TokenClaims } from "../../src/tokens/jwt";
import { call } from "../helpers";

export async function issueToken(key: string, memberId: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call(`/v1/members/${encodeURIComponent(memberId)}/tokens`, { key, body, idempotencyKey: null });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.token as string;
}

/** The program's signing key as stored (the one that signs now unless `kid` is given). */
export async function storedKey(programId: string, kid?: string): Promise<{ kid: string; secret: string }> {
  const row = await env.DB.prepare(
    kid
      ? "SELECT kid, secret FROM token_signing_keys WHERE program_id = ?1 AND kid = ?2"
      : "SELECT kid, secret FROM token_signing_keys WHERE program_id = ?1 AND retired_at IS NULL",
  )
    .bind(programId, ...(kid ? [kid] : []))
    .first<{ kid: string; secret: string }>();
  expect(row, `a signing key of ${programId}`).not.toBeNull();
  return row!;
}

/** Claims as Treue writes them, for `now` (seconds), with overrides. */
export function claimsFor(programId: string, memberId: string, overrides: Partial<TokenClaims> = {}, now = Math.floor(Date.now() / 1000)): TokenClaims {
  return { iss: "treue", aud: programId, sub: memberId, iat: now, exp: now + 900, jti: `jti-${now}-${Math.random()}`, scope: "read", ...overrides };
}

/** A token signed with the program's real key, claims as given. */
export async function forge(programId: string, claims: TokenClaims, kid?: string): Promise<string> {
  const key = await storedKey(programId, kid);
  return signToken(claims, key.kid, key.secret);
}

/** A compact JWS from a header and payload of our choosing, with the given signature part. */
export function handMade(header: Record<string, unknown>, payload: object, signature = ""): string {
  return `${toBase64Url(utf8(JSON.stringify(header)))}.${toBase64Url(utf8(JSON.stringify(payload)))}.${signature}`;
}

export function me(path: string, token: string | null, headers: Record<string, string> = {}) {
  return call(`/v1/me${path}`, { key: token, headers });
}
