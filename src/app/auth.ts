// Who is calling: a program key (admin, server, partner) or the platform's ADMIN_TOKEN.
import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { database } from "../db/client";
import { apiKeys, programs } from "../db/schema";
import { ProgramSettingsSchema } from "../ledger/settings";
import { ApiError } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import type { AppEnv, Role } from "./types";

export const KEY_PREFIX = "trk_";

function bearerToken(c: Context<AppEnv>): string {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new ApiError("unauthorized", "Send 'Authorization: Bearer <key>'.");
  return match[1]!;
}

/** Program keys with one of `roles`; any other valid key gets a 403. */
export function requireKey(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token.startsWith(KEY_PREFIX) || token.length > 200) throw new ApiError("unauthorized", "The key is not valid.");
    const db = database(c.env.DB);
    const [row] = await db
      .select({ key: apiKeys, settings: programs.settings })
      .from(apiKeys)
      .innerJoin(programs, eq(programs.id, apiKeys.programId))
      .where(eq(apiKeys.keyHash, await sha256Hex(token)));
    if (!row || row.key.revokedAt) throw new ApiError("unauthorized", "The key is not valid.");
    if (!roles.includes(row.key.role)) {
      throw new ApiError("forbidden", `A ${row.key.role} key may not call this; it needs ${roles.join(" or ")}.`);
    }
    c.set("principal", {
      keyId: row.key.id,
      programId: row.key.programId,
      role: row.key.role,
      partnerId: row.key.partnerId,
      settings: ProgramSettingsSchema.parse(JSON.parse(row.settings)),
    });
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
