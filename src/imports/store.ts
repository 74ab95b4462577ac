// An import's rows in D1: the import, its staged lines and its chunks; what the POST writes and the queue's consumer reads and marks.
import { auditStatement, type AuditRow } from "../audit/audit";
import type { ImportFormat, LineError, ParsedFile } from "./lines";
import type { ImportLine } from "../ledger/ops/import";

export type ImportStatus = "staging" | "queued" | "running" | "completed" | "failed";

export interface ImportRow {
  id: string;
  program_id: string;
  status: ImportStatus;
  format: ImportFormat;
  content_hash: string;
  idempotency_key: string | null;
  key_id: string;
  lines: number;
  invalid_lines: number;
  chunks: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** What travels on the import queue: one chunk of one import. */
export interface ImportChunkMessage {
  kind: "import-chunk";
  programId: string;
  importId: string;
  chunk: number;
}

/** The JSON handed to one INSERT ... FROM json_each stays well under D1's 2 MB per value. */
const MAX_JSON_PER_STATEMENT = 512 * 1024;

/** The import a file or an Idempotency-Key already started, if any. */
export async function findImport(db: D1Database, programId: string, contentHash: string, idempotencyKey: string | null): Promise<ImportRow | null> {
  return db
    .prepare("SELECT * FROM imports WHERE program_id = ?1 AND (content_hash = ?2 OR (?3 IS NOT NULL AND idempotency_key = ?3)) ORDER BY content_hash = ?2 DESC LIMIT 1")
    .bind(programId, contentHash, idempotencyKey)
    .first<ImportRow>();
}

/** Inserts the import in `staging`, unless the same file or key got there first: then that one is returned. */
export async function createImport(db: D1Database, row: Omit<ImportRow, "started_at" | "finished_at" | "status">, audit: AuditRow): Promise<{ row: ImportRow; created: boolean }> {
  // The audit row only when the import is new: a re-sent file or key is the same import, logged once.
  const [result] = await db.batch([
    db
      .prepare(
        `INSERT INTO imports (id, program_id, status, format, content_hash, idempotency_key, key_id, lines, invalid_lines, chunks, created_at)
         VALUES (?1, ?2, 'staging', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING RETURNING *`,
      )
      .bind(row.id, row.program_id, row.format, row.content_hash, row.idempotency_key, row.key_id, row.lines, row.invalid_lines, row.chunks, row.created_at),
    auditStatement(db, audit, { afterGuardedWrite: true }),
  ]);
  const inserted = (result!.results as ImportRow[])[0];
  if (inserted) return { row: inserted, created: true };
  const existing = await findImport(db, row.program_id, row.content_hash, row.idempotency_key);
  if (!existing) throw new Error("import conflict without an existing import");
  return { row: existing, created: false };
}

/**
 * Writes the file's lines and chunks. Repeatable: rows already there are kept
 * as they are (a POST that died while staging is finished by its re-send).
 */
export async function stageFile(db: D1Database, programId: string, importId: string, parsed: ParsedFile): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  const insertLines = db.prepare(
    `INSERT OR IGNORE INTO import_lines (import_id, line, program_id, member_id, chunk, status, data, error)
     SELECT ?1, json_extract(value, '$.l'), ?2, json_extract(value, '$.m'), json_extract(value, '$.c'), json_extract(value, '$.s'),
            json_extract(value, '$.d'), json_extract(value, '$.e')
     FROM json_each(?3)`,
  );
  let piece: string[] = [];
  let size = 0;
  const flush = () => {
    if (piece.length === 0) return;
    statements.push(insertLines.bind(importId, programId, `[${piece.join(",")}]`));
    piece = [];
    size = 0;
  };
  for (const line of parsed.lines) {
    const json = JSON.stringify(
      line.status === "pending"
        ? { l: line.line, m: line.memberId, c: line.chunk, s: "pending", d: line.data }
        : { l: line.line, m: line.memberId, c: null, s: "invalid", e: line.error },
    );
    if (size + json.length > MAX_JSON_PER_STATEMENT) flush();
    piece.push(json);
    size += json.length + 1;
  }
  flush();
  const chunks = JSON.stringify(parsed.chunks.map((c) => [c.chunk, c.lines]));
  statements.push(
    db
      .prepare(
        `INSERT OR IGNORE INTO import_chunks (import_id, chunk, program_id, status, lines)
         SELECT ?1, json_extract(value, '$[0]'), ?2, 'pending', json_extract(value, '$[1]') FROM json_each(?3)`,
      )
      .bind(importId, programId, chunks),
  );
  // A few statements per D1 call keeps each call's work bounded.
  for (let at = 0; at < statements.length; at += 8) await db.batch(statements.slice(at, at + 8));
}

