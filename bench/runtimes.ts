// `npm run bench:runtimes`: which local set-up adds the least of its own? Same Worker, same calls, interleaved rounds.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cp, mkdtemp } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import type { Pool } from "undici";
import { createProgram, inParallel, storefront, type Storefront } from "./api";
import { treeCpuMs } from "./cpu";
import { localPool, measure, send, type Measurement } from "./load";
import { cleanUp, prepare, startMiniflare, startWranglerDev, type Prepared, type RunningWorker } from "./runtime";

const smoke = process.argv.includes("--smoke");
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const durationMs = 1000 * Number(process.env.BENCH_DURATION ?? (smoke ? 1 : 5));
const warmupMs = 1000 * Number(process.env.BENCH_WARMUP ?? (smoke ? 0.5 : 1));
const rounds = Number(process.env.BENCH_ROUNDS ?? (smoke ? 1 : 3));
const output = process.env.BENCH_OUTPUT ?? (smoke ? "bench/results/runtimes-smoke.json" : "bench/runtimes.json");
const MEMBERS = 16;

// Pools close first, then the set-ups, then the temp dir goes.
const cleanups: (() => Promise<void>)[] = [];
const budgetMs = 5 * 3 * rounds * (durationMs + warmupMs) + 300_000;
setTimeout(async () => {
  console.error("bench:runtimes overran its time budget; stopping.");
  for (const stop of cleanups) await stop().catch(() => undefined);
  process.exit(2);
}, budgetMs).unref();

/** A plain node:http server in its own process: what the load generator reaches when the target costs nothing. */
async function startPlainNode(): Promise<RunningWorker> {
  const code = `require("node:http").createServer((q, s) => { s.setHeader("content-type", "application/json"); s.end('{"status":"ok"}'); })
    .listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim())));
    child.once("exit", (status) => reject(new Error(`plain node server exited ${status}`)));
  });
  return { url: `http://127.0.0.1:${port}`, cpuMs: () => treeCpuMs([child.pid!]), stop: async () => void child.kill() };
}

/** Each set-up gets its own copy of the migrated state, so all of them stay up and are measured in turn. */
async function copyOf(prepared: Prepared, name: string): Promise<Prepared> {
  const state = join(await mkdtemp(join(prepared.dir, `${name}-`)), "state");
  await cp(prepared.state, state, { recursive: true });
  return { ...prepared, state };
}

const setups: [string, (p: Prepared) => Promise<RunningWorker>][] = [
  ["wrangler dev (defaults)", (p) => startWranglerDev(p)],
  ["wrangler dev, no local observability/explorer", (p) => startWranglerDev(p, { lean: true })],
  ["miniflare API, entry socket", (p) => startMiniflare(p, { direct: false })],
  ["miniflare API, unsafeDirectSockets", (p) => startMiniflare(p, { direct: true })],
];

interface Target {
  name: string;
  worker: RunningWorker;
  pool: Pool;
  api: Storefront;
  startSeconds: number;
  figures: Record<string, Measurement[]>;
}

const calls: [string, (t: Target) => (loop: number, n: number) => Promise<unknown>][] = [
  ["no-op", (t) => () => send(t.pool, { path: "/ping" })],
  ["balance read", (t) => (_, n) => t.api.balance(`member-${n % MEMBERS}`)],
  ["accrual", (t) => (_, n) => t.api.accrue(`member-${n % MEMBERS}`, 1999)],
];

async function main() {
  console.log(`bench:runtimes: c=${concurrency}, ${durationMs / 1000} s per figure, ${rounds} interleaved round(s); starting every set-up ...`);
  const prepared = await prepare();
  cleanups.push(() => cleanUp(prepared));
  try {
    const targets: Target[] = [];
    for (const [name, start] of setups) {
      const begun = Date.now();
      const worker = await start(await copyOf(prepared, name.replace(/\W+/g, "-")));
      cleanups.unshift(worker.stop);
      const pool = localPool(worker.url, concurrency + 4);
      cleanups.unshift(() => pool.close());
      const startSeconds = (Date.now() - begun) / 1000;
      const { key } = await createProgram(pool, prepared.adminToken);
      const api = storefront(pool, key);
      await inParallel(MEMBERS, concurrency, async (i) => {
        await api.enroll(`member-${i}`);
        await api.accrue(`member-${i}`, 100_000);
      });
      targets.push({ name, worker, pool, api, startSeconds, figures: {} });
      console.log(`bench:runtimes: ${name} up on ${worker.url} after ${startSeconds} s`);
    }
    const plain = await startPlainNode();
    cleanups.unshift(plain.stop);
    const plainPool = localPool(plain.url, concurrency + 4);
    cleanups.unshift(() => plainPool.close());

    const load = [loadavg()[0]!];
    const plainRuns: Measurement[] = [];
    for (let round = 1; round <= rounds; round++) {
      plainRuns.push(await measure({ concurrency, durationMs, warmupMs, operation: () => send(plainPool, { path: "/" }), serverCpuMs: plain.cpuMs }));
      for (const [call, operation] of calls) {
        for (const t of targets) {
          const result = await measure({ concurrency, durationMs, warmupMs, operation: operation(t), serverCpuMs: t.worker.cpuMs });
          (t.figures[call] ??= []).push(result);
          console.log(`bench:runtimes: round ${round}, ${call}, ${t.name}: ${result.perSecond}/s${result.errors ? ` (${result.errors} errors: ${result.firstError})` : ""}`);
        }
      }
      load.push(loadavg()[0]!);
    }

    // The best round is the one least disturbed by anything else on the machine.
    const best = (runs: Measurement[]) => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    console.log(`\nLocal set-ups: req/s at c=${concurrency}, best of ${rounds} round(s) of ${durationMs / 1000} s [server CPU ms per request in brackets]`);
    console.log(`${"set-up".padEnd(50)}${calls.map(([c]) => c.padStart(20)).join("")}${"start s".padStart(10)}`);
    const cell = (r: Measurement) => `${r.perSecond.toFixed(0)} [${r.serverCpuMsPerOp?.toFixed(2) ?? "n/a"}]`.padStart(20);
    for (const t of targets) {
      console.log(`${t.name.padEnd(50)}${calls.map(([c]) => cell(best(t.figures[c]!))).join("")}${t.startSeconds.toFixed(1).padStart(10)}`);
    }
    console.log(`${"plain node:http server (the generator's ceiling)".padEnd(50)}${cell(best(plainRuns))}`);
    console.log(`load average during the runs: ${load.map((l) => l.toFixed(2)).join(", ")}`);

    const report = {
      generatedAt: new Date().toISOString(),
      command: "npm run bench:runtimes",
      settings: { concurrency, durationMs, warmupMs, rounds, members: MEMBERS },
      loadAverage: load,
      plainNode: plainRuns,
      setups: targets.map(({ name, startSeconds, figures }) => ({ name, startSeconds, figures })),
    };
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${output}`);
  } finally {
    for (const stop of cleanups) await stop().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
}

await main();
