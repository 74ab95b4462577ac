// The jobs as Cron runs them: repeated, overlapping, stopped and resumed; the scheduled handler; the jobs API.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";
import { entriesOf, ledgerSnapshot, rows, runAt, seedLots } from "./job-helpers";

const DAY = 86_400_000;
const EXPIRED = { earnedAt: "2025-01-01T00:00:00.000Z", expiresAt: "2025-06-01T00:00:00.000Z" };
const AFTER = "2025-06-02T00:00:00.000Z";

async function expiredTotals(programId: string) {
  return rows<{ member_id: string; lots: number; points: number }>(
    "SELECT member_id, COUNT(*) AS lots, SUM(points) AS points FROM entries WHERE program_id = ? AND type = 'expire' GROUP BY member_id ORDER BY member_id",
    programId,
  );
}

describe("the scheduled handler", () => {
  it("runs its cron's jobs for every program, by the trigger's time", async () => {
    const a = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    const b = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(a.programId, { members: 3, lotsEach: 2, points: 10, ...EXPIRED });
    await seedLots(b.programId, { members: 2, lotsEach: 1, points: 10, ...EXPIRED });

    const controller = createScheduledController({ cron: "*/10 * * * *", scheduledTime: Date.parse(AFTER) });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    expect((await expiredTotals(a.programId)).map((t) => t.lots)).toEqual([2, 2, 2]);
    expect((await expiredTotals(b.programId)).map((t) => t.lots)).toEqual([1, 1]);
    const runs = await rows<{ program_id: string; job: string; trigger: string; status: string; items_done: number }>(
      "SELECT program_id, job, trigger, status, items_done FROM job_runs WHERE program_id IN (?, ?) ORDER BY program_id, job",
      a.programId,
      b.programId,
    );
    expect(runs.filter((r) => r.job === "expire-points").map((r) => r.items_done)).toEqual([6, 2]);
    expect(new Set(runs.map((r) => r.job))).toEqual(new Set(["expire-points", "warn-expiring", "recalculate-tiers", "advance-referrals", "lapse-memberships"]));
    expect(runs.every((r) => r.trigger === "cron" && r.status === "done")).toBe(true);
    await expectLedgerConsistent(a.programId);
    await expectLedgerConsistent(b.programId);
  });

  it("runs housekeeping on its own trigger, and nothing for an unknown one", async () => {
    const p = await createProgram();
    const before = await rows("SELECT id FROM job_runs WHERE program_id = ?", p.programId);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "1 1 1 1 1", scheduledTime: Date.now() }), env, ctx);
    await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const after = await rows<{ job: string }>("SELECT job FROM job_runs WHERE program_id = ?", p.programId);
    expect(after.length - before.length).toBe(1);
    expect(after.at(-1)!.job).toBe("housekeeping");
  });
});

