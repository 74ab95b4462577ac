// Member tokens on the server side: the programs' signing keys and members' revocations in D1 (cached per
// isolate like program keys), the middleware that lets a member token into /v1/me, its CORS and rate limits.
import { auditStatement, type AuditRow } from "../audit/audit";
import type { MiddlewareHandler } from "hono";
import { readSettings, type ProgramSettings } from "../ledger/settings";
import { ApiError } from "../lib/errors";
import { randomSecret, ulid } from "../lib/ids";
import { checkClaims, hasScope, KEY_RETIREMENT_SECONDS, revocationMark, revoked, type Scope } from "../tokens/claims";
import { decodeToken, signatureValid } from "../tokens/jwt";
import type { AppEnv } from "./types";

/** As long as program keys are cached (src/app/auth.ts PRINCIPAL_TTL_MS): other isolates see a rotation or revocation within it. */
export const TOKEN_CACHE_TTL_MS = 10_000;
/** An unknown key id re-reads the program's keys at most this often, so a rotation elsewhere is seen at once and a flood of made-up ids costs little. */
const UNKNOWN_KID_RELOAD_MS = 1_000;
const MAX_CACHED = 10_000;

export interface SigningKey {
  kid: string;
  secret: string;
  createdAt: string;
  /** From then on the key no longer verifies; null for the key that signs. */
  retiredAt: string | null;
}

interface TokenProgram {
  programId: string;
  settings: ProgramSettings;
  settingsText: string;
  cacheEpoch: number;
  keys: SigningKey[];
  loadedAt: number;
}

const programsCache = new Map<string, { program: TokenProgram | null; expiresAt: number }>();
const revocations = new Map<string, { tokensValidAfter: number | null; expiresAt: number }>();
const origins = new Map<string, { allowed: boolean; expiresAt: number }>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

/** Settings changed or keys rotated in this isolate: read them again on the next call. Called by src/app/auth.ts forgetProgramKeys too. */
export function forgetTokenProgram(programId: string): void {
  programsCache.delete(programId);
  origins.clear();
}

interface KeyRow {
  kid: string;
  secret: string;
  created_at: string;
  retired_at: string | null;
}

const keyOf = (row: KeyRow): SigningKey => ({ kid: row.kid, secret: row.secret, createdAt: row.created_at, retiredAt: row.retired_at });

/** The program's settings and every key that may still verify, in one round trip; null when the program does not exist. */
async function loadProgram(db: D1Database, programId: string, nowIso: string): Promise<TokenProgram | null> {
  const [program, keys] = await db.batch([
    db.prepare("SELECT settings, cache_epoch FROM programs WHERE id = ?1").bind(programId),
    db
      .prepare("SELECT kid, secret, created_at, retired_at FROM token_signing_keys WHERE program_id = ?1 AND (retired_at IS NULL OR retired_at > ?2) ORDER BY created_at DESC")
      .bind(programId, nowIso),
  ]);
  const row = program!.results[0] as { settings: string; cache_epoch: number } | undefined;
  const loaded = row
    ? { programId, ...readSettings(row.settings), cacheEpoch: row.cache_epoch, keys: (keys!.results as KeyRow[]).map(keyOf), loadedAt: Date.now() }
    : null;
  remember(programsCache, programId, { program: loaded, expiresAt: Date.now() + TOKEN_CACHE_TTL_MS });
  return loaded;
}

async function tokenProgram(db: D1Database, programId: string, nowMs: number): Promise<TokenProgram | null> {
  const cached = programsCache.get(programId);
  if (cached && cached.expiresAt > Date.now()) return cached.program;
  return loadProgram(db, programId, new Date(nowMs).toISOString());
}

/** The key that verifies `kid` for the program now, re-reading once when the cache does not know it (a rotation in another isolate). */
async function verifyingKey(db: D1Database, program: TokenProgram, kid: string, nowMs: number): Promise<SigningKey | null> {
  const nowIso = new Date(nowMs).toISOString();
  const live = (p: TokenProgram) => p.keys.find((k) => k.kid === kid && (k.retiredAt === null || k.retiredAt > nowIso)) ?? null;
  const found = live(program);
  if (found || Date.now() - program.loadedAt < UNKNOWN_KID_RELOAD_MS) return found;
  const reloaded = await loadProgram(db, program.programId, nowIso);
  return reloaded ? live(reloaded) : null;
}

/**
 * The program's signing key, created on first use (the partial unique index
 * keeps it to one, whoever comes first). A cached key may be one rotated away
 * in another isolate for a few seconds: it still verifies for a day.
 */
export async function signingKey(db: D1Database, programId: string, nowMs = Date.now()): Promise<SigningKey> {
  const cached = (await tokenProgram(db, programId, nowMs))?.keys.find((k) => k.retiredAt === null);
  if (cached) return cached;
  forgetTokenProgram(programId);
  const [, current] = await db.batch([
    db
      .prepare("INSERT INTO token_signing_keys (program_id, kid, secret, created_at, retired_at) VALUES (?1, ?2, ?3, ?4, NULL) ON CONFLICT DO NOTHING")
      .bind(programId, ulid(nowMs), randomSecret(), new Date(nowMs).toISOString()),
    db.prepare("SELECT kid, secret, created_at, retired_at FROM token_signing_keys WHERE program_id = ?1 AND retired_at IS NULL").bind(programId),
  ]);
  return keyOf(current!.results[0] as KeyRow);
}

