// `npx tsx bench/ab.ts <other checkout>`: this tree's Worker and another's, side by side, their phases
// alternating; prints each one's server CPU per operation and the ratio within each round.
// Comparing two trees each against the floor in runs minutes apart misreads a 2 % change as 10 %:
// the machine moves the floor's own cost by 5-12 % between such runs (bench/README.md).
import { resolve } from "node:path";
import { createProgram, inParallel, storefront } from "./api";
import { localPool, measure, median } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const other = process.argv[2];
if (!other) {
  console.error("usage: npx tsx bench/ab.ts <path of the other checkout> (its dependencies installed)");
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 10);
const PHASE_MS = 1000 * Number(process.env.BENCH_AB_SECONDS ?? 3);
const MEMBERS = 200;

// Each tree bundled and migrated from its own directory: prepare() works in the current one.
const here = process.cwd();
process.chdir(resolve(other));
const otherTree = await prepare();
process.chdir(here);
const thisTree = await prepare();

const sides = [];
for (const [name, prepared] of [["other", otherTree], ["this", thisTree]] as const) {
  const worker = await startMiniflare(prepared);
  const pool = localPool(worker.url, 20);
  const { key } = await createProgram(pool, prepared.adminToken);
  const api = storefront(pool, key);
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
  await inParallel(MEMBERS, 16, async (i) => {
    await api.enroll(members[i]!);
    await api.accrue(members[i]!, 1_000_000);
  });
  sides.push({ name, worker, pool, api, member: (n: number) => members[n % MEMBERS]! });
}
type Side = (typeof sides)[number];
const operations: Record<string, (side: Side, n: number) => Promise<unknown>> = {
  accrual: (side, n) => side.api.accrue(side.member(n), 1999),
  capture: (side, n) => side.api.redeem(side.member(n), 1),
  "balance read": (side, n) => side.api.balance(side.member(n)),
};

const cpu: Record<string, Record<string, number[]>> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, operation] of Object.entries(operations)) {
      // Each round swaps which tree goes first, so drift within a round falls on both.
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const result = await measure({ concurrency: 16, durationMs: PHASE_MS, warmupMs: 300, operation: (_, n) => operation(side, n), serverCpuMs: side.worker.cpuMs });
        ((cpu[name] ??= {})[side.name] ??= []).push(result.serverCpuMsPerOp ?? NaN);
      }
    }
  }
  for (const [name, bySide] of Object.entries(cpu)) {
    const ratios = bySide.other!.map((o, i) => bySide.this![i]! / o);
    console.log(
      `${name}: other ${median(bySide.other!).toFixed(3)} ms, this ${median(bySide.this!).toFixed(3)} ms of server CPU per operation; this / other, median of ${ROUNDS} rounds ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(" ")}]`,
    );
  }
} finally {
  for (const side of sides) {
    await side.pool.close();
    await side.worker.stop();
  }
  await cleanUp(otherTree);
  await cleanUp(thisTree);
}
