// Runs a job for one program and records the run; a cron invocation walks the programs in turn.
import { eq } from "drizzle-orm";
import { auditInsert, type AuditRow } from "../audit/audit";
import { database, type Database } from "../db/client";
import { jobRuns, programs } from "../db/schema";
import { ProgramSettingsSchema, type ProgramSettings } from "../ledger/settings";
import { ulid } from "../lib/ids";
import { expirePoints } from "./expire-points";
import { birthdayBonus } from "./birthday-bonus";
import { housekeeping } from "./housekeeping";
import { recalculateTiers } from "./recalculate-tiers";
import { readCursor, writeCursor, type Job, type JobContext } from "./support";
import { sweepOutbox } from "./sweep-outbox";
import { warnExpiring } from "./warn-expiring";
import { expireCoupons, reconcileRewardStock } from "./expire-coupons";
import { advanceReferrals } from "./advance-referrals";
import { lapseMemberships } from "./lapse-memberships";
import { eraseInactive } from "./erase-inactive";
import { foldKpis } from "./fold-kpis";

export const JOBS = {
  "expire-points": { run: expirePoints, description: "Expire points whose date passed, and all points of members idle too long." },
  "warn-expiring": { run: warnExpiring, description: "Send one points.expiring event per member and expiry date, ahead of time." },
  "recalculate-tiers": { run: recalculateTiers, description: "Daily review of tiers: qualifying window, grace, downgrades, granted tiers ending." },
  housekeeping: { run: housekeeping, description: "Lapse holds whose alarm was missed; delete old idempotency records, warnings and runs." },
  "sweep-outbox": { run: sweepOutbox, description: "Queue webhook events that were committed but not sent (a crash between commit and send, or no endpoint listened then); mark sent those no endpoint receives." },
  "fold-kpis": { run: foldKpis, description: "Fold the members' pending KPI figures into the rollups (a KPI request also folds what is pending before it reads)." },
  "expire-coupons": { run: expireCoupons, description: "Expire unused coupons past their validity; return their points when the reward says so." },
  "reconcile-reward-stock": { run: reconcileRewardStock, description: "Settle reward stock reservations that lapsed unconfirmed: confirmed if their claim committed, else released." },
  "advance-referrals": { run: advanceReferrals, description: "Reward referrals whose referee's order came; complete or cancel them once the order's window is over." },
  "lapse-memberships": { run: lapseMemberships, description: "Lapse memberships not renewed past their paidUntil (membership.lapsed)." },
  "birthday-bonus": { run: birthdayBonus, description: "Give the birthday rules' bonus once per member and year, on the member's day in the program's time zone." },
  "erase-inactive": { run: eraseInactive, description: "Erase members inactive for the program's privacy.retentionYears (as DELETE /v1/members/{memberId} does)." },
} satisfies Record<string, { run: Job; description: string }>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** Which jobs each Cron Trigger runs: the same expressions as [triggers] in wrangler.toml. */
export const CRON_JOBS: Record<string, JobName[]> = {
  "*/10 * * * *": ["expire-points", "warn-expiring", "recalculate-tiers", "advance-referrals", "lapse-memberships"],
  "17 * * * *": ["housekeeping"],
  "*/5 * * * *": ["sweep-outbox", "fold-kpis"],
  "*/15 * * * *": ["expire-coupons", "reconcile-reward-stock"],
  // Hourly: each program's local day is reached within the hour after its midnight.
  "47 * * * *": ["birthday-bonus", "erase-inactive"],
};

export interface RunLimits {
  /** Rows per page, and so members per round of object calls. */
  batchSize: number;
  /** Member objects called at once. */
  concurrency: number;
  maxBatches: number;
  /**
   * Member object calls per run, or per cron invocation for the runs it makes:
   * each call is a subrequest, and Workers Paid allows an invocation 1,000.
   */
  maxCalls: number;
  timeBudgetMs: number;
}

/**
 * A cron invocation may run for minutes of wall time; this stays well inside, and CPU is mostly spent elsewhere (D1, objects).
 * A page of 1,000 rows keeps the objects busy: a page's members are called `concurrency` at a time and the next page waits
 * for its last one, so a page of due lots must hold many members (200 lots of 10 each left 16 calls in flight, then 4).
 */
export const SCHEDULED_LIMITS: RunLimits = { batchSize: 1_000, concurrency: 16, maxBatches: Number.POSITIVE_INFINITY, maxCalls: 800, timeBudgetMs: 60_000 };
/** An operator's run answers an HTTP request, so it gets less. */
export const MANUAL_LIMITS: RunLimits = { ...SCHEDULED_LIMITS, timeBudgetMs: 10_000 };
/** No job in a cron invocation gets less time than this, however many programs wait. */
const MIN_SLICE_MS = 1_000;
/** Object calls a cron invocation keeps for each run still to come, so a backlog of one job never starves the others. */
const RESERVED_CALLS = 50;

export interface ProgramRef {
  id: string;
  settings: ProgramSettings;
}

export type JobRun = Omit<typeof jobRuns.$inferSelect, "programId">;