describe("expire-points as cron runs it", () => {
  it("changes nothing when run a second time", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(p.programId, { members: 12, lotsEach: 2, points: 10, ...EXPIRED });
    expect(await runAt(p.programId, "expire-points", AFTER)).toMatchObject({ status: "done", itemsDone: 24, itemsLeft: 0 });
    const before = await ledgerSnapshot(p.programId);
    expect(await runAt(p.programId, "expire-points", AFTER)).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
    expect(await ledgerSnapshot(p.programId)).toEqual(before);
    await expectLedgerConsistent(p.programId);
  });

  it("expires each lot once when two runs overlap", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(p.programId, { members: 20, lotsEach: 3, points: 10, ...EXPIRED });
    const runs = await Promise.all([
      runAt(p.programId, "expire-points", AFTER, { batchSize: 7 }),
      runAt(p.programId, "expire-points", AFTER, { batchSize: 7 }),
    ]);
    expect(runs[0]!.itemsDone + runs[1]!.itemsDone).toBe(60);
    const perLot = await rows<{ lot_id: string; n: number }>(
      "SELECT lot_id, COUNT(*) AS n FROM entries WHERE program_id = ? AND type = 'expire' GROUP BY lot_id",
      p.programId,
    );
    expect(perLot).toHaveLength(60);
    expect(perLot.every((l) => l.n === 1)).toBe(true);
    await expectLedgerConsistent(p.programId);
  });

  it("stops at its budget and the next run carries on: the totals equal one clean run", async () => {
    const stopped = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    const clean = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    for (const p of [stopped, clean]) await seedLots(p.programId, { members: 25, lotsEach: 2, points: 10, ...EXPIRED });

    const first = await runAt(stopped.programId, "expire-points", AFTER, { batchSize: 10, maxBatches: 1 });
    expect(first.status).toBe("partial");
    expect(first.itemsLeft).toBe(50 - first.itemsDone);
    expect(first.itemsDone).toBeGreaterThan(0);
    const second = await runAt(stopped.programId, "expire-points", AFTER, { batchSize: 10 });
    expect(second).toMatchObject({ status: "done", itemsLeft: 0 });
    const whole = await runAt(clean.programId, "expire-points", AFTER, { batchSize: 10 });

    expect(first.itemsDone + second.itemsDone).toBe(whole.itemsDone);
    expect(await expiredTotals(stopped.programId)).toEqual(await expiredTotals(clean.programId));
    await expectLedgerConsistent(stopped.programId);
  });

  it("makes no more object calls than its budget allows (each is a subrequest); the next run carries on", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(p.programId, { members: 12, lotsEach: 1, points: 10, ...EXPIRED });
    // A tier the program no longer has is placed by the member's object first, so the job calls each object
    // (src/jobs/around.ts leaves such members to them). One lot per member: each lot expired is one call.
    await env.DB.prepare("UPDATE members SET tier = 'retired', version = version + 1 WHERE program_id = ?").bind(p.programId).run();
    expect(await runAt(p.programId, "expire-points", AFTER, { maxCalls: 5 })).toMatchObject({ status: "partial", itemsDone: 5, itemsLeft: 7 });
    expect(await runAt(p.programId, "expire-points", AFTER, { maxCalls: 5 })).toMatchObject({ status: "partial", itemsDone: 5, itemsLeft: 2 });
    expect(await runAt(p.programId, "expire-points", AFTER, { maxCalls: 5 })).toMatchObject({ status: "done", itemsDone: 2, itemsLeft: 0 });
    expect((await expiredTotals(p.programId)).map((t) => t.lots)).toEqual(Array(12).fill(1));
    await expectLedgerConsistent(p.programId);
  });

  it("resumes the inactivity walk from its saved cursor, missing no one", async () => {
    const stopped = await createProgram({ expiry: { policy: "inactivity", days: 30 } });
    const clean = await createProgram({ expiry: { policy: "inactivity", days: 30 } });
    for (const p of [stopped, clean]) await seedLots(p.programId, { members: 25, lotsEach: 1, points: 10, earnedAt: EXPIRED.earnedAt, expiresAt: null });

    const first = await runAt(stopped.programId, "expire-points", AFTER, { batchSize: 10, maxBatches: 1 });
    expect(first).toMatchObject({ status: "partial", itemsDone: 10, itemsLeft: 15 });
    const second = await runAt(stopped.programId, "expire-points", AFTER, { batchSize: 10 });
    expect(second).toMatchObject({ status: "done", itemsDone: 15, itemsLeft: 0 });
    await runAt(clean.programId, "expire-points", AFTER);
    expect(await expiredTotals(stopped.programId)).toEqual(await expiredTotals(clean.programId));
    await expectLedgerConsistent(stopped.programId);
  });

  it("expires a member with more lots than one batch takes, in several batches", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(p.programId, { members: 1, lotsEach: 250, points: 1, ...EXPIRED });
    expect(await runAt(p.programId, "expire-points", AFTER)).toMatchObject({ status: "done", itemsDone: 250, itemsLeft: 0 });
    const [member] = await rows<{ version: number }>("SELECT version FROM members WHERE program_id = ?", p.programId);
    expect(member!.version).toBe(1 + 3);
    expect(await expiredTotals(p.programId)).toEqual([{ member_id: "m0000", lots: 250, points: -250 }]);
    await expectLedgerConsistent(p.programId);
  });

  it("keeps the member's object up to date: a balance read before the run sees the expiry after it", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    const soon = await accrue(p.server, "ada", 10_000, { occurredAt: new Date(Date.now() - 365 * DAY + 3_600_000).toISOString() });
    await accrue(p.server, "ada", 5_000);
    expect((await balance(p.server, "ada")).available).toBe(150);
    await runAt(p.programId, "expire-points", soon.json.lot.expiresAt);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 50, nextExpiries: [expect.objectContaining({ points: 50 })] });
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("recalculate-tiers as cron runs it", () => {
  it("resumes a pass stopped at its budget and reviews every member once", async () => {
    const settings = { tiers: [{ name: "silver", threshold: 10 }], tierQualification: { window: { type: "rolling" as const, days: 30 } } };
    const stopped = await createProgram(settings);
    const clean = await createProgram(settings);
    for (const p of [stopped, clean]) {
      const memberIds = await seedLots(p.programId, { members: 25, lotsEach: 1, points: 10, earnedAt: EXPIRED.earnedAt, expiresAt: null });
      await env.DB.prepare("UPDATE members SET tier = 'silver', version = version + 1 WHERE program_id = ?").bind(p.programId).run();
      expect(memberIds).toHaveLength(25);
    }
    const first = await runAt(stopped.programId, "recalculate-tiers", AFTER, { batchSize: 10, maxBatches: 1 });
    expect(first).toMatchObject({ status: "partial", itemsDone: 10, itemsLeft: 15 });
    const second = await runAt(stopped.programId, "recalculate-tiers", AFTER, { batchSize: 10 });
    expect(second).toMatchObject({ status: "done", itemsDone: 15, itemsLeft: 0 });
    await runAt(clean.programId, "recalculate-tiers", AFTER);

    const tiers = (programId: string) => rows("SELECT member_id, tier, qualifying_points FROM members WHERE program_id = ? ORDER BY member_id", programId);
    expect(await tiers(stopped.programId)).toEqual(await tiers(clean.programId));
    expect((await entriesOf(stopped.programId, "tier")).map((e) => e.details.reason)).toEqual(Array(25).fill("downgrade"));
    await expectLedgerConsistent(stopped.programId);
  });
});

