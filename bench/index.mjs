// `npm run bench`: starts the Worker locally, seeds it through the API, measures every scenario in one run, writes JSON.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, release } from "node:os";
import { createRequire } from "node:module";
import { createProgram, inParallel, storefront } from "./api.mjs";
import { localPool, measure, send } from "./load.mjs";
import { cleanUp, prepare, startMiniflare } from "./runtime.mjs";

const smoke = process.argv.includes("--smoke");
const settings = {
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  durationMs: 1000 * Number(process.env.BENCH_DURATION ?? (smoke ? 1 : 10)),
  warmupMs: 1000 * Number(process.env.BENCH_WARMUP ?? (smoke ? 0.5 : 1)),
  members: Number(process.env.BENCH_MEMBERS ?? (smoke ? 20 : 200)),
  historyEntries: Number(process.env.BENCH_HISTORY ?? (smoke ? 200 : 10_000)),
};
const SMALL_HISTORY = 10;
// Every member starts with this much, so redemptions never run dry during a run.
const FUNDING_CENTS = 1_000_000;
const output = process.env.BENCH_OUTPUT ?? (smoke ? "bench/results/smoke.json" : "bench/latest.json");

// The run is bounded: seeding, 10 measured phases and start-up, plus slack. Past that, give up.
const budgetMs = 10 * (settings.durationMs + settings.warmupMs) + settings.historyEntries * 20 + 180_000;
let stopWorker = async () => {};
const watchdog = setTimeout(async () => {
  console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; stopping.`);
  await Promise.race([stopWorker(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  process.exit(2);
}, budgetMs);
watchdog.unref();

function versionOf(pkg) {
  return createRequire(import.meta.url)(`${pkg}/package.json`).version;
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
    os: `${process.platform} ${release()}`,
    node: process.version,
    wrangler: versionOf("wrangler"),
    miniflare: versionOf("miniflare"),
    workerd: versionOf("workerd"),
    commit,
  };
}

/** Seeds `entries` rows of real history: 1-point accruals, the same number of 1-point redemptions that spend them, then the funding accrual. */
async function seedHistory(api, memberId, entries) {
  await api.enroll(memberId);
  const pairs = Math.floor((entries - 1) / 2);
  const extra = entries - 1 - 2 * pairs;
  // Accruals first, then redemptions: each redemption then empties one 1-point lot, whatever the order.
  await inParallel(pairs + extra, settings.concurrency, () => api.accrue(memberId, 100));
  await inParallel(pairs, settings.concurrency, () => api.redeem(memberId, 1));
  await api.accrue(memberId, FUNDING_CENTS);
}

function row(name, result, requestsPerOperation, ceiling) {
  return {
    name,
    requestsPerOperation,
    ...result,
    requestsPerSecond: Math.round(result.perSecond * requestsPerOperation * 10) / 10,
    ratioToNoop: ceiling ? Math.round((result.perSecond / ceiling) * 1000) / 1000 : 1,
  };
}

function printTable(title, rows) {
  console.log(`\n${title}`);
  console.log(`${"scenario".padEnd(44)}${"ops/s".padStart(9)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"vs no-op".padStart(10)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(44)}${r.perSecond.toFixed(1).padStart(9)}${r.requestsPerSecond.toFixed(1).padStart(9)}${String(r.p50Ms).padStart(9)}${String(r.p99Ms).padStart(9)}${r.ratioToNoop.toFixed(3).padStart(10)}${r.errors ? `  ${r.errors} errors: ${r.firstError}` : ""}`,
    );
  }
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const { concurrency, durationMs, warmupMs, members: memberCount, historyEntries } = settings;
  console.log(`bench: c=${concurrency}, ${durationMs / 1000} s per scenario after ${warmupMs / 1000} s warm-up, ${memberCount} members, history ${SMALL_HISTORY} vs ${historyEntries} entries`);
  console.log("bench: bundling the Worker and applying migrations to a fresh local D1 ...");
  const prepared = await prepare();
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
    const { key } = await createProgram(pool, prepared.adminToken);
    const api = storefront(pool, key);
    const members = Array.from({ length: memberCount }, (_, i) => `member-${String(i).padStart(5, "0")}`);
    const hot = "member-hot";
    await inParallel(members.length + 1, concurrency, async (i) => {
      const memberId = members[i] ?? hot;
      await api.enroll(memberId);
      await api.accrue(memberId, FUNDING_CENTS);
    });
    const spread = (n) => members[n % members.length];

    const run = (operation) => measure({ concurrency, durationMs, warmupMs, operation });
    const noop = await run(() => send(pool, { path: "/ping" }));
    const ceiling = noop.perSecond;
    const scenarios = [row("no-op GET /ping (ceiling)", noop, 1, ceiling)];
    const measured = [
      [`balance read, ${memberCount} members`, 1, (_, n) => api.balance(spread(n))],
      [`accrual, ${memberCount} members`, 1, (_, n) => api.accrue(spread(n), 1999)],
      ["accrual, one member", 1, () => api.accrue(hot, 1999)],
      [`redemption (capture), ${memberCount} members`, 1, (_, n) => api.redeem(spread(n), 1)],
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
      console.log(`bench: ${name} done`);
    }

    // Scale: the same member-level calls on a short and a long history, measured back to back.
    console.log(`bench: seeding ${SMALL_HISTORY} and ${historyEntries} history entries ...`);
    const seedStarted = Date.now();
    const small = "member-history-small";
    const large = "member-history-large";
    await seedHistory(api, small, SMALL_HISTORY);
    await seedHistory(api, large, historyEntries);
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const entriesOf = (memberId) => worker.count("SELECT COUNT(*) AS n FROM entries WHERE member_id = ?", memberId);
    const openLotsOf = (memberId) => worker.count("SELECT COUNT(*) AS n FROM lots WHERE member_id = ? AND remaining > 0", memberId);
    const history = {
      small: { entries: await entriesOf(small), openLots: await openLotsOf(small) },
      large: { entries: await entriesOf(large), openLots: await openLotsOf(large) },
      seedSeconds,
    };
    const scale = [];
    for (const [name, call] of [
      ["balance read, one member", (memberId) => api.balance(memberId)],
      ["redemption (capture), one member", (memberId) => api.redeem(memberId, 1)],
    ]) {
      const short = row(`${name}, ${history.small.entries} entries`, await run(() => call(small)), 1, ceiling);
      const long = row(`${name}, ${history.large.entries} entries`, await run(() => call(large)), 1, ceiling);
      scale.push({ name, short, long, ratio: Math.round((long.perSecond / short.perSecond) * 1000) / 1000 });
    }

    const report = {
      generatedAt: new Date().toISOString(),
      command: smoke ? "npm run bench -- --smoke" : "npm run bench",
      runtime: "miniflare with wrangler.toml's bindings, unsafeDirectSockets (see bench/README.md)",
      settings,
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadavg()[0] },
      seconds: Math.round((Date.now() - started) / 1000),
      scenarios,
      scale,
      history,
    };

    printTable(`Scenarios (c=${concurrency}, ${durationMs / 1000} s each)`, scenarios);
    printTable(
      `Scale: ${history.small.entries} vs ${history.large.entries} history entries on one member (seeded in ${seedSeconds.toFixed(1)} s)`,
      scale.flatMap((s) => [s.short, s.long]),
    );
    for (const s of scale) console.log(`ratio ${s.name}: ${history.large.entries} vs ${history.small.entries} entries = ${s.ratio.toFixed(3)}`);
    const m = report.machine;
    console.log(`\nmachine: ${m.cores} cores (${m.cpu}), ${m.os}, node ${m.node}, wrangler ${m.wrangler}, workerd ${m.workerd}; load average ${loadBefore.toFixed(2)} before, ${report.loadAverage.after.toFixed(2)} after`);

    mkdirSync(output.split("/").slice(0, -1).join("/") || ".", { recursive: true });
    writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${output}`);
    const errors = [...scenarios, ...scale.flatMap((s) => [s.short, s.long])].reduce((sum, r) => sum + r.errors, 0);
    if (errors > 0) {
      console.error(`bench: ${errors} requests failed; the figures above are not trustworthy.`);
      process.exitCode = 1;
    }
  } finally {
    await pool.close();
    await stopWorker();
  }
}

await main();
