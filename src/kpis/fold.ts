// KPI rollups off the member's path: a member's batch records its figures as one pending row, and the fold
// adds a chunk of pending rows into the rollup tables in one batch, many members' figures summed per key.
import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { errorMessages } from "../db/transient";
import { kpiFoldCursors, kpiPending } from "../db/schema";
import { hasKpiWrites, mergedKpiWrites, type KpiWrites } from "./rollups";
import { kpiStatements } from "./store";

/** Pending rows per fold batch: a chunk of accruals makes about one statement per 7 orders plus the merged upserts. */
export const FOLD_CHUNK = 250;

/** The row a member's batch carries instead of the rollup statements themselves, or null when it has no figures. */
export function pendingKpiRow(programId: string, writes: KpiWrites | null | undefined, at: string) {
  return writes && hasKpiWrites(writes) ? { programId, writes: JSON.stringify(writes), createdAt: at } : null;
}

/** The cursor moves from what this fold read to what it folded, or the batch fails: another fold took these rows. */
function moveCursor(db: Database, programId: string, from: number | null, to: number) {
  return db
    .insert(kpiFoldCursors)
    .values({ programId, foldedThrough: to })
    .onConflictDoUpdate({
      target: kpiFoldCursors.programId,
      set: { foldedThrough: sql`CASE WHEN ${kpiFoldCursors.foldedThrough} = ${from ?? -1} THEN excluded.folded_through ELSE NULL END` },
    });
}

const LOST_RACE = "NOT NULL constraint failed: kpi_fold_cursors.folded_through";

export interface FoldResult {
  /** Pending rows folded by this call. */
  folded: number;
  /** Whether rows were still pending when the call stopped (its deadline or its chunk limit came first). */
  more: boolean;
}

/**
 * Folds the program's pending rows, oldest first, a chunk per batch, until none is left, `maxChunks`
 * batches were made, or the deadline (wall clock) passed. Each batch moves the cursor, deletes the rows
 * and applies their merged figures together, so a row counts once even when folds run at the same time:
 * the one that lost the race re-reads and goes on from where the winner left off.
 */
export async function foldPendingKpis(db: Database, programId: string, at: string, options: { chunk?: number; maxChunks?: number; deadline?: number } = {}): Promise<FoldResult> {
  const chunk = options.chunk ?? FOLD_CHUNK;
  const maxChunks = options.maxChunks ?? Number.POSITIVE_INFINITY;
  let folded = 0;
  for (let chunks = 0; ; ) {
    const [cursors, rows] = await db.batch([
      db.select({ foldedThrough: kpiFoldCursors.foldedThrough }).from(kpiFoldCursors).where(eq(kpiFoldCursors.programId, programId)),
      db
        .select({ seq: kpiPending.seq, writes: kpiPending.writes })
        .from(kpiPending)
        .where(eq(kpiPending.programId, programId))
        .orderBy(asc(kpiPending.seq))
        .limit(chunk + 1),
    ]);
    const taken = rows.slice(0, chunk);
    if (taken.length === 0) return { folded, more: false };
    if (chunks >= maxChunks || (options.deadline !== undefined && Date.now() >= options.deadline)) return { folded, more: true };
    const to = taken.at(-1)!.seq;
    const merged = mergedKpiWrites(taken.map((row) => JSON.parse(row.writes) as KpiWrites));
    try {
      await db.batch([
        moveCursor(db, programId, cursors[0]?.foldedThrough ?? null, to),
        db.delete(kpiPending).where(and(eq(kpiPending.programId, programId), lte(kpiPending.seq, to))),
        ...kpiStatements(db, programId, merged, at),
      ]);
    } catch (error) {
      if (errorMessages(error).some((message) => message.includes(LOST_RACE))) continue;
      throw error;
    }
    folded += taken.length;
    chunks += 1;
    if (rows.length <= chunk) return { folded, more: false };
  }
}

/** How long a request may fold pending rows before it reads (a KPI report, campaign stats, a campaign's change). */
const FOLD_ON_READ_MS = 10_000;

/**
 * Folds the program's pending rows before a request reads what they add up to. It never fails the request:
 * a fold that fails or runs out of time leaves the rest pending (the fold-kpis job's runs show a failure).
 * Whether everything pending was folded.
 */
export async function foldBeforeReading(db: Database, programId: string, now: Date): Promise<boolean> {
  try {
    const { more } = await foldPendingKpis(db, programId, now.toISOString(), { deadline: Date.now() + FOLD_ON_READ_MS });
    return !more;
  } catch (error) {
    console.log(JSON.stringify({ level: "error", programId, error: `KPI fold failed: ${error instanceof Error ? error.message : String(error)}` }));
    return false;
  }
}

/** Pending rows of the program, counted only this far (what a report that could not fold them all says). */
export async function pendingCount(db: Database, programId: string, cap = 10_000): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM kpi_pending WHERE program_id = ${programId} LIMIT ${cap})`);
  return Number(row?.n ?? 0);
}
