// Import handlers: validate and stage a file, queue its chunks; read an import's progress and errors.
import type { Context } from "hono";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { resumeAfter, sealedPage } from "../../app/pages";
import { auditOf } from "../../audit/audit";
import { parseImportFile, type ImportFormat } from "../../imports/lines";
import { createImport as insertImport, findImport, markQueued, readImport, stageFile, type ImportChunkMessage, type ImportRow } from "../../imports/store";
import { ApiError } from "../../lib/errors";
import { newId, sha256Hex } from "../../lib/ids";
import { importCounts, importPage, lineErrors, type ImportCounts } from "./imports.queries";
import type { CreateImportRoute, GetImportRoute, ListImportsRoute } from "./imports.routes";

const FORMATS: Record<string, ImportFormat> = { "application/x-ndjson": "jsonl", "text/csv": "csv" };

/** Queues takes at most 100 messages per sendBatch. */
const MESSAGES_PER_SEND = 100;

function formatOf(c: Context<AppEnv>): ImportFormat {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const format = FORMATS[type];
  if (!format) throw new ApiError("unsupported_media_type", "Send the file as application/x-ndjson (JSON Lines) or text/csv.");
  return format;
}

export const createImport: AppRouteHandler<CreateImportRoute> = async (c) => {
  const format = formatOf(c);
  const text = await c.req.text();
  const principal = c.get("principal");
  const key = c.req.valid("header")["idempotency-key"] ?? null;
  const contentHash = await sha256Hex(`${format}\n${text}`);
  const db = c.env.DB;
  let existing = await findImport(db, principal.programId, contentHash, key);
  if (existing) refuseReusedKey(existing, contentHash, key);
  if (existing && existing.status !== "staging") return c.json(await importView(db, existing), 200);
  const now = new Date();
  const parsed = parseImportFile(text, format, principal.settings, now);
  if (!existing) {
    const invalid = parsed.lines.filter((l) => l.status === "invalid").length;
    const id = newId("imp");
    // A summary only: the file's lines hold personal data, the audit log does not.
    const audit = auditOf(c, `import:${id}`, "create", { after: { format, contentHash, lines: parsed.lines.length, invalidLines: invalid, chunks: parsed.chunks.length }, at: now });
    const { row, created } = await insertImport(db, {
      id,
      program_id: principal.programId,
      format,
      content_hash: contentHash,
      idempotency_key: key,
      key_id: principal.keyId,
      lines: parsed.lines.length,
      invalid_lines: invalid,
      chunks: parsed.chunks.length,
      created_at: now.toISOString(),
    }, audit);
    if (!created) {
      refuseReusedKey(row, contentHash, key);
      if (row.status !== "staging") return c.json(await importView(db, row), 200);
    }
    existing = row;
  }
  // Staging is repeatable: a POST that died here is finished by the file's re-send.
  await stageFile(db, principal.programId, existing.id, parsed);
  const messages: MessageSendRequest<ImportChunkMessage>[] = parsed.chunks.map((chunk) => ({
    body: { kind: "import-chunk", programId: principal.programId, importId: existing.id, chunk: chunk.chunk },
    contentType: "json",
  }));
  for (let at = 0; at < messages.length; at += MESSAGES_PER_SEND) await c.env.IMPORT_QUEUE.sendBatch(messages.slice(at, at + MESSAGES_PER_SEND));
  await markQueued(db, existing.id, new Date().toISOString());
  return c.json(await importView(db, (await readImport(db, principal.programId, existing.id))!), 202);
};

function refuseReusedKey(row: ImportRow, contentHash: string, key: string | null): void {
  if (key !== null && row.idempotency_key === key && row.content_hash !== contentHash) {
    throw new ApiError("idempotency_key_reused", `Idempotency-Key '${key}' was already used with a different file.`);
  }
}

export const getImport: AppRouteHandler<GetImportRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const { programId } = c.get("principal");
  const row = await readImport(c.env.DB, programId, id);
  if (!row) throw new ApiError("import_not_found", `No import '${id}' in this program.`);
  const scope = ["import-errors", programId, id] as const;
  const after = await resumeAfter(c, scope, cursor);
  const rows = await lineErrors(c.env.DB, id, after === undefined ? 0 : Number(after), limit);
  const page = rows.slice(0, limit).map((r) => {
    const error = JSON.parse(r.error) as { code: string; message: string; errors?: { path: string; message: string }[] };
    return { line: r.line, memberId: r.member_id, status: r.status, code: error.code, message: error.message, ...(error.errors ? { errors: error.errors } : {}) };
  });
  const nextCursor = rows.length > limit ? String(page.at(-1)!.line) : null;
  return c.json({ ...(await importView(c.env.DB, row)), errors: await sealedPage(c, scope, { data: page, nextCursor }) }, 200);
};

export const listImports: AppRouteHandler<ListImportsRoute> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const { programId } = c.get("principal");
  const scope = ["imports", programId] as const;
  const rows = await importPage(c.env.DB, programId, await resumeAfter(c, scope, cursor), limit);
  const data = [];
  for (const row of rows.slice(0, limit)) data.push(await importView(c.env.DB, row));
  const nextCursor = rows.length > limit ? data.at(-1)!.id : null;
  return c.json(await sealedPage(c, scope, { data, nextCursor }), 200);
};

async function importView(db: D1Database, row: ImportRow) {
  return viewOf(row, await importCounts(db, row.id));
}

function viewOf(row: ImportRow, counts: ImportCounts) {
  const lines = (status: string) => counts.lines.find((l) => l.status === status)?.n ?? 0;
  const chunks = (status: string) => counts.chunks.find((l) => l.status === status)?.n ?? 0;
  const status = row.status === "staging" ? ("queued" as const) : row.status;
  return {
    id: row.id,
    status,
    format: row.format,
    contentHash: row.content_hash,
    counts: { lines: row.lines, pending: lines("pending"), done: lines("done"), failed: lines("invalid") + lines("failed") },
    chunks: { total: row.chunks, done: chunks("done"), failed: chunks("failed") },
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.finished_at ? Date.parse(row.finished_at) - Date.parse(row.created_at) : null,
  };
}
