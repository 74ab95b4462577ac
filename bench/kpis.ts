// `npm run bench:kpis`: a year of KPIs over a large program (1,000,000 orders, 100,000 members) against a small one
// (10,000 orders, 1,000 members) in the same run. The rollups are seeded in bulk SQL (as the jobs bench seeds lots),
// the raw order rows too, so the large program's tables really hold a million orders; the report must not read them.
import { writeFileSync } from "node:fs";
import { createProgram, inParallel, storefront } from "./api";
import { send, localPool } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";
import type { D1Like } from "./history";

const SIZES = [
  { name: "small", orders: Number(process.env.BENCH_KPI_SMALL_ORDERS ?? 10_000), members: 1_000 },
  { name: "large", orders: Number(process.env.BENCH_KPI_LARGE_ORDERS ?? 1_000_000), members: 100_000 },
];
const REQUESTS = Number(process.env.BENCH_KPI_REQUESTS ?? 20);
const YEAR_START = "2025-01-01";
const DAYS = 365;
const output = process.env.BENCH_OUTPUT ?? "bench/kpis.json";
const ACCRUALS = Number(process.env.BENCH_KPI_ACCRUALS ?? 2_000);
const ACCRUAL_MEMBERS = 200;
/** With-and-without pairs of the accrual runs; more pairs for a noisy machine. */
const PAIRS = Number(process.env.BENCH_KPI_PAIRS ?? 2);

const seq = (n: number) => `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${n})`;
const dayOf = (i: string) => `date('${YEAR_START}', '+' || (${i}) || ' days')`;

async function exec(db: D1Like, sql: string) {
  await db.prepare(sql).bind().all();
}

/** Rows as the triggers would leave them for `orders` orders spread evenly over a year, half of them members'. */
async function seed(db: D1Like, programId: string, orders: number, members: number) {
  const customers = members * 2;
  const p = `'${programId}'`;
  // Raw orders: what a scan would have to read.
  await exec(db, `${seq(orders)} INSERT INTO kpi_orders (program_id, issuer, order_id, customer, is_member, channel, partner_id, amount, currency, day, cohort, occurred_at, created_at)
    SELECT ${p}, '', 'o' || i, (CASE WHEN i % 2 = 0 THEN 'm:' ELSE 'g:' END) || (i % ${customers}), 1 - i % 2, CASE i % 3 WHEN 0 THEN 'online' WHEN 1 THEN 'store' ELSE 'app' END, '',
      1000 + i % 5000, 'EUR', ${dayOf(`i % ${DAYS}`)}, '', ${dayOf(`i % ${DAYS}`)} || 'T12:00:00Z', '2025-01-01T00:00:00Z' FROM seq`);
  // Customer presence per month: the table that grows with customers x periods.
  await exec(db, `${seq(Math.min(orders, customers * 12))} INSERT OR IGNORE INTO kpi_customer_periods (program_id, kind, grain, period, customer, is_member, prev_period, next_period, cohort, orders)
    SELECT ${p}, 'buy', 'month', strftime('%Y-%m', ${dayOf(`(i / ${customers}) * 30`)}), 'c' || (i % ${customers}), i % 2, '', '', '', 1 FROM seq`);
  // Rollups: a row per day, channel and member flag; per period counts; per cohort month.
  const perDay = Math.floor(orders / DAYS / 6);
  await exec(db, `${seq(DAYS * 6)} INSERT INTO kpi_days (program_id, day, channel, partner_id, is_member, orders, revenue, refunds, refunded_amount, new_customers, enrollments, points_issued, points_redeemed, points_expired, points_clawed_back, tier_moves)
    SELECT ${p}, ${dayOf("i / 6")}, CASE i % 3 WHEN 0 THEN 'online' WHEN 1 THEN 'store' ELSE 'app' END, '', (i / 3) % 2, ${perDay}, ${perDay * 3000}, 1, 500, 1, (i / 3) % 2, ${perDay * 30}, ${perDay * 10}, ${perDay}, 1, 0 FROM seq`);
  const periods: [string, number, (j: string) => string][] = [
    ["day", DAYS, (j) => dayOf(j)],
    // Weeks are keyed by their Monday; 2024-12-30 is the Monday of the year's first week.
    ["week", 53, (j) => `date('2024-12-30', '+' || ((${j}) * 7) || ' days')`],
    ["month", 12, (j) => `strftime('%Y-%m', date('${YEAR_START}', '+' || (${j}) || ' months'))`],
  ];
  for (const [grain, count, period] of periods) {
    for (const kind of ["buy", "active"]) {
      await exec(db, `${seq(count * 2)} INSERT OR IGNORE INTO kpi_period_counts (program_id, kind, grain, period, is_member, customers, retained, repeaters)
        SELECT ${p}, '${kind}', '${grain}', ${period("i / 2")}, i % 2, ${members}, ${Math.floor(members / 2)}, ${Math.floor(members / 4)} FROM seq`);
    }
  }
  await exec(db, `${seq(12 * 12)} INSERT OR IGNORE INTO kpi_cohorts (program_id, cohort, month, enrolled, active, orders, revenue)
    SELECT ${p}, strftime('%Y-%m', date('${YEAR_START}', '+' || (i / 12) || ' months')), strftime('%Y-%m', date('${YEAR_START}', '+' || (i / 12 + i % 12) || ' months')), ${Math.floor(members / 12)}, ${Math.floor(members / 24)}, ${Math.floor(orders / 300)}, ${Math.floor(orders / 300) * 3000} FROM seq`);
}

