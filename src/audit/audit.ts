// The audit log: who changed what in a program, with the before and after, written in the same D1 batch as the change.
import { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Context } from "hono";
import type { AppEnv, Principal } from "../app/types";
import type { Database } from "../db/client";
import { auditLog } from "../db/schema";
import { ulid } from "../lib/ids";

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditInput {
  principal: Pick<Principal, "programId" | "keyId" | "role" | "keyName">;
  requestId: string;
  /** What changed: `program`, `campaign:<id>`, `key:<id>`, ... */
  resource: string;
  /** `create`, `update`, `delete`, `activate`, ... */
  action: string;
  /** The resource before the change (undefined or null for a create). */
  before?: unknown;
  /** The resource after the change (undefined or null for a delete). */
  after?: unknown;
  at: Date;
}

/** The audit row for one change (pure: no I/O). */
export function auditEntry(input: AuditInput): AuditRow {
  return {
    programId: input.principal.programId,
    id: ulid(input.at.getTime()),
    at: input.at.toISOString(),
    keyId: input.principal.keyId,
    keyName: input.principal.keyName ?? null,
    keyRole: input.principal.role,
    requestId: input.requestId,
    resource: input.resource,
    action: input.action,
    before: input.before === undefined || input.before === null ? null : JSON.stringify(input.before),
    after: input.after === undefined || input.after === null ? null : JSON.stringify(input.after),
  };
}

/** The caller's audit row for a change, from the request's principal and request id. */
export function auditOf(
  c: Context<AppEnv>,
  resource: string,
  action: string,
  change: { before?: unknown; after?: unknown; at?: Date } = {},
): AuditRow {
  return auditEntry({
    principal: c.get("principal"),
    requestId: c.get("requestId"),
    resource,
    action,
    before: change.before,
    after: change.after,
    at: change.at ?? new Date(),
  });
}

const dialect = new SQLiteSyncDialect();

/** The drizzle insert of the row, to append to the change's `db.batch([...])`. */
export function auditInsert(db: Database, row: AuditRow) {
  return db.insert(auditLog).values(row);
}

/**
 * The same insert as a raw prepared statement, for batches of `d1.prepare(...)` statements.
 * `afterGuardedWrite`: place it right after a guarded UPDATE (a compare-and-swap) and it
 * writes only when that statement changed a row, so a lost race leaves no audit row.
 */
export function auditStatement(d1: D1Database, row: AuditRow, options: { afterGuardedWrite?: boolean } = {}): D1PreparedStatement {
  const guard = options.afterGuardedWrite ? " WHERE changes() > 0" : "";
  return d1
    .prepare(
      `INSERT INTO audit_log (program_id, id, at, key_id, key_name, key_role, request_id, resource, action, before, after) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11${guard}`,
    )
    .bind(row.programId, row.id, row.at, row.keyId, row.keyName, row.keyRole, row.requestId, row.resource, row.action, row.before, row.after);
}

/** The OpenAPI extension marking an operation whose every change leaves one audit row (spread into createRoute). */
export const AUDITED = { "x-audited": true } as const;

/**
 * Runs one guarded drizzle write (an UPDATE or DELETE with a compare-and-swap condition) and its
 * audit row in one batch; the row is written only if the write changed something. Returns the
 * number of rows the write changed (0: the guard refused, nothing was written).
 */
export async function writeAudited(d1: D1Database, write: { toSQL(): { sql: string; params: unknown[] } } | SQL, row: AuditRow): Promise<number> {
  const { sql, params } = write instanceof SQL ? dialect.sqlToQuery(write) : write.toSQL();
  const [result] = await d1.batch([d1.prepare(sql).bind(...params), auditStatement(d1, row, { afterGuardedWrite: true })]);
  return result!.meta.changes;
}

/**
 * For a change made outside D1 (a Durable Object accepted it) and retried under an Idempotency-Key:
 * the answer kept under the key and the audit row, in one batch, both only if the key is new, so a
 * retry leaves one row. Written after the change was accepted: a crash in between leaves the change
 * unlogged until the client's retry under the same key logs it, never a row for a change that never was.
 */
export async function auditOnce(
  d1: D1Database,
  keyed: { programId: string; scope: string; key: string; requestHash: string; answer: unknown; now: Date },
  row: AuditRow,
): Promise<void> {
  const expiresAt = new Date(keyed.now.getTime() + 48 * 3600 * 1000).toISOString();
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO idempotency_keys (program_id, scope, key, request_hash, status, body, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)
         ON CONFLICT DO NOTHING`,
      )
      .bind(keyed.programId, keyed.scope, keyed.key, keyed.requestHash, JSON.stringify({ ok: true, value: keyed.answer }), keyed.now.toISOString(), expiresAt),
    auditStatement(d1, row, { afterGuardedWrite: true }),
  ]);
}

/** The answer kept under the key by auditOnce, or null; a different request under the key is for the caller to refuse. */
export async function keptAnswer(d1: D1Database, programId: string, scope: string, key: string): Promise<{ requestHash: string; answer: unknown } | null> {
  const row = await d1
    .prepare("SELECT request_hash, body FROM idempotency_keys WHERE program_id = ?1 AND scope = ?2 AND key = ?3")
    .bind(programId, scope, key)
    .first<{ request_hash: string; body: string }>();
  return row ? { requestHash: row.request_hash, answer: (JSON.parse(row.body) as { value: unknown }).value } : null;
}