describe("housekeeping", () => {
  it("deletes idempotency records past their retention and lapses holds the alarm missed", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const hold = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 30, mode: "hold", ttlSeconds: 60 } });
    const keys = async () => (await rows("SELECT key FROM idempotency_keys WHERE program_id = ?", p.programId)).length;
    expect(await keys()).toBe(2);

    const early = await runAt(p.programId, "housekeeping", Date.now() + 3_600_000);
    expect(early.itemsDone).toBe(1);
    const [held] = await rows<{ status: string }>("SELECT status FROM redemptions WHERE id = ?", hold.json.id);
    expect(held!.status).toBe("lapsed");
    expect(await keys()).toBe(2);

    const late = await runAt(p.programId, "housekeeping", Date.now() + 49 * 3_600_000);
    expect(late).toMatchObject({ status: "done", itemsDone: 2, itemsLeft: 0 });
    expect(await keys()).toBe(0);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("the jobs API", () => {
  it("runs a job now for the key's program only, and lists that program's runs", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    const other = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await seedLots(p.programId, { members: 2, lotsEach: 1, points: 10, ...EXPIRED });
    await seedLots(other.programId, { members: 2, lotsEach: 1, points: 10, ...EXPIRED });

    const run = await call("/v1/jobs/expire-points/run", { key: p.admin, method: "POST" });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ job: "expire-points", trigger: "manual", status: "done", itemsDone: 2, itemsLeft: 0, errors: 0 });
    expect(run.json.finishedAt).toEqual(expect.any(String));
    expect(await expiredTotals(other.programId)).toEqual([]);

    const listed = await call("/v1/jobs", { key: p.admin });
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((j: any) => j.job)).toEqual(["expire-points", "warn-expiring", "recalculate-tiers", "housekeeping", "sweep-outbox", "fold-kpis", "expire-coupons", "reconcile-reward-stock", "advance-referrals", "lapse-memberships", "birthday-bonus", "erase-inactive"]);
    const expiry = listed.json.data[0];
    expect(expiry.schedules).toEqual(["*/10 * * * *"]);
    expect(expiry.runs).toEqual([run.json]);
    expect((await call("/v1/jobs", { key: other.admin })).json.data[0].runs).toEqual([]);
  });

  it("is for admin keys, and knows its jobs", async () => {
    const p = await createProgram();
    expect((await call("/v1/jobs", { key: p.server })).status).toBe(403);
    expect((await call("/v1/jobs/expire-points/run", { key: p.server, method: "POST" })).status).toBe(403);
    expect((await call("/v1/jobs/expire-points/run", { method: "POST" })).status).toBe(401);
    const unknown = await call("/v1/jobs/make-coffee/run", { key: p.admin, method: "POST" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.code).toBe("validation_failed");
  });
});