/**
 * Server CPU per accrual with the rollups and without (KPI_ROLLUPS=off), alternating (BENCH_KPI_PAIRS times) so drift on the
 * machine hits both alike. With them, the member's batch carries one pending row; the fold that adds the
 * pending rows into the rollups runs after the accruals (as the fold-kpis job does), measured on its own.
 */
async function accrualCpu(prepared: Awaited<ReturnType<typeof prepare>>) {
  const runs: { rollups: boolean; cpuMsPerAccrual: number | null; foldCpuMsPerAccrual?: number | null }[] = [];
  const perAccrual = (before: number | null, after: number | null) => (before !== null && after !== null ? Math.round(((after - before) / ACCRUALS) * 1000) / 1000 : null);
  for (const rollups of Array.from({ length: PAIRS * 2 }, (_, i) => i % 2 === 0)) {
    const worker = await startMiniflare(prepared, { bindings: rollups ? {} : { KPI_ROLLUPS: "off" } });
    const pool = localPool(worker.url, 8);
    try {
      const { programId, key } = await createProgram(pool, prepared.adminToken);
      const shop = storefront(pool, key);
      const adminKey = await send<{ key: string }>(pool, { method: "POST", path: `/v1/programs/${programId}/keys`, headers: { authorization: `Bearer ${prepared.adminToken}` }, body: { role: "admin", name: "bench" }, expect: 201 });
      const fold = async () => {
        for (let left = 1; left > 0; ) {
          left = (await send<{ itemsLeft: number }>(pool, { method: "POST", path: "/v1/jobs/fold-kpis/run", headers: { authorization: `Bearer ${adminKey.key}` }, expect: 200 })).itemsLeft;
        }
      };
      await inParallel(ACCRUAL_MEMBERS, 8, (i) => shop.enroll(`member-${i}`));
      await inParallel(ACCRUAL_MEMBERS, 8, (i) => shop.accrue(`member-${i}`, 1000));
      await fold();
      const before = worker.cpuMs();
      await inParallel(ACCRUALS, 8, (i) => shop.accrue(`member-${i % ACCRUAL_MEMBERS}`, 1000 + i));
      const after = worker.cpuMs();
      await fold();
      const folded = worker.cpuMs();
      runs.push({ rollups, cpuMsPerAccrual: perAccrual(before, after), ...(rollups ? { foldCpuMsPerAccrual: perAccrual(after, folded) } : {}) });
      console.log(JSON.stringify(runs.at(-1)));
    } finally {
      await pool.close();
      await worker.stop();
    }
  }
  const mean = (on: boolean, cpu: (r: (typeof runs)[number]) => number) => {
    const values = runs.filter((r) => r.rollups === on).map(cpu);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const onPath = (r: (typeof runs)[number]) => r.cpuMsPerAccrual ?? NaN;
  const withFold = (r: (typeof runs)[number]) => (r.cpuMsPerAccrual ?? NaN) + (r.foldCpuMsPerAccrual ?? 0);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    accruals: ACCRUALS,
    runs,
    // Throughput with the rollups over throughput without, on the accrual path: CPU without over CPU with.
    withOverWithoutThroughput: ratio(mean(false, onPath), mean(true, onPath)),
    // The same with the fold's CPU added to each accrual: what the rollups cost the Worker in all.
    withFoldOverWithout: ratio(mean(false, onPath), mean(true, withFold)),
  };
}