/** The file is staged and its chunks are on the queue: a status only a staging import moves from. */
export async function markQueued(db: D1Database, importId: string, now: string): Promise<void> {
  await db
    .prepare("UPDATE imports SET status = CASE WHEN chunks = 0 THEN 'completed' ELSE 'queued' END, finished_at = CASE WHEN chunks = 0 THEN ?2 END WHERE id = ?1 AND status = 'staging'")
    .bind(importId, now)
    .run();
}

export async function readImport(db: D1Database, programId: string, importId: string): Promise<ImportRow | null> {
  return db.prepare("SELECT * FROM imports WHERE program_id = ?1 AND id = ?2").bind(programId, importId).first<ImportRow>();
}

// ------------------------------------------------------------ the consumer's side

export async function chunkStatus(db: D1Database, importId: string, chunk: number): Promise<string | null> {
  return db.prepare("SELECT status FROM import_chunks WHERE import_id = ?1 AND chunk = ?2").bind(importId, chunk).first<string>("status");
}

export async function markRunning(db: D1Database, importId: string, now: string): Promise<void> {
  await db.prepare("UPDATE imports SET status = 'running', started_at = COALESCE(started_at, ?2) WHERE id = ?1 AND status IN ('staging', 'queued')").bind(importId, now).run();
}

/** The chunk's lines still to apply, by member, in file order. */
export async function pendingLines(db: D1Database, importId: string, chunk: number): Promise<Map<string, ImportLine[]>> {
  const { results } = await db
    .prepare("SELECT member_id, data FROM import_lines WHERE import_id = ?1 AND chunk = ?2 AND status = 'pending' ORDER BY line")
    .bind(importId, chunk)
    .all<{ member_id: string; data: string }>();
  const byMember = new Map<string, ImportLine[]>();
  for (const row of results) {
    const line = { ...(JSON.parse(row.data) as Omit<ImportLine, "memberId">), memberId: row.member_id };
    const lines = byMember.get(row.member_id);
    if (lines) lines.push(line);
    else byMember.set(row.member_id, [line]);
  }
  return byMember;
}

/** The lines of this import the member's batches already applied: what a redelivery must not post again. */
export async function appliedLines(db: D1Database, programId: string, importId: string, memberId: string): Promise<Set<number>> {
  const { results } = await db
    .prepare("SELECT line FROM import_lines WHERE program_id = ?1 AND import_id = ?2 AND member_id = ?3 AND status = 'done'")
    .bind(programId, importId, memberId)
    .all<{ line: number }>();
  return new Set(results.map((r) => r.line));
}

/** A member's lines the ledger refused: failed with the refusal, never retried. */
export function failLinesStatement(db: D1Database, importId: string, memberId: string, error: LineError | { code: string; message: string }): D1PreparedStatement {
  return db
    .prepare("UPDATE import_lines SET status = 'failed', error = ?3 WHERE import_id = ?1 AND member_id = ?2 AND status = 'pending'")
    .bind(importId, memberId, JSON.stringify(error));
}

/** The chunk done, and the import finished if it was the last: in one batch with the chunk's refused lines. */
export async function finishChunk(db: D1Database, importId: string, chunk: number, status: "done" | "failed", failures: D1PreparedStatement[], now: string): Promise<void> {
  await db.batch([
    ...failures,
    ...(status === "failed"
      ? [db.prepare("UPDATE import_lines SET status = 'failed', error = ?3 WHERE import_id = ?1 AND chunk = ?2 AND status = 'pending'").bind(importId, chunk, JSON.stringify({ code: "not_applied", message: "the chunk failed on every attempt" }))]
      : []),
    db.prepare("UPDATE import_chunks SET status = ?3, finished_at = ?4 WHERE import_id = ?1 AND chunk = ?2 AND status = 'pending'").bind(importId, chunk, status, now),
    db
      .prepare(
        `UPDATE imports SET status = CASE WHEN EXISTS (SELECT 1 FROM import_chunks WHERE import_id = ?1 AND status = 'failed') THEN 'failed' ELSE 'completed' END,
                finished_at = ?2, started_at = COALESCE(started_at, ?2)
         WHERE id = ?1 AND status NOT IN ('completed', 'failed') AND NOT EXISTS (SELECT 1 FROM import_chunks WHERE import_id = ?1 AND status = 'pending')`,
      )
      .bind(importId, now),
  ]);
}
