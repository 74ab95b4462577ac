// The jobs' one walker on real D1: where its cursor may go, how it resumes, where its budget stops it, and runs that repeat or overlap.
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { SCHEDULED_LIMITS, type RunLimits } from "../src/jobs/runner";
import { LEFT_COUNT_CAP, readCursor, type JobContext } from "../src/jobs/support";
import { walkMembers, type MemberWalk } from "../src/jobs/walk";
import { createProgram } from "./helpers";
import { programRef, rows, seedLots } from "./job-helpers";

const CURSOR = "test-walk";
const IDS = Array.from({ length: 10 }, (_, i) => `m${String(i).padStart(4, "0")}`);

/** A program with ten members, m0000 to m0009, and nothing else. */
async function tenMembers(): Promise<string> {
  const { programId } = await createProgram();
  await seedLots(programId, { members: IDS.length, lotsEach: 0, points: 0, earnedAt: "2026-01-01T00:00:00.000Z", expiresAt: null });
  return programId;
}

/** A run's context as the runner builds it, with its own budget. */
async function runContext(programId: string, limits: Partial<RunLimits & { deadline: number }> = {}): Promise<JobContext> {
  const { timeBudgetMs, deadline, ...rest } = { ...SCHEDULED_LIMITS, ...limits };
  return {
    db: database(env.DB),
    env,
    programId,
    settings: (await programRef(programId)).settings,
    now: new Date(),
    trigger: "cron",
    budget: { ...rest, deadline: deadline ?? Date.now() + timeBudgetMs, batchesUsed: 0, calls: { used: 0 } },
    tally: { done: 0, errors: 0, lastError: null },
  };
}

/** Visits that record who was called and fail for the members named, as a refusing object would. */
function visits(failing: readonly string[] = []) {
  const seen: string[] = [];
  return {
    seen,
    visit: async (memberId: string) => {
      seen.push(memberId);
      if (failing.includes(memberId)) throw new Error("refused");
      return 1;
    },
  };
}

