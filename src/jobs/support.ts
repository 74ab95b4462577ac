// What every job shares: its context and budget, saved cursors, and calls to members' objects.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { jobCursors } from "../db/schema";
import { inParallel } from "../lib/parallel";
import type { ProgramSettings } from "../ledger/settings";
import { memberLedgerOf, type LedgerCall, type LedgerReply, type MemberLedger } from "../members/member-ledger";

/**
 * How much one run may do. Batches are bounded in rows; the deadline (wall
 * clock, not domain time) keeps a run well inside a scheduled invocation.
 */
export interface Budget {
  batchSize: number;
  concurrency: number;
  maxBatches: number;
  /** Member object calls the run may make (each is a subrequest of the invocation). */
  maxCalls: number;
  deadline: number;
  batchesUsed: number;
  /** Calls made so far; shared by the runs of one cron invocation, which share its subrequests. */
  calls: { used: number };
}

export interface JobContext {
  db: Database;
  env: Env;
  programId: string;
  settings: ProgramSettings;
  /** The run's clock: the cron's scheduledTime, or the caller's now. Jobs never read another. */
  now: Date;
  trigger: "cron" | "manual";
  budget: Budget;
  tally: { done: number; errors: number; lastError: string | null };
}

/** A job does what its budget allows and says how much work is still due. */
export type Job = (ctx: JobContext) => Promise<{ left: number }>;

/** Items left are counted only this far, so counting stays cheap on huge backlogs. */
export const LEFT_COUNT_CAP = 10_000;

/** Whether the run may start another batch. */
export function hasBudget(budget: Budget): boolean {
  return budget.batchesUsed < budget.maxBatches && budget.calls.used < budget.maxCalls && Date.now() < budget.deadline;
}

/** Rows the next page may take: a row may need a call to its member's object, and no page outgrows the calls left. */
export function pageSize(budget: Budget): number {
  return Math.max(1, Math.min(budget.batchSize, budget.maxCalls - budget.calls.used));
}

/** Counts a batch that found work; a page that finds nothing ends its loop without counting. */
export function spendBatch(budget: Budget): void {
  budget.batchesUsed += 1;
}

export async function readCursor<T>(db: Database, job: string, programId: string): Promise<T | null> {
  const [row] = await db
    .select({ cursor: jobCursors.cursor })
    .from(jobCursors)
    .where(and(eq(jobCursors.job, job), eq(jobCursors.programId, programId)));
  return row ? (JSON.parse(row.cursor) as T) : null;
}

/**
 * Saved only after everything before it was processed, so whichever of two
 * overlapping runs writes last, nothing before the cursor was skipped.
 */
export async function writeCursor(db: Database, job: string, programId: string, cursor: unknown, now: Date): Promise<void> {
  const value = { job, programId, cursor: JSON.stringify(cursor), updatedAt: now.toISOString() };
  await db
    .insert(jobCursors)
    .values(value)
    .onConflictDoUpdate({ target: [jobCursors.job, jobCursors.programId], set: { cursor: value.cursor, updatedAt: value.updatedAt } });
}

/** Counts rows of a capped subquery: `SELECT 1 FROM ... LIMIT cap`. */
export async function countCapped(db: Database, capped: ReturnType<typeof sql>): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (${capped})`);
  return Number(row?.n ?? 0);
}

export function memberCall(ctx: JobContext, memberId: string): LedgerCall {
  return { programId: ctx.programId, memberId, settings: ctx.settings, partnerId: null, idempotency: null, now: ctx.now.getTime(), job: true };
}

export function memberStub(ctx: JobContext, memberId: string): MemberLedger {
  return memberLedgerOf(ctx.env, ctx.programId, memberId);
}

/**
 * Runs `work` for each member, `concurrency` at a time, and returns the members
 * that failed. A failure is counted, not thrown: its work stays due, and the
 * caller keeps its cursor before it so a later run retries it.
 */
export async function forEachMember(
  ctx: JobContext,
  memberIds: readonly string[],
  work: (memberId: string) => Promise<number>,
): Promise<Set<string>> {
  const failed = new Set<string>();
  await inParallel(memberIds, ctx.budget.concurrency, async (memberId) => {
    try {
      // Awaited first: `done += await ...` would read `done` before the await and lose updates.
      const items = await work(memberId);
      ctx.tally.done += items;
    } catch (error) {
      failed.add(memberId);
      ctx.tally.errors += 1;
      ctx.tally.lastError = `${memberId}: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
  return failed;
}

/**
 * Has the member's object do a job's work and returns what it did; a refusal
 * is thrown, to be counted as that member's failure. The jobs read the
 * object's ledger replies here and nowhere else.
 */
export async function askMember<T>(
  ctx: JobContext,
  memberId: string,
  ask: (object: MemberLedger, call: LedgerCall) => Promise<LedgerReply<T>>,
): Promise<T> {
  ctx.budget.calls.used += 1;
  const reply = await ask(memberStub(ctx, memberId), memberCall(ctx, memberId));
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.detail}`);
  return reply.value;
}
