// Signed page cursors for the list handlers: open the caller's cursor, seal the next one, both for one list's scope.
import type { Context } from "hono";
import { openCursor, sealCursor, type CursorScope } from "../lib/cursors";
import type { AppEnv } from "./types";

/**
 * Cursors are signed with a key derived from ADMIN_TOKEN, the deployment's
 * one secret: rotating it ends the cursors given out before (a 400
 * invalid_cursor; the caller starts the walk again).
 */
function cursorSecret(c: Context<AppEnv>): string {
  return c.env.ADMIN_TOKEN || "treue: no ADMIN_TOKEN set";
}

/** The position to resume after, or undefined for the first page (no cursor, or an empty one). */
export function resumeAfter(c: Context<AppEnv>, scope: CursorScope, cursor: string | undefined): Promise<string | undefined> {
  if (!cursor) return Promise.resolve(undefined);
  return openCursor(cursorSecret(c), scope, cursor);
}

/** The page with its nextCursor sealed for the same scope. */
export async function sealedPage<T>(c: Context<AppEnv>, scope: CursorScope, page: { data: T[]; nextCursor: string | null }) {
  return { data: page.data, nextCursor: page.nextCursor === null ? null : await sealCursor(cursorSecret(c), scope, page.nextCursor) };
}
