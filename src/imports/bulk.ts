// Members an import creates: built by the same plan as the member's object builds, written for a whole chunk
// in one D1 batch rather than one object call each. Only for members D1 does not hold: their objects have
// nothing to serialize against, and when one first runs it loads the member from D1 like any other.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { database, type Database } from "../db/client";
import { entries, importLines, lots, members, outboxEvents } from "../db/schema";
import { kpiWritesOfPlan, mergedKpiWrites } from "../kpis/rollups";
import { kpiStatements } from "../kpis/store";
import { balanceOf } from "../ledger/balance";
import { DomainError } from "../ledger/errors";
import { assertPlanInRange } from "../ledger/limits";
import { importMember, type ImportLine, type ImportMemberResult } from "../ledger/ops/import";
import type { OpContext } from "../ledger/plan";
import type { ProgramSettings } from "../ledger/settings";
import type { MemberState, Plan } from "../ledger/state";
import { newId } from "../lib/ids";
import { classifyCommitError, entryRow, newLotRow, newMemberRow, outboxRow } from "../members/store";
import { applySegmentChanges, memberStatsStatements } from "../segments/batch";
import { NO_STATS } from "../segments/stats";
import { programSegments } from "../segments/store";
import { fromPlan, type WebhookEvent } from "../webhooks/events";
import { publishCommitted } from "../webhooks/outbox";
import { piecesFor } from "../db/pieces";
import { toD1 } from "../db/statements";
import { failLinesStatement } from "./store";

const NEVER_HELD: MemberState = { member: null, lots: [], holds: [] };

export interface NewMembersInput {
  programId: string;
  importId: string;
  settings: ProgramSettings;
  /** The program's latest closed settlement period: entries are stamped with the next open one, as the object does. */
  closedThrough: string | null;
  /** The chunk's members that D1 did not hold when the chunk was read, with their pending lines. */
  lines: ReadonlyMap<string, ImportLine[]>;
}

export interface NewMembersOutcome {
  /**
   * `written`: every member below landed in one batch (or was refused); `conflict`: the batch failed whole on a
   * constraint (most likely one of these members was enrolled meanwhile) and nothing landed: the caller posts them
   * through their objects, which see what D1 holds now.
   */
  outcome: "written" | "conflict";
  /** Members refused by the ledger's rules (an unknown tier): their lines fail as the object would fail them. */
  refused: D1PreparedStatement[];
  /** Members left to their objects: their plan could not be built here as the object would build it. */
  viaObjects: string[];
  created: number;
}

/**
 * Creates the members of `input.lines` in ONE D1 batch: member rows, opening lots and their entries, tiers,
 * segment stats, KPI rollups, and the lines marked done. Plain inserts: a member enrolled by the API after the
 * chunk was read makes the batch fail on the members key, so nothing is written twice or half.
 */
export async function createNewMembers(env: Env, input: NewMembersInput, now = new Date()): Promise<NewMembersOutcome> {
  const db = database(env.DB);
  const ctx: OpContext = { settings: input.settings, now, newId, partnerId: null, closedThrough: input.closedThrough };
  const segments = await programSegments(db, input.programId, now.getTime());
  const plans: Plan<ImportMemberResult>[] = [];
  const refused: D1PreparedStatement[] = [];
  const viaObjects: string[] = [];
  for (const [memberId, lines] of input.lines) {
    try {
      const plan = importMember(NEVER_HELD, memberId, input.importId, lines, new Set(), ctx);
      if (!plan) continue;
      assertPlanInRange(plan);
      const availablePoints = balanceOf(plan.nextState, input.settings, now).available;
      applySegmentChanges(plan, { previous: NO_STATS, wasIn: [], segments, availablePoints, activePlans: [] }, ctx);
      plans.push(plan);
    } catch (error) {
      if (error instanceof DomainError) {
        const { code, detail } = error.toFailure();
        refused.push(failLinesStatement(env.DB, input.importId, memberId, { code, message: detail }));
      } else {
        // Anything else (numbers past safe integers) is answered by the object, exactly as it answers it.
        viaObjects.push(memberId);
      }
    }
  }
  if (plans.length === 0) return { outcome: "written", refused, viaObjects, created: 0 };
  const at = now.toISOString();
  const statements = chunkStatements(db, env, input, plans, at);
  try {
    await db.$client.batch(statements);
  } catch (error) {
    // A constraint refused the whole batch: nothing landed. Anything else (D1 unavailable, an unknown
    // outcome) goes back to the queue: a redelivery reads only the lines still pending.
    if (classifyCommitError(error) === "unknown") throw error;
    return { outcome: "conflict", refused: [], viaObjects: [], created: 0 };
  }
  const events: WebhookEvent[] = plans.flatMap((plan) => fromPlan(input.programId, plan.member.memberId, plan.events, at));
  await publishCommitted(env, events);
  return { outcome: "written", refused, viaObjects, created: plans.length };
}

function chunkStatements(db: Database, env: Env, input: NewMembersInput, plans: Plan<ImportMemberResult>[], at: string): D1PreparedStatement[] {
  const { programId, importId } = input;
  const statements: BatchItem<"sqlite">[] = [];
  const memberRows = plans.map((plan) => newMemberRow(programId, plan.member));
  const lotRows = plans.flatMap((plan) => plan.newLots.map((lot) => newLotRow(programId, plan.member.memberId, lot, at)));
  const entryRows = plans.flatMap((plan) => plan.entries.map((e) => entryRow(programId, plan.member.memberId, e)));
  const eventRows = plans.flatMap((plan) => plan.events.map((ev) => outboxRow(programId, plan.member.memberId, ev, at)));
  // Members first: a member enrolled meanwhile fails the batch on its key before anything else is built on it.
  for (const rows of piecesFor(members, memberRows)) statements.push(db.insert(members).values(rows));
  for (const rows of piecesFor(lots, lotRows)) statements.push(db.insert(lots).values(rows));
  for (const rows of piecesFor(entries, entryRows)) statements.push(db.insert(entries).values(rows));
  for (const rows of piecesFor(outboxEvents, eventRows)) statements.push(db.insert(outboxEvents).values(rows));
  if (env.KPI_ROLLUPS !== "off") statements.push(...kpiStatements(db, programId, mergedKpiWrites(plans.map((plan) => kpiWritesOfPlan(plan, input.settings.timeZone))), at));
  const stats = plans.flatMap((plan) => (plan.memberStats ? memberStatsStatements(db.$client, programId, plan.member.memberId, plan.memberStats, at) : []));
  // The lines done in the batch that applies them; the trigger of migrations/0017 refuses a line done twice.
  const lines = plans.flatMap((plan) => plan.importLines?.lines ?? []);
  const chunkLines = sql`(SELECT value FROM json_each(${JSON.stringify(lines)}))`;
  statements.push(
    db
      .update(importLines)
      .set({ status: "done", error: null })
      .where(and(eq(importLines.programId, programId), eq(importLines.importId, importId), inArray(importLines.line, chunkLines))),
  );
  // The stats rows go last: nothing else in the batch reads them.
  return [...statements.map((statement) => toD1(db.$client, statement)), ...stats];
}