/**
 * A new signing key; the keys before it verify until KEY_RETIREMENT_SECONDS
 * from now (the longest a token signed just before can live), so no token
 * stops working before its expiry. One batch: never no key, never two.
 */
/** `audit` gives the audit row for the new key (its kid, never its secret), written in the rotation's batch. */
export async function rotateSigningKey(db: D1Database, programId: string, nowMs = Date.now(), audit?: (after: { kid: string; createdAt: string }) => AuditRow) {
  const nowIso = new Date(nowMs).toISOString();
  const retiredAt = new Date(nowMs + KEY_RETIREMENT_SECONDS * 1000).toISOString();
  const kid = ulid(nowMs);
  const [retiring] = await db.batch([
    db.prepare("UPDATE token_signing_keys SET retired_at = ?2 WHERE program_id = ?1 AND retired_at IS NULL RETURNING kid, retired_at").bind(programId, retiredAt),
    db
      .prepare("INSERT INTO token_signing_keys (program_id, kid, secret, created_at, retired_at) VALUES (?1, ?2, ?3, ?4, NULL)")
      .bind(programId, kid, randomSecret(), nowIso),
    ...(audit ? [auditStatement(db, audit({ kid, createdAt: nowIso }))] : []),
  ]);
  forgetTokenProgram(programId);
  return {
    kid,
    createdAt: nowIso,
    retiring: (retiring!.results as { kid: string; retired_at: string }[]).map((r) => ({ kid: r.kid, retiredAt: r.retired_at })),
  };
}

/** Every key of the program that still verifies, for checking card codes (newest first). */
export async function verifyingSecrets(db: D1Database, programId: string, nowMs = Date.now()): Promise<string[]> {
  const program = await tokenProgram(db, programId, nowMs);
  const nowIso = new Date(nowMs).toISOString();
  return (program?.keys ?? []).filter((k) => k.retiredAt === null || k.retiredAt > nowIso).map((k) => k.secret);
}

const revocationKey = (programId: string, memberId: string) => JSON.stringify([programId, memberId]);

/** Seconds since epoch before which the member's tokens are refused, or null when none were ever revoked. */
export async function tokensValidAfter(db: D1Database, programId: string, memberId: string): Promise<number | null> {
  const key = revocationKey(programId, memberId);
  const cached = revocations.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.tokensValidAfter;
  const row = await db
    .prepare("SELECT tokens_valid_after FROM member_token_revocations WHERE program_id = ?1 AND member_id = ?2")
    .bind(programId, memberId)
    .first<{ tokens_valid_after: number }>();
  const tokensValidAfter = row?.tokens_valid_after ?? null;
  remember(revocations, key, { tokensValidAfter, expiresAt: Date.now() + TOKEN_CACHE_TTL_MS });
  return tokensValidAfter;
}

/** Refuses every token of the member issued until now; this isolate knows at once, others within TOKEN_CACHE_TTL_MS. */
export async function revokeMemberTokens(db: D1Database, programId: string, memberId: string, nowMs = Date.now()) {
  const mark = revocationMark(nowMs);
  const revokedAt = new Date(nowMs).toISOString();
  await db
    .prepare(
      `INSERT INTO member_token_revocations (program_id, member_id, tokens_valid_after, revoked_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (program_id, member_id) DO UPDATE SET tokens_valid_after = max(tokens_valid_after, excluded.tokens_valid_after), revoked_at = excluded.revoked_at`,
    )
    .bind(programId, memberId, mark, revokedAt)
    .run();
  remember(revocations, revocationKey(programId, memberId), { tokensValidAfter: mark, expiresAt: Date.now() + TOKEN_CACHE_TTL_MS });
  return { memberId, tokensValidAfter: new Date(mark * 1000).toISOString(), revokedAt };
}

/** What the cors setting takes (src/ledger/settings.ts): anything else is allowed by no program, and costs no query. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
/** Program ids as src/routes/programs declares them: a token naming anything else is refused without a query. */
const PROGRAM_ID = /^prg_[0-9A-Z]{26}$/;

/** Whether any program lets this origin's pages call /v1/me (for preflights, which carry no token). */
async function originAllowedAnywhere(db: D1Database, origin: string): Promise<boolean> {
  if (origin.length > 300 || !ORIGIN.test(origin)) return false;
  const cached = origins.get(origin);
  if (cached && cached.expiresAt > Date.now()) return cached.allowed;
  const row = await db
    .prepare("SELECT 1 AS found FROM programs, json_each(programs.settings, '$.cors.allowedOrigins') AS allowed WHERE allowed.value = ?1 LIMIT 1")
    .bind(origin)
    .first<{ found: number }>();
  remember(origins, origin, { allowed: row !== null, expiresAt: Date.now() + TOKEN_CACHE_TTL_MS });
  return row !== null;
}

