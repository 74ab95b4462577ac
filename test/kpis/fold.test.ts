// The fold of members' pending KPI figures: one pending row per change on the member's path, the rollups
// equal to what the direct writes gave whatever the chunking, and no row counted twice by folds that race.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { foldPendingKpis } from "../../src/kpis/fold";
import { emptyWrites, mergedKpiWrites, type KpiDayDelta, type KpiWrites } from "../../src/kpis/rollups";
import { runAt } from "../job-helpers";
import { accrue, call, createProgram, enroll, redeem, type TestProgram } from "../helpers";

const ROLLUP_TABLES = ["kpi_orders", "kpi_refunds", "kpi_days", "kpi_customers", "kpi_customer_periods", "kpi_period_counts", "kpi_cohorts", "kpi_rule_days", "kpi_earn_cohorts", "kpi_totals", "kpi_day_counts"];
const EUR = (amount: number) => ({ amount, currency: "EUR" });

const count = async (sql: string, programId: string) => (await env.DB.prepare(sql).bind(programId).first<{ n: number }>())!.n;
const pending = (programId: string) => count("SELECT count(*) AS n FROM kpi_pending WHERE program_id = ?", programId);

/** The program's rollup rows without what differs between two programs that saw the same changes. */
async function rollups(programId: string) {
  const tables: Record<string, unknown[]> = {};
  for (const table of ROLLUP_TABLES) {
    const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE program_id = ?`).bind(programId).all<Record<string, unknown>>();
    // Times and entry ids differ between programs fed alike; the figures may not.
    tables[table] = results.map(({ program_id: _, created_at: __, occurred_at: ___, refund_id: ____, ...rest }) => JSON.stringify(rest)).sort();
  }
  return tables;
}

/** The same members, orders, a refund and a redemption, for a program. */
async function sameHistory(p: TestProgram) {
  for (let i = 0; i < 6; i++) await enroll(p.server, `m-${i}`);
  for (let i = 0; i < 18; i++) expect((await accrue(p.server, `m-${i % 6}`, 1_000 + 10 * i, { orderId: `o-${i}`, channel: i % 2 ? "store" : "online" })).status).toBe(201);
  expect((await call("/v1/members/m-1/refunds", { key: p.server, body: { orderId: "o-1", amount: EUR(500) } })).status).toBe(201);
  expect((await redeem(p.server, "m-2", 5)).status).toBe(201);
}

describe("pending KPI figures", () => {
  let p: TestProgram;
  beforeAll(async () => {
    p = await createProgram();
  });

  it("leave the member's batch as one row, and the rollups untouched until folded", async () => {
    await enroll(p.server, "solo");
    const before = await pending(p.programId);
    expect((await accrue(p.server, "solo", 2_500, { orderId: "solo-1" })).status).toBe(201);
    expect(await pending(p.programId)).toBe(before + 1);
    expect(await count("SELECT count(*) AS n FROM kpi_orders WHERE program_id = ?", p.programId)).toBe(0);

    const run = await runAt(p.programId, "fold-kpis", Date.now());
    expect(run).toMatchObject({ status: "done", itemsDone: before + 1, itemsLeft: 0 });
    expect(await pending(p.programId)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM kpi_orders WHERE program_id = ?", p.programId)).toBe(1);
    expect(await runAt(p.programId, "fold-kpis", Date.now())).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
  });

  it("are folded by a KPI request before it reads, so its figures are exact", async () => {
    expect((await accrue(p.server, "solo", 1_500, { orderId: "solo-2" })).status).toBe(201);
    expect(await pending(p.programId)).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    const report = await call(`/v1/kpis?from=${today}&to=${today}&interval=day`, { key: p.admin });
    expect(report.status).toBe(200);
    expect(report.json.pendingChanges).toBe(0);
    expect(report.json.periods[0].orders.members).toBe(2);
    expect(report.json.periods[0].revenue.members).toBe(4_000);
    expect(await pending(p.programId)).toBe(0);
    const cohorts = await call(`/v1/kpis/cohorts?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`, { key: p.admin });
    expect(cohorts.status).toBe(200);
    expect(cohorts.json.pendingChanges).toBe(0);
  });
});

describe("a pending row the rollups refuse", () => {
  it("leaves the report answering from what is folded, saying how much is not, and the job's run failed", async () => {
    const t = await createProgram();
    const refused = { ...emptyWrites(), refunds: [{ customer: "m:x", issuer: "", orderId: "o", refundId: "r", amount: 0, day: "2026-12-01" }] };
    await env.DB.prepare("INSERT INTO kpi_pending (program_id, writes, created_at) VALUES (?, ?, ?)").bind(t.programId, JSON.stringify(refused), new Date().toISOString()).run();
    const today = new Date().toISOString().slice(0, 10);
    const report = await call(`/v1/kpis?from=${today}&to=${today}&interval=day`, { key: t.admin });
    expect(report.status).toBe(200);
    expect(report.json.pendingChanges).toBe(1);
    expect(await runAt(t.programId, "fold-kpis", Date.now())).toMatchObject({ status: "failed", lastError: expect.stringContaining("kpi_refunds_amount") });
    expect(await pending(t.programId)).toBe(1);
  });
});

describe("the fold", () => {
  const programs: TestProgram[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) programs.push(await createProgram({ timeZone: "Europe/Berlin" }));
    for (const p of programs) await sameHistory(p);
  });

  it("gives the same rollups in one chunk, a row at a time, and in folds racing each other", async () => {
    const [whole, single, racing] = programs as [TestProgram, TestProgram, TestProgram];
    const db = database(env.DB);
    const at = new Date().toISOString();
    const rows = await pending(whole.programId);
    expect(rows).toBeGreaterThan(20);

    expect(await foldPendingKpis(db, whole.programId, at)).toEqual({ folded: rows, more: false });
    const stepped = await foldPendingKpis(db, single.programId, at, { chunk: 1, maxChunks: 3 });
    expect(stepped).toEqual({ folded: 3, more: true });
    expect(await foldPendingKpis(db, single.programId, at, { chunk: 1 })).toEqual({ folded: rows - 3, more: false });
    const raced = await Promise.all([0, 1, 2, 3].map(() => foldPendingKpis(db, racing.programId, at, { chunk: 2 })));
    expect(raced.reduce((sum, r) => sum + r.folded, 0)).toBe(rows);

    const expected = await rollups(whole.programId);
    expect(expected.kpi_orders).toHaveLength(18);
    expect(await rollups(single.programId)).toEqual(expected);
    expect(await rollups(racing.programId)).toEqual(expected);
    for (const p of programs) expect(await pending(p.programId)).toBe(0);
  });
});

describe("mergedKpiWrites", () => {
  const day = (delta: Partial<KpiDayDelta>): KpiDayDelta => ({
    day: "2026-12-01",
    channel: "online",
    partnerId: "",
    isMember: true,
    enrollments: 0,
    pointsIssued: 0,
    pointsRedeemed: 0,
    pointsExpired: 0,
    pointsClawedBack: 0,
    tierMoves: 0,
    rewardPoints: 0,
    donationPoints: 0,
    donationAmount: 0,
    ...delta,
  });
  const writes = (w: Partial<KpiWrites>): KpiWrites => ({ ...emptyWrites(), ...w });

  it("adds every additive figure by its key and keeps each order, refund and enrolment", () => {
    const a = writes({
      days: [day({ pointsIssued: 10, rewardPoints: 5, donationPoints: 2, donationAmount: 300 })],
      dayCounts: [{ day: "2026-12-01", name: "activity:review", delta: 1 }],
      activeDays: [{ customer: "m:a", day: "2026-12-01" }],
      totals: [{ name: "lot_points", delta: 10 }],
      enrolments: [{ cohort: "2026-12" }],
    });
    const b = writes({
      days: [day({ pointsIssued: 4, rewardPoints: 1, donationAmount: 50 }), day({ channel: "store", pointsRedeemed: 3 })],
      dayCounts: [{ day: "2026-12-01", name: "activity:review", delta: 2 }],
      activeDays: [{ customer: "m:a", day: "2026-12-01" }],
      totals: [{ name: "lot_points", delta: -10 }],
      enrolments: [{ cohort: "2026-12" }],
    });
    const merged = mergedKpiWrites([a, b]);
    expect(merged.days).toEqual([day({ pointsIssued: 14, rewardPoints: 6, donationPoints: 2, donationAmount: 350 }), day({ channel: "store", pointsRedeemed: 3 })]);
    expect(merged.dayCounts).toEqual([{ day: "2026-12-01", name: "activity:review", delta: 3 }]);
    expect(merged.activeDays).toEqual([{ customer: "m:a", day: "2026-12-01" }]);
    expect(merged.totals).toEqual([]);
    expect(merged.enrolments).toHaveLength(2);
    expect(a.days[0]!.pointsIssued).toBe(10);
  });
});