export interface RunOptions {
  /** The run's clock in milliseconds (the cron's scheduledTime, or an injected time in tests). */
  now: number;
  trigger: "cron" | "manual";
  limits?: Partial<RunLimits>;
  /** Object calls already made by the invocation this run belongs to (counted on). */
  calls?: { used: number };
  /** An operator's request to run (POST /v1/jobs/{job}/run): audited in the batch that starts the run. */
  audit?: AuditRow;
}

/**
 * Runs one job for one program within its limits and records the run:
 * a `running` row first (so a run that dies is visible), its totals after.
 */
export async function runJob(env: Env, job: JobName, program: ProgramRef, options: RunOptions): Promise<JobRun> {
  const db = database(env.DB);
  const limits = { ...(options.trigger === "cron" ? SCHEDULED_LIMITS : MANUAL_LIMITS), ...options.limits };
  const run: JobRun = {
    id: `run_${ulid()}`,
    job,
    trigger: options.trigger,
    status: "running",
    startedAt: new Date().toISOString(),
    finishedAt: null,
    itemsDone: 0,
    itemsLeft: 0,
    errors: 0,
    lastError: null,
  };
  // An operator's run is audited with the run's start, in its batch; the run's outcome is the job_runs row it names.
  const start = db.insert(jobRuns).values({ ...run, programId: program.id });
  if (options.audit) await db.batch([start, auditInsert(db, { ...options.audit, after: JSON.stringify({ job, runId: run.id, trigger: options.trigger }) })]);
  else await start;
  const ctx: JobContext = {
    db,
    env,
    programId: program.id,
    settings: program.settings,
    now: new Date(options.now),
    trigger: options.trigger,
    budget: { ...limits, deadline: Date.now() + limits.timeBudgetMs, batchesUsed: 0, calls: options.calls ?? { used: 0 } },
    tally: { done: 0, errors: 0, lastError: null },
  };
  try {
    const { left } = await JOBS[job].run(ctx);
    Object.assign(run, { status: left > 0 ? "partial" : "done", itemsLeft: left });
  } catch (error) {
    Object.assign(run, { status: "failed", lastError: error instanceof Error ? error.message : String(error) });
    console.log(JSON.stringify({ level: "error", job, programId: program.id, error: run.lastError }));
  }
  Object.assign(run, {
    finishedAt: new Date().toISOString(),
    itemsDone: ctx.tally.done,
    errors: ctx.tally.errors + (run.status === "failed" ? 1 : 0),
    lastError: run.lastError ?? ctx.tally.lastError,
  });
  const { id, ...totals } = run;
  await db.update(jobRuns).set(totals).where(eq(jobRuns.id, id));
  return run;
}

async function loadPrograms(db: Database): Promise<ProgramRef[]> {
  const rows = await db.select({ id: programs.id, settings: programs.settings }).from(programs).orderBy(programs.id);
  const refs: ProgramRef[] = [];
  for (const row of rows) {
    const parsed = ProgramSettingsSchema.safeParse(JSON.parse(row.settings));
    if (parsed.success) refs.push({ id: row.id, settings: parsed.data });
    else console.log(JSON.stringify({ level: "error", programId: row.id, error: "settings do not parse; jobs skip this program" }));
  }
  return refs;
}

/**
 * One Cron Trigger: runs its jobs for every program in turn, starting after
 * the program the previous invocation ended with, so a program with a huge
 * backlog gets its share of time and then yields to the next. Each job's
 * own cursors carry its work over to the next invocation.
 */
export async function runCron(env: Env, cron: string, scheduledTime: number, limits: Partial<RunLimits> = {}): Promise<JobRun[]> {
  const jobs = CRON_JOBS[cron];
  if (!jobs) {
    console.log(JSON.stringify({ level: "error", cron, error: "no jobs for this cron expression" }));
    return [];
  }
  const db = database(env.DB);
  const budget = { ...SCHEDULED_LIMITS, ...limits };
  const deadline = Date.now() + budget.timeBudgetMs;
  const rotation = `cron:${cron}`;
  const all = await loadPrograms(db);
  const lastVisited = (await readCursor<string>(db, rotation, "")) ?? "";
  const order = [...all.filter((p) => p.id > lastVisited), ...all.filter((p) => p.id <= lastVisited)];
  const runs: JobRun[] = [];
  // The invocation's subrequests are one budget: every run's object calls count against it.
  const calls = { used: 0 };
  for (const [index, program] of order.entries()) {
    for (const [jobIndex, job] of jobs.entries()) {
      const slicesLeft = (order.length - index) * jobs.length - jobIndex;
      const timeBudgetMs = Math.max(MIN_SLICE_MS, (deadline - Date.now()) / slicesLeft);
      // A run may use the calls left but those kept for the runs after it, and never less than its fair share;
      // what it leaves, the next may use.
      const callsLeft = Math.max(0, budget.maxCalls - calls.used);
      const maxCalls = calls.used + Math.max(Math.floor(callsLeft / slicesLeft), callsLeft - RESERVED_CALLS * (slicesLeft - 1));
      runs.push(await runJob(env, job, program, { now: scheduledTime, trigger: "cron", limits: { ...budget, timeBudgetMs, maxCalls }, calls }));
    }
    await writeCursor(db, rotation, "", program.id, new Date(scheduledTime));
    if (Date.now() >= deadline || calls.used >= budget.maxCalls) break;
  }
  return runs;
}
