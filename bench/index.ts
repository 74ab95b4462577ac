// `npm run bench`: starts the Worker locally, seeds it through the API, measures every scenario in one run, writes JSON.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname } from "node:path";
import { createProgram, inParallel, meBalance, storefront } from "./api";
import { benchBulk } from "./batch";
import { ACCRUAL_STATEMENTS, FIRST_FLOOR_STATEMENTS, startFloor } from "./floor";
import { interleavedFloorRatios } from "./floor-pairs";
import { seedHistory } from "./history";
import { benchCampaigns } from "./campaigns";
import { localPool, measure, median, sample, send, summarize, type Measurement, type Sample } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const smoke = process.argv.includes("--smoke");
const settings = {
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  durationMs: 1000 * Number(process.env.BENCH_DURATION ?? (smoke ? 1 : 10)),
  warmupMs: 1000 * Number(process.env.BENCH_WARMUP ?? (smoke ? 0.5 : 1)),
  members: Number(process.env.BENCH_MEMBERS ?? (smoke ? 20 : 200)),
  historyEntries: Number(process.env.BENCH_HISTORY ?? (smoke ? 200 : 100_000)),
  // Bulk posting: batches of items sent one after another, each item for another member.
  bulk: {
    members: Number(process.env.BENCH_BULK_MEMBERS ?? (smoke ? 100 : 5_000)),
    batches: Number(process.env.BENCH_BULK_BATCHES ?? (smoke ? 2 : 10)),
    batchSize: Number(process.env.BENCH_BULK_BATCH_SIZE ?? (smoke ? 50 : 500)),
  },
};
const SMALL_HISTORY = 10;
// Every member starts with 10,000 points, so redemptions never run dry during a run.
const FUNDING_CENTS = 1_000_000;
/** Each refund in the bench returns this much of a member's funding order. */
const REFUND_CENTS = 100;
/** The funding order of a member, the one the bench's refunds return parts of. */
const refundableOrder = (memberId: string) => `funding-${memberId}`;
/**
 * Rounds of the interleaved floor ratios, and each phase's length: 0.4 of a scenario's. Seven in a full run:
 * one round in three or four stands out by 0.2 on this kind of machine; a median of three moved with it,
 * and a median of five still moved by 0.1 between identical runs.
 */
const FLOOR_ROUNDS = Number(process.env.BENCH_FLOOR_ROUNDS ?? (smoke ? 3 : 7));
const pairMs = Math.round(settings.durationMs * 0.4);
const output = process.env.BENCH_OUTPUT ?? (smoke ? "bench/results/smoke.json" : "bench/latest.json");

  // The run is bounded: start-up, seeding and nineteen measured phases, plus slack. Past that, give up.
  const budgetMs = 19 * (settings.durationMs + settings.warmupMs) + 8 * FLOOR_ROUNDS * (pairMs + 500) + 300_000 + 100 * settings.bulk.batches * settings.bulk.batchSize;
let stopWorker = async () => {};
setTimeout(async () => {
  console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; stopping.`);
  await Promise.race([stopWorker(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  process.exit(2);
}, budgetMs).unref();

interface Row extends Measurement {
  name: string;
  requestsPerOperation: number;
  requestsPerSecond: number;
  ratioToNoop: number;
}

function row(name: string, result: Measurement, requestsPerOperation: number, ceiling: number): Row {
  return {
    name,
    requestsPerOperation,
    ...result,
    requestsPerSecond: Math.round(result.perSecond * requestsPerOperation * 10) / 10,
    ratioToNoop: Math.round((result.perSecond / ceiling) * 1000) / 1000,
  };
}

function versionOf(pkg: string): string {
  return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
}

function machine() {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${process.arch}`,
    node: process.version,
    wrangler: versionOf("wrangler"),
    miniflare: versionOf("miniflare"),
    workerd: versionOf("workerd"),
    commit,
  };
}

/**
 * Waits (at most 10 s) until the server has been nearly idle for half a
 * second, so work left over from seeding (SQLite checkpoints, for one) is
 * not billed to the next scenario.
 */
async function settle(cpuMs: () => number | null) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = cpuMs();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuMs();
    if (before === null || after === null || after - before < 25) return;
  }
}

