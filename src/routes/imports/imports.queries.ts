// The import routes' reads: an import's counts, its lines' errors page by page, and the program's imports.
import type { ImportRow } from "../../imports/store";

export interface ImportCounts {
  lines: { status: string; n: number }[];
  chunks: { status: string; n: number }[];
}

export async function importCounts(db: D1Database, importId: string): Promise<ImportCounts> {
  const [lines, chunks] = await db.batch<{ status: string; n: number }>([
    db.prepare("SELECT status, COUNT(*) AS n FROM import_lines WHERE import_id = ?1 GROUP BY status").bind(importId),
    db.prepare("SELECT status, COUNT(*) AS n FROM import_chunks WHERE import_id = ?1 GROUP BY status").bind(importId),
  ]);
  return { lines: lines!.results, chunks: chunks!.results };
}

export interface LineErrorRow {
  line: number;
  member_id: string | null;
  status: "invalid" | "failed";
  error: string;
}

/** Lines not applied, by line number after `afterLine`; one more than asked says there is a next page. */
export async function lineErrors(db: D1Database, importId: string, afterLine: number, limit: number): Promise<LineErrorRow[]> {
  const { results } = await db
    .prepare(
      `SELECT line, member_id, status, error FROM import_lines INDEXED BY import_lines_by_status
       WHERE import_id = ?1 AND status IN ('invalid', 'failed') AND line > ?2 ORDER BY line LIMIT ?3`,
    )
    .bind(importId, afterLine, limit + 1)
    .all<LineErrorRow>();
  return results;
}

export async function importPage(db: D1Database, programId: string, beforeId: string | undefined, limit: number): Promise<ImportRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM imports WHERE program_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3")
    .bind(programId, beforeId ?? null, limit + 1)
    .all<ImportRow>();
  return results;
}

export async function importCountsMany(db: D1Database, importIds: string[]): Promise<Map<string, ImportCounts>> {
  const counts = new Map<string, ImportCounts>();
  for (const id of importIds) counts.set(id, await importCounts(db, id));
  return counts;
}