async function main() {
  const prepared = await prepare();
  const worker = await startMiniflare(prepared);
  const pool = localPool(worker.url, 4);
  const db = await worker.d1();
  const admin = { authorization: `Bearer ${prepared.adminToken}` };
  const results: Record<string, unknown>[] = [];
  try {
    // The triggers count orders one at a time; seeding writes their results directly, so they step aside meanwhile.
    const triggers = (await db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kpi_%'").bind().all<{ name: string; sql: string }>()).results;
    for (const t of triggers) await exec(db, `DROP TRIGGER ${t.name}`);
    const programs: { name: string; key: string; seedMs: number; orders: number; members: number }[] = [];
    for (const size of SIZES) {
      const program = await send<{ id: string }>(pool, { method: "POST", path: "/v1/programs", headers: admin, body: { name: `kpis-${size.name}` }, expect: 201 });
      const { key } = await send<{ key: string }>(pool, { method: "POST", path: `/v1/programs/${program.id}/keys`, headers: admin, body: { role: "admin", name: "bench" }, expect: 201 });
      const started = Date.now();
      await seed(db, program.id, size.orders, size.members);
      programs.push({ name: size.name, key, seedMs: Date.now() - started, orders: size.orders, members: size.members });
    }
    for (const t of triggers) await exec(db, t.sql);
    // The two programs' requests alternate, so whatever else the machine does falls on both alike.
    for (const interval of ["day", "week", "month"]) {
      const path = `/v1/kpis?from=${YEAR_START}&to=2025-12-31&interval=${interval}`;
      const times = programs.map(() => [] as number[]);
      const cpu = programs.map(() => 0);
      for (const program of programs) await send(pool, { path, headers: { authorization: `Bearer ${program.key}` } });
      for (let i = 0; i < REQUESTS; i++) {
        for (const [n, program] of programs.entries()) {
          const cpuBefore = worker.cpuMs();
          const started = performance.now();
          await send(pool, { path, headers: { authorization: `Bearer ${program.key}` } });
          times[n]!.push(performance.now() - started);
          const cpuAfter = worker.cpuMs();
          cpu[n]! += cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : NaN;
        }
      }
      for (const [n, program] of programs.entries()) {
        const sorted = times[n]!.sort((a, b) => a - b);
        results.push({
          program: program.name,
          orders: program.orders,
          members: program.members,
          interval,
          requests: REQUESTS,
          p50Ms: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10,
          serverCpuMsPerRequest: Number.isNaN(cpu[n]) ? null : Math.round((cpu[n]! / REQUESTS) * 10) / 10,
          seedMs: program.seedMs,
        });
        console.log(JSON.stringify(results.at(-1)));
      }
    }
    const ratios = ["day", "week", "month"].map((interval) => {
      const [small, large] = ["small", "large"].map((name) => results.find((r) => r.program === name && r.interval === interval)!.p50Ms as number);
      return { interval, largeOverSmall: Math.round((large! / small!) * 100) / 100 };
    });
    console.log(JSON.stringify(ratios));
    await pool.close();
    await worker.stop();
    const accrual = ACCRUALS > 0 ? await accrualCpu(prepared) : null;
    console.log(JSON.stringify(accrual));
    writeFileSync(output, `${JSON.stringify({ ranAt: new Date().toISOString(), results, ratios, accrual }, null, 2)}\n`);
  } finally {
    await pool.close().catch(() => {});
    await worker.stop().catch(() => {});
    await cleanUp(prepared);
  }
}

await main();