/** The program's members by id, with a cursor kept between runs: a walk whose rows stay once handled. */
async function byMemberId(ctx: JobContext, visit: (memberId: string) => Promise<number>): Promise<MemberWalk<{ member_id: string }, string>> {
  const page = (after: string, limit: number) =>
    sql`SELECT member_id FROM members WHERE program_id = ${ctx.programId} AND member_id > ${after} ORDER BY member_id LIMIT ${limit}`;
  return {
    cursor: CURSOR,
    from: (await readCursor<string>(ctx.db, CURSOR, ctx.programId)) ?? "",
    page: (after, limit) => ctx.db.all<{ member_id: string }>(page(after, limit)),
    key: (row) => row.member_id,
    left: (at) => page(at, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    visit,
  };
}

/** Members without a tier, from the front each run; a visit gives the tier, so a handled row leaves the query. */
function untiered(ctx: JobContext, visit: (memberId: string) => Promise<number>): MemberWalk<{ member_id: string }, string> {
  const page = (after: string, limit: number) =>
    sql`SELECT member_id FROM members WHERE program_id = ${ctx.programId} AND tier IS NULL AND member_id > ${after} ORDER BY member_id LIMIT ${limit}`;
  return {
    from: "",
    page: (after, limit) => ctx.db.all<{ member_id: string }>(page(after, limit)),
    key: (row) => row.member_id,
    left: (at) => page(at, LEFT_COUNT_CAP),
    member: (row) => row.member_id,
    visit: async (memberId) => {
      const items = await visit(memberId);
      await env.DB.prepare("UPDATE members SET tier = 'walked' WHERE program_id = ? AND member_id = ?").bind(ctx.programId, memberId).run();
      return items;
    },
  };
}

describe("the jobs' walker, with a saved cursor", () => {
  it("never saves its cursor past a member whose call failed, and the next run starts at that member", async () => {
    const programId = await tenMembers();
    const ctx = await runContext(programId, { batchSize: 4 });
    const first = visits(["m0005"]);
    const stopped = await walkMembers(ctx, await byMemberId(ctx, first.visit));

    // The page m0004..m0007 was called at once; the walk stops after it, before m0008.
    expect([...first.seen].sort()).toEqual(IDS.slice(0, 8));
    expect(await readCursor(ctx.db, CURSOR, programId)).toBe("m0004");
    expect(stopped).toEqual({ at: "m0004", ended: false, left: 5 });
    expect(ctx.tally).toEqual({ done: 7, errors: 1, lastError: "m0005: refused" });

    const next = await runContext(programId, { batchSize: 4 });
    const second = visits();
    expect(await walkMembers(next, await byMemberId(next, second.visit))).toEqual({ at: "m0009", ended: true, left: 0 });
    expect(second.seen.sort()).toEqual(IDS.slice(5));
    expect(next.tally).toMatchObject({ done: 5, errors: 0 });
  });

  it("does not move its cursor when the first member of a page fails", async () => {
    const programId = await tenMembers();
    const ctx = await runContext(programId, { batchSize: 4 });
    expect(await walkMembers(ctx, await byMemberId(ctx, visits(["m0000"]).visit))).toEqual({ at: "", ended: false, left: 10 });
    expect(await readCursor(ctx.db, CURSOR, programId)).toBeNull();
  });

  it("resumes where its budget stopped it, and together the runs visit every member once", async () => {
    const programId = await tenMembers();
    const seen: string[][] = [];
    for (const expected of [{ left: 6, ended: false }, { left: 2, ended: false }, { left: 0, ended: true }]) {
      const ctx = await runContext(programId, { batchSize: 4, maxBatches: 1 });
      const run = visits();
      expect(await walkMembers(ctx, await byMemberId(ctx, run.visit))).toMatchObject(expected);
      seen.push(run.seen.sort());
    }
    expect(seen).toEqual([IDS.slice(0, 4), IDS.slice(4, 8), IDS.slice(8)]);
  });

  it("stops at its budget: no page past its batches, none once its deadline has passed", async () => {
    const programId = await tenMembers();
    const two = await runContext(programId, { batchSize: 3, maxBatches: 2 });
    const run = visits();
    expect(await walkMembers(two, await byMemberId(two, run.visit))).toEqual({ at: "m0005", ended: false, left: 4 });
    expect(run.seen).toHaveLength(6);
    expect(two.budget.batchesUsed).toBe(2);

    const late = await runContext(programId, { batchSize: 3, deadline: Date.now() - 1 });
    const none = visits();
    expect(await walkMembers(late, await byMemberId(late, none.visit))).toEqual({ at: "m0005", ended: false, left: 4 });
    expect(none.seen).toEqual([]);
    expect(await readCursor(late.db, CURSOR, programId)).toBe("m0005");
  });

  it("misses no one when two runs overlap, and a run after the end visits no one", async () => {
    const programId = await tenMembers();
    const runs = await Promise.all(
      [visits(), visits()].map(async (run) => {
        const ctx = await runContext(programId, { batchSize: 3 });
        return { run, walked: await walkMembers(ctx, await byMemberId(ctx, run.visit)) };
      }),
    );
    expect(new Set(runs.flatMap((r) => r.run.seen))).toEqual(new Set(IDS));
    expect(runs.map((r) => r.walked)).toEqual([
      { at: "m0009", ended: true, left: 0 },
      { at: "m0009", ended: true, left: 0 },
    ]);
    expect(await readCursor(database(env.DB), CURSOR, programId)).toBe("m0009");

    const again = await runContext(programId, { batchSize: 3 });
    const run = visits();
    expect(await walkMembers(again, await byMemberId(again, run.visit))).toEqual({ at: "m0009", ended: true, left: 0 });
    expect(run.seen).toEqual([]);
  });

  it("calls only the members whose rows are due, counts the rows it walked past if asked, and saves its end", async () => {
    const programId = await tenMembers();
    const ctx = await runContext(programId, { batchSize: 4 });
    const run = visits(["m0006"]);
    const walk = await byMemberId(ctx, run.visit);
    const pass = {
      ...walk,
      from: { after: walk.from, finished: false },
      page: (at: { after: string }, limit: number) => walk.page(at.after, limit),
      key: (row: { member_id: string }) => ({ after: row.member_id, finished: false }),
      left: (at: { after: string; finished: boolean }) => (at.finished ? null : walk.left(at.after)),
      end: (at: { after: string }) => ({ ...at, finished: true }),
      due: (row: { member_id: string }) => Number(row.member_id.slice(1)) % 2 === 0,
      counts: "rows" as const,
    };
    expect(await walkMembers(ctx, pass)).toEqual({ at: { after: "m0005", finished: false }, ended: false, left: 4 });
    expect(run.seen.sort()).toEqual(["m0000", "m0002", "m0004", "m0006"]);
    // m0000..m0005 were walked past: three needed no call.
    expect(ctx.tally).toMatchObject({ done: 6, errors: 1 });

    const next = await runContext(programId, { batchSize: 4 });
    const rest = visits();
    const resumed = { ...pass, from: (await readCursor<{ after: string; finished: boolean }>(next.db, CURSOR, programId))!, visit: rest.visit };
    expect(await walkMembers(next, resumed)).toEqual({ at: { after: "m0009", finished: true }, ended: true, left: 0 });
    expect(rest.seen.sort()).toEqual(["m0006", "m0008"]);
    expect(next.tally).toMatchObject({ done: 4, errors: 0 });
    expect(await readCursor(next.db, CURSOR, programId)).toEqual({ after: "m0009", finished: true });
  });
});

describe("the jobs' walker, without a cursor", () => {
  it("walks on past a failed member within the run, and the next run finds only what is left", async () => {
    const programId = await tenMembers();
    const ctx = await runContext(programId, { batchSize: 4 });
    const first = visits(["m0002"]);
    expect(await walkMembers(ctx, untiered(ctx, first.visit))).toEqual({ at: "", ended: true, left: 1 });
    expect(first.seen.sort()).toEqual(IDS);
    expect(ctx.tally).toMatchObject({ done: 9, errors: 1 });

    const next = await runContext(programId, { batchSize: 4 });
    const second = visits();
    expect(await walkMembers(next, untiered(next, second.visit))).toEqual({ at: "", ended: true, left: 0 });
    expect(second.seen).toEqual(["m0002"]);

    const again = await runContext(programId, { batchSize: 4 });
    const none = visits();
    await walkMembers(again, untiered(again, none.visit));
    expect(none.seen).toEqual([]);
    expect(await readCursor(again.db, CURSOR, programId)).toBeNull();
    expect(await rows("SELECT member_id FROM members WHERE program_id = ? AND tier IS NULL", programId)).toEqual([]);
  });

  it("misses no one when two runs overlap, each starting at the front", async () => {
    const programId = await tenMembers();
    const [a, b] = [visits(), visits()];
    const contexts = await Promise.all([runContext(programId, { batchSize: 3 }), runContext(programId, { batchSize: 3 })]);
    await Promise.all([walkMembers(contexts[0]!, untiered(contexts[0]!, a.visit)), walkMembers(contexts[1]!, untiered(contexts[1]!, b.visit))]);
    expect(new Set([...a.seen, ...b.seen])).toEqual(new Set(IDS));
    expect(await rows("SELECT member_id FROM members WHERE program_id = ? AND tier IS NULL", programId)).toEqual([]);
  });

  it("starts at the front when its budget stopped it, and counts what is left from there", async () => {
    const programId = await tenMembers();
    const ctx = await runContext(programId, { batchSize: 4, maxBatches: 1 });
    const first = visits();
    expect(await walkMembers(ctx, untiered(ctx, first.visit))).toEqual({ at: "", ended: false, left: 6 });
    const next = await runContext(programId, { batchSize: 4 });
    const second = visits();
    expect(await walkMembers(next, untiered(next, second.visit))).toEqual({ at: "", ended: true, left: 0 });
    expect([...first.seen, ...second.seen].sort()).toEqual(IDS);
  });
});