function printTable(title: string, rows: Row[]) {
  console.log(`\n${title}`);
  const columns = ["ops/s", "req/s", "p50 ms", "p99 ms", "vs no-op", "CPU ms/op"];
  console.log(`${"scenario".padEnd(54)}${columns.map((c) => c.padStart(10)).join("")}`);
  for (const r of rows) {
    const cells = [r.perSecond.toFixed(1), r.requestsPerSecond.toFixed(1), r.p50Ms, r.p99Ms, r.ratioToNoop.toFixed(3), r.serverCpuMsPerOp?.toFixed(2) ?? "n/a"];
    const failed = r.errors ? `  ${r.errors} errors: ${r.firstError}` : "";
    console.log(`${r.name.padEnd(54)}${cells.map((c) => String(c).padStart(10)).join("")}${failed}`);
  }
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const { concurrency, durationMs, warmupMs, members: memberCount, historyEntries } = settings;
  console.log(`bench: c=${concurrency}, ${durationMs / 1000} s per scenario after ${warmupMs / 1000} s warm-up, ${memberCount} members, history ${SMALL_HISTORY} vs ${historyEntries} entries`);
  console.log("bench: bundling the Worker and applying migrations to a fresh local D1 ...");
  const prepared = await prepare();
  stopWorker = () => cleanUp(prepared);
  const worker = await startMiniflare(prepared, { direct: true });
  stopWorker = async () => {
    await worker.stop();
    await cleanUp(prepared);
  };
  process.once("SIGINT", async () => {
    await stopWorker();
    process.exit(130);
  });
  const pool = localPool(worker.url, concurrency + 4);
  try {
    console.log(`bench: Worker on ${worker.url} (miniflare, direct socket); seeding ...`);
    const { programId, key } = await createProgram(pool, prepared.adminToken);
    const api = storefront(pool, key);
    const members = Array.from({ length: memberCount }, (_, i) => `member-${String(i).padStart(5, "0")}`);
    const hot = "member-hot";
    await inParallel(memberCount + 1, concurrency, async (i) => {
      const memberId = members[i] ?? hot;
      await api.enroll(memberId);
      await api.accrue(memberId, FUNDING_CENTS, refundableOrder(memberId));
    });
    const spread = (n: number) => members[n % memberCount]!;
    // A refund of 1.00 takes back a point of the member's funding order, which can be refunded 10,000 times.
    const refund = (n: number) => api.refund(spread(n), refundableOrder(spread(n)), REFUND_CENTS);
    const tokens: string[] = [];
    await inParallel(memberCount, concurrency, async (i) => {
      tokens[i] = await api.memberToken(members[i]!);
    });
    const run = (operation: (loop: number, n: number) => Promise<unknown>) =>
      measure({ concurrency, durationMs, warmupMs, operation, serverCpuMs: worker.cpuMs });

    await settle(worker.cpuMs);
    const noop = await run(() => send(pool, { path: "/ping" }));
    const ceiling = noop.perSecond;
    const scenarios = [row("no-op GET /ping (ceiling)", noop, 1, ceiling)];
    const measured: [string, number, (loop: number, n: number) => Promise<unknown>][] = [
      [`balance read, ${memberCount} members`, 1, (_, n) => api.balance(spread(n))],
      // The same read from the shopper's page: the token's signature, claims and revocation, two rate limit calls.
      [`balance read with a member token (/v1/me/balance), ${memberCount} members`, 1, (_, n) => meBalance(pool, tokens[n % memberCount]!)],
      [`accrual, ${memberCount} members`, 1, (_, n) => api.accrue(spread(n), 1999)],
      ["accrual, one member", 1, () => api.accrue(hot, 1999)],
      [`redemption (capture), ${memberCount} members`, 1, (_, n) => api.redeem(spread(n), 1)],
      [`refund, ${memberCount} members`, 1, (_, n) => refund(n)],
      [
        `hold + capture, ${memberCount} members`,
        2,
        async (_, n) => {
          const hold = await api.redeem(spread(n), 1, "hold");
          await api.capture(hold.id);
        },
      ],
    ];
    for (const [name, requests, operation] of measured) {
      scenarios.push(row(name, await run(operation), requests, ceiling));
      console.log(`bench: ${name}: ${scenarios.at(-1)!.perSecond}/s`);
    }
    // Accruals with 0 (above), 10 and 50 active campaigns in the same run, then the preview.
    for (const [name, result] of await benchCampaigns({ pool, adminToken: prepared.adminToken, programId, serverKey: key, memberCount, spread, run })) {
      scenarios.push(row(name, result, 1, ceiling));
      console.log(`bench: ${name}: ${scenarios.at(-1)!.perSecond}/s`);
    }

    // The floor, in the same run: a Worker with the same runtime, compatibility date and flags that only makes
    // the object call and the one D1 batch a write must make. Treue's Worker idles meanwhile.
    console.log("bench: the floor worker ...");
    const floorWorker = await startFloor(prepared);
    const floorPool = localPool(floorWorker.url, concurrency + 4);
    const floorRows: Row[] = [];
    let interleavedRatios: Awaited<ReturnType<typeof interleavedFloorRatios>> = {};
    try {
      const floorRun = (operation: (loop: number, n: number) => Promise<unknown>) =>
        measure({ concurrency, durationMs, warmupMs, operation, serverCpuMs: floorWorker.cpuMs });
      const floorCall = (path: string, method: "GET" | "POST", expect: number) => send(floorPool, { method, path, expect });
      const floorScenarios: [string, (loop: number, n: number) => Promise<unknown>][] = [
        [`floor: no-op object call, ${memberCount} members`, (_, n) => floorCall(`/noop?member=${spread(n)}`, "GET", 200)],
        [`floor: object call + one D1 batch of ${ACCRUAL_STATEMENTS} rows, ${memberCount} members`, (_, n) => floorCall(`/write?member=${spread(n)}`, "POST", 201)],
        [`floor: object call + one D1 batch of ${ACCRUAL_STATEMENTS} rows, one member`, () => floorCall("/write?member=hot", "POST", 201)],
        // The floor as first built, before an accrual's batch carried its KPI and stats rows: for comparison with earlier runs.
        [`floor: object call + one D1 batch of ${FIRST_FLOOR_STATEMENTS} rows, ${memberCount} members`, (_, n) => floorCall(`/write?member=${spread(n)}&rows=${FIRST_FLOOR_STATEMENTS}`, "POST", 201)],
      ];
      await settle(floorWorker.cpuMs);
      for (const [name, operation] of floorScenarios) {
        floorRows.push(row(name, await floorRun(operation), 1, ceiling));
        console.log(`bench: ${name}: ${floorRows.at(-1)!.perSecond}/s`);
      }
      // The same ratios again, each Treue phase followed at once by the floor's, over several rounds.
      console.log(`bench: the floor ratios in ${FLOOR_ROUNDS} interleaved rounds ...`);
      const pairPhase = (worker: { cpuMs: () => number | null }, operation: (loop: number, n: number) => Promise<unknown>) => () =>
        measure({ concurrency, durationMs: pairMs, warmupMs: Math.min(warmupMs, 500), operation, serverCpuMs: worker.cpuMs });
      const floorWrite = pairPhase(floorWorker, (_, n) => floorCall(`/write?member=${spread(n)}`, "POST", 201));
      interleavedRatios = await interleavedFloorRatios(
        [
          { name: "balanceReadVsNoopCall", treue: pairPhase(worker, (_, n) => api.balance(spread(n))), floor: pairPhase(floorWorker, (_, n) => floorCall(`/noop?member=${spread(n)}`, "GET", 200)) },
          { name: "accrualVsWrite", treue: pairPhase(worker, (_, n) => api.accrue(spread(n), 1999)), floor: floorWrite },
          { name: "captureVsWrite", treue: pairPhase(worker, (_, n) => api.redeem(spread(n), 1)), floor: floorWrite },
          { name: "refundVsWrite", treue: pairPhase(worker, (_, n) => refund(n)), floor: floorWrite },
          {
            name: "holdCaptureVsTwoWrites",
            treue: pairPhase(worker, async (_, n) => {
              const hold = await api.redeem(spread(n), 1, "hold");
              await api.capture(hold.id);
            }),
            floor: floorWrite,
            writes: 2,
          },
        ],
        FLOOR_ROUNDS,
      );
    } finally {
      await floorPool.close();
      await floorWorker.stop();
    }
    const [floorNoop, floorWrite, floorWriteOne, firstFloorWrite] = floorRows as [Row, Row, Row, Row];
    const byName = (prefix: string) => scenarios.find((s) => s.name.startsWith(prefix))!;
    const vsFloor = (treue: Row, floorRate: number, writes = 1) => Math.round((treue.perSecond / (floorRate / writes)) * 1000) / 1000;
    const floor = {
      rows: floorRows,
      ratios: {
        balanceReadVsNoopCall: vsFloor(byName("balance read"), floorNoop.perSecond),
        accrualVsWrite: vsFloor(byName(`accrual, ${memberCount}`), floorWrite.perSecond),
        accrualOneMemberVsWrite: vsFloor(byName("accrual, one member"), floorWriteOne.perSecond),
        captureVsWrite: vsFloor(byName("redemption (capture)"), floorWrite.perSecond),
        refundVsWrite: vsFloor(byName("refund"), floorWrite.perSecond),
        holdCaptureVsTwoWrites: vsFloor(byName("hold + capture"), floorWrite.perSecond, 2),
      },
      // Medians of interleaved rounds (bench/floor-pairs.ts): by rate and by CPU per operation, with every round's.
      interleaved: interleavedRatios,
      // The same against the first floor's batch of FIRST_FLOOR_STATEMENTS rows.
      firstFloorRatios: {
        accrualVsWrite: vsFloor(byName(`accrual, ${memberCount}`), firstFloorWrite.perSecond),
        captureVsWrite: vsFloor(byName("redemption (capture)"), firstFloorWrite.perSecond),
        holdCaptureVsTwoWrites: vsFloor(byName("hold + capture"), firstFloorWrite.perSecond, 2),
      },
    };

    // Scale: the same member-level calls on a short history, a long one (its lots spent, as most of
    // a real history is) and as many lots still open (state that grows), measured back to back.
    console.log(`bench: seeding members with ${SMALL_HISTORY} and ${historyEntries} history entries ...`);
    const seedStarted = Date.now();
    const db = await worker.d1();
    const shapes = [
      { shape: "short", memberId: "member-history-short", entries: SMALL_HISTORY, openLots: false },
      { shape: "long", memberId: "member-history-long", entries: historyEntries, openLots: false },
      { shape: "openLots", memberId: "member-open-lots", entries: historyEntries, openLots: true },
    ] as const;
    for (const { memberId, entries, openLots } of shapes) {
      await seedHistory({ api, db, programId, memberId, entries, openLots, fundingCents: FUNDING_CENTS });
    }
    const seedSeconds = Math.round((Date.now() - seedStarted) / 100) / 10;
    await settle(worker.cpuMs);
    const count = async (sql: string, memberId: string) => Number(await db.prepare(sql).bind(programId, memberId).first<number>("n"));
    const history: Record<string, { memberId: string; entries: number; openLots: number }> = {};
    for (const { shape, memberId } of shapes) {
      history[shape] = {
        memberId,
        entries: await count("SELECT COUNT(*) AS n FROM entries WHERE program_id = ? AND member_id = ?", memberId),
        openLots: await count("SELECT COUNT(*) AS n FROM lots WHERE program_id = ? AND member_id = ? AND remaining > 0", memberId),
      };
    }
    const label = (shape: string) => `${history[shape]!.entries} entries/${history[shape]!.openLots} open lots`;
    // Relative to the short history: 1 means no slower. Each pass measures the three members back to back,
    // so a ratio within one pass is little moved by other load; the median over passes drops a disturbed one.
    const round3 = (value: number) => Math.round(value * 1000) / 1000;
    const ratios = (passes: Record<string, Sample>[], base: string, other: string) => {
      const rate = (s: Sample) => s.latencies.length / s.elapsedMs;
      const cpu = passes.every((p) => p[base]!.cpuMs !== null && p[other]!.cpuMs !== null && p[other]!.cpuMs! > 0);
      return {
        byThroughput: round3(median(passes.map((p) => rate(p[other]!) / rate(p[base]!)))),
        byCpu: cpu
          ? round3(median(passes.map((p) => (p[base]!.cpuMs! / p[base]!.latencies.length) / (p[other]!.cpuMs! / p[other]!.latencies.length))))
          : null,
      };
    };
    const passes = 4;
    const scale = [];
    for (const [name, call] of [
      ["balance read", (memberId: string) => api.balance(memberId)],
      ["redemption (capture)", (memberId: string) => api.redeem(memberId, 1)],
    ] as const) {
      // Passes alternate the order (short, long, open; then open, long, short) so drift within a pass cancels too.
      const measured: Record<string, Sample>[] = [];
      for (let pass = 0; pass < passes; pass++) {
        const samples: Record<string, Sample> = {};
        for (const { shape, memberId } of pass % 2 ? [...shapes].reverse() : shapes) {
          samples[shape] = await sample({
            concurrency,
            durationMs: durationMs / passes,
            warmupMs: warmupMs / passes,
            operation: () => call(memberId),
            serverCpuMs: worker.cpuMs,
          });
        }
        measured.push(samples);
      }
      const rows: Record<string, Row> = {};
      for (const { shape } of shapes) rows[shape] = row(`${name}, ${label(shape)}`, summarize(...measured.map((p) => p[shape]!)), 1, ceiling);
      scale.push({ name, rows, longVsShort: ratios(measured, "short", "long"), openLotsVsShort: ratios(measured, "short", "openLots") });
    }

    console.log(`bench: bulk posting, ${settings.bulk.batches} batches of ${settings.bulk.batchSize} over ${settings.bulk.members} members ...`);
    await settle(worker.cpuMs);
    const bulk = await benchBulk({ pool, key, db, programId, ...settings.bulk, serverCpuMs: worker.cpuMs });

    const report = {
      generatedAt: new Date().toISOString(),
      command: smoke ? "npm run bench -- --smoke" : "npm run bench",
      runtime: "miniflare configured from wrangler.toml, served on an unsafeDirectSockets socket (see bench/README.md)",
      settings,
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      seconds: Math.round((Date.now() - started) / 1000),
      scenarios,
      floor,
      scale,
      history,
      bulk,
    };
    printTable(`Scenarios (c=${concurrency}, ${durationMs / 1000} s each; hold + capture is two requests per operation)`, scenarios);
    printTable("The floor: a Worker that only makes the object call and the D1 batch (same runtime, config and socket)", floorRows);
    console.log(
      `ratio to the floor: balance read ${floor.ratios.balanceReadVsNoopCall} x a no-op object call; accrual ${floor.ratios.accrualVsWrite}, one member ${floor.ratios.accrualOneMemberVsWrite}, capture ${floor.ratios.captureVsWrite}, refund ${floor.ratios.refundVsWrite} x a write; hold + capture ${floor.ratios.holdCaptureVsTwoWrites} x two writes`,
    );
    const both = (name: string) => `${interleavedRatios[name]?.byRate} (${interleavedRatios[name]?.byCpu} by CPU)`;
    console.log(
      `interleaved, median of ${FLOOR_ROUNDS} rounds: balance read ${both("balanceReadVsNoopCall")} x a no-op object call; accrual ${both("accrualVsWrite")}, capture ${both("captureVsWrite")}, refund ${both("refundVsWrite")} x a write; hold + capture ${both("holdCaptureVsTwoWrites")} x two writes`,
    );
    console.log(
      `against the first floor's ${FIRST_FLOOR_STATEMENTS}-row batch: accrual ${floor.firstFloorRatios.accrualVsWrite}, capture ${floor.firstFloorRatios.captureVsWrite} x a write; hold + capture ${floor.firstFloorRatios.holdCaptureVsTwoWrites} x two writes`,
    );
    printTable(`Scale: one member with a short history, a long one, and many open lots (seeded in ${seedSeconds} s)`, scale.flatMap((s) => Object.values(s.rows)));
    const ratioText = (r: { byThroughput: number; byCpu: number | null }) => `${r.byThroughput.toFixed(3)} by ops/s, ${r.byCpu?.toFixed(3) ?? "n/a"} by CPU per op`;
    for (const s of scale) {
      console.log(`ratio ${s.name}, ${label("long")} vs ${label("short")}: ${ratioText(s.longVsShort)}`);
      console.log(`ratio ${s.name}, ${label("openLots")} vs ${label("short")}: ${ratioText(s.openLotsVsShort)}`);
    }
    console.log(
      `\nbulk posting: ${bulk.transactionsPerSecond} transactions/s (${bulk.items} accruals in ${bulk.batches} batches of ${bulk.batchSize} over ${bulk.members} members, ${bulk.seconds} s; batch p50 ${bulk.batchMs.p50} ms, max ${bulk.batchMs.max} ms; CPU ${bulk.serverCpuMsPerItem ?? "n/a"} ms/item, ${bulk.retries} batches re-sent after a connection error); the first batch re-sent: ${bulk.resent.duplicates} duplicates in ${bulk.resent.seconds} s`,
    );
    const m = report.machine;
    console.log(
      `\nmachine: ${m.cores} cores (${m.cpu}), ${m.os}, node ${m.node}, wrangler ${m.wrangler}, workerd ${m.workerd}; load average ${loadBefore.toFixed(2)} before, ${report.loadAverage.after.toFixed(2)} after`,
    );
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${output}`);
    const errors = [...scenarios, ...scale.flatMap((s) => Object.values(s.rows))].reduce((sum, r) => sum + r.errors, 0);
    if (errors > 0) {
      console.error(`bench: ${errors} operations failed; the figures above are not trustworthy.`);
      process.exitCode = 1;
    }
  } finally {
    await pool.close();
    await stopWorker();
  }
}

await main();