export const CORS_METHODS = "GET, POST";
export const CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key";

/**
 * CORS for /v1/me. A preflight carries no token, so it is answered for an
 * origin that some program allows; that grants nothing by itself. The answer
 * to the real call carries CORS headers only for an origin the token's own
 * program allows (or, when no token could be verified, an error body with no
 * data, for an origin some program allows, so a widget can show the error).
 * Never `*`, never credentials: member tokens travel in a header, not a cookie.
 */
export function memberCors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method === "OPTIONS") {
      // Preflights are limited per address too: each unknown origin costs a query.
      const ip = c.req.header("cf-connecting-ip");
      if (ip) await limit(c.env.IP_RATE_LIMITER, `ip:${ip}`, RATE_LIMIT_PERIOD_SECONDS, c);
      c.header("Vary", "Origin");
      if (origin && (await originAllowedAnywhere(c.env.DB, origin))) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Methods", CORS_METHODS);
        c.header("Access-Control-Allow-Headers", CORS_HEADERS);
        c.header("Access-Control-Max-Age", "600");
      }
      return c.body(null, 204);
    }
    await next();
    c.header("Vary", "Origin", { append: true });
    if (!origin) return;
    const program = c.get("tokenProgram");
    const allowed = program ? program.allowedOrigins.includes(origin) : c.res.status >= 400 && (await originAllowedAnywhere(c.env.DB, origin));
    if (allowed) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    }
  };
}

/** One call against a rate limiting binding; over the limit is a 429 that says when to come back. */
async function limit(binding: RateLimit, key: string, periodSeconds: number, c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<void> {
  const { success } = await binding.limit({ key });
  if (!success) {
    c.header("Retry-After", String(periodSeconds));
    throw new ApiError("rate_limited", `Too many calls; retry in ${periodSeconds} seconds.`);
  }
}

/** The periods of MEMBER_RATE_LIMITER and IP_RATE_LIMITER in wrangler.toml, for Retry-After. */
export const RATE_LIMIT_PERIOD_SECONDS = 10;

const invalid = () => new ApiError("token_invalid", "The member token is not valid.");

/**
 * Lets a member token in: signature (HS256 only) by a key of the program it
 * names, then its claims, the member's revocation, and the limits. Sets the
 * member and a principal of role "member" for the program, so the ledger
 * client works as for a program key and reaches only this member. A program
 * key is not a member token (401 token_invalid), and program-key routes never
 * take a member token (src/app/auth.ts accepts only `trk_` keys).
 */
export function memberToken(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Cloudflare's edge always sets the client's address; a call without it comes from inside (tests, local tools).
    const ip = c.req.header("cf-connecting-ip");
    if (ip) await limit(c.env.IP_RATE_LIMITER, `ip:${ip}`, RATE_LIMIT_PERIOD_SECONDS, c);
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    if (!match) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <member token>'.");
    const token = decodeToken(match[1]!);
    const programId = token?.payload.aud;
    if (!token || typeof programId !== "string" || !PROGRAM_ID.test(programId)) throw invalid();
    const nowMs = Date.now();
    const program = await tokenProgram(c.env.DB, programId, nowMs);
    const key = program && (await verifyingKey(c.env.DB, program, token.header.kid, nowMs));
    if (!program || !key || !(await signatureValid(token, key.secret))) throw invalid();
    c.set("tokenProgram", { programId, allowedOrigins: program.settings.cors.allowedOrigins });
    const verdict = checkClaims(token.payload, { programId, now: Math.floor(nowMs / 1000) });
    if (!verdict.ok) throw new ApiError(verdict.code, verdict.detail);
    const { claims } = verdict;
    if (revoked(claims, await tokensValidAfter(c.env.DB, programId, claims.sub))) {
      throw new ApiError("token_revoked", "The member's tokens were revoked; ask the shop for a new one.");
    }
    await limit(c.env.MEMBER_RATE_LIMITER, `member:${revocationKey(programId, claims.sub)}`, RATE_LIMIT_PERIOD_SECONDS, c);
    c.set("member", { memberId: claims.sub, scopes: verdict.scopes, tokenId: claims.jti, expiresAt: claims.exp });
    c.set("principal", { keyId: `member-token:${claims.jti}`, programId, role: "member", partnerId: null, settings: program.settings, settingsText: program.settingsText, cacheEpoch: program.cacheEpoch });
    await next();
  };
}

/** A route's scope: a member token without it gets 403 insufficient_scope. */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const member = c.get("member");
    if (!member) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <member token>'.");
    if (!hasScope(member.scopes, scope)) {
      throw new ApiError("insufficient_scope", `This call needs the '${scope}' scope; the token has ${member.scopes.map((s) => `'${s}'`).join(", ") || "none"}.`);
    }
    await next();
  };
}
