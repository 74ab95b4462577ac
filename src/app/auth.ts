// Who is calling: a program key (admin, server, partner) or the platform's ADMIN_TOKEN.
import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { database } from "../db/client";
import { apiKeys, programs } from "../db/schema";
import { readSettings } from "../ledger/settings";
import { ApiError } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import { listeningColumn, listeningOf } from "../webhooks/listening";
import { forgetTokenProgram } from "./member-auth";
import type { AppEnv, Principal, Role } from "./types";

export const KEY_PREFIX = "trk_";

const BEARER = /^Bearer\s+(\S+)$/i;

function bearerToken(c: Context<AppEnv>): string {
  const header = c.req.header("authorization") ?? "";
  const match = BEARER.exec(header);
  if (!match) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <key>'.");
  return match[1]!;
}

/**
 * Keys this isolate resolved lately, by hash. Every request would otherwise
 * pay a D1 round trip (from the edge to D1's region) before it starts.
 * Revoking a key, changing settings or webhook endpoints forgets the
 * program here at once; other isolates notice within PRINCIPAL_TTL_MS.
 */
export const PRINCIPAL_TTL_MS = 10_000;
const MAX_CACHED_KEYS = 10_000;
const principals = new Map<string, { principal: Principal; expiresAt: number }>();

/**
 * Keys refused lately, unknown and revoked alike, so both take the same path
 * and cost the same (one lookup per isolate and period), and a flood of one
 * bad key costs one query. A map of its own, so a flood of many bad keys
 * pushes out only other bad keys, never a good one. A key is never unknown
 * before it is issued, so remembering "unknown" cannot hide a new key.
 */
const REFUSED_TTL_MS = PRINCIPAL_TTL_MS;
const MAX_REFUSED_KEYS = 10_000;
const refused = new Map<string, number>();

export function forgetProgramKeys(programId: string): void {
  forgetTokenProgram(programId);
  for (const [hash, entry] of principals) if (entry.principal.programId === programId) principals.delete(hash);
}

function remember<V>(cache: Map<string, V>, max: number, key: string, value: V): void {
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

/**
 * The hashes of keys that resolved lately, by key: a SHA-256 per request was a few percent of a
 * balance read's CPU. Only keys that found a principal get in, so a flood of made-up keys cannot
 * push them out; a key's hash never changes, so an entry is never stale (revoking acts on the
 * principal). The keys themselves are already in this isolate's memory with every request they come on.
 */
const keyHashes = new Map<string, string>();

/** The key's principal, or null for a key that is unknown or revoked (the same answer for both). */
async function resolveKey(db: D1Database, hash: string): Promise<Principal | null> {
  const cached = freshPrincipal(hash);
  if (cached) return cached;
  const refusedUntil = refused.get(hash);
  if (refusedUntil !== undefined && refusedUntil > Date.now()) return null;
  // Each request looks up on its own: a D1 promise started by one request and awaited by another
  // is I/O on behalf of a different request, which workerd refuses (or leaves hanging) under load.
  return lookUpKey(db, hash);
}

async function lookUpKey(db: D1Database, hash: string): Promise<Principal | null> {
  const [row] = await database(db)
    .select({ key: apiKeys, settings: programs.settings, cacheEpoch: programs.cacheEpoch, listening: listeningColumn(apiKeys.programId) })
    .from(apiKeys)
    .innerJoin(programs, eq(programs.id, apiKeys.programId))
    .where(eq(apiKeys.keyHash, hash));
  if (!row || row.key.revokedAt !== null) {
    principals.delete(hash);
    remember(refused, MAX_REFUSED_KEYS, hash, Date.now() + REFUSED_TTL_MS);
    return null;
  }
  const principal: Principal = {
    keyId: row.key.id,
    programId: row.key.programId,
    role: row.key.role,
    partnerId: row.key.partnerId,
    keyName: row.key.name,
    ...readSettings(row.settings),
    cacheEpoch: row.cacheEpoch,
    listening: listeningOf(row.listening),
  };
  refused.delete(hash);
  remember(principals, MAX_CACHED_KEYS, hash, { principal, expiresAt: Date.now() + PRINCIPAL_TTL_MS });
  return principal;
}

/**
 * The principal of a program key this isolate resolved within PRINCIPAL_TTL_MS, when it has one of
 * `roles`, without any I/O; null for anything else (no key, a key not resolved here lately, another
 * role), which requireKey then answers in full. Only resolved keys have a hash kept, so a revoked or
 * unknown key is never found here, and forgetting a program's keys reaches this at once.
 */
export function cachedPrincipal(authorization: string | null, roles: readonly Role[]): Principal | null {
  const match = authorization === null ? null : BEARER.exec(authorization);
  const hash = match ? keyHashes.get(match[1]!) : undefined;
  const principal = hash === undefined ? null : freshPrincipal(hash);
  return principal && (roles as readonly string[]).includes(principal.role) ? principal : null;
}

/** The principal this isolate resolved for a key's hash within PRINCIPAL_TTL_MS, if any. */
function freshPrincipal(hash: string): Principal | null {
  const cached = principals.get(hash);
  return cached && cached.expiresAt > Date.now() ? cached.principal : null;
}

/** Program keys with one of `roles`; any other valid key gets a 403. */
export function requireKey(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token.startsWith(KEY_PREFIX) || token.length > 200) throw new ApiError("unauthorized", "The key is not valid.");
    const known = keyHashes.get(token);
    const hash = known ?? (await sha256Hex(token));
    const principal = await resolveKey(c.env.DB, hash);
    if (!principal) throw new ApiError("unauthorized", "The key is not valid.");
    if (!known) remember(keyHashes, MAX_CACHED_KEYS, token, hash);
    if (!(roles as readonly string[]).includes(principal.role)) {
      throw new ApiError("forbidden", `A ${principal.role} key may not call this; it needs ${roles.join(" or ")}.`);
    }
    c.set("principal", principal);
    await next();
  };
}

/** The platform owner's token, for creating programs and their first keys. */
export function requireAdminToken(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    const expected = c.env.ADMIN_TOKEN;
    // Compare digests, not the strings, so timing says nothing about the token.
    if (!expected || (await sha256Hex(token)) !== (await sha256Hex(expected))) {
      throw new ApiError("unauthorized", "The platform token is not valid.");
    }
    await next();
  };
}
