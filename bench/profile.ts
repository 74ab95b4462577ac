// `npx tsx bench/profile.ts`: a CPU profile of the Worker under accruals, through workerd's inspector; prints the top entries by self time.
import { createProgram, inParallel, storefront } from "./api";
import { addCampaigns, adminKey } from "./campaigns";
import { freePort, inspector, printProfile, startProfile } from "./inspector";
import { localPool, measure } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 10);
const MEMBERS = 200;
/** Campaigns in force during the profile, as the bench's campaign rows make them (one in ten matches). */
const CAMPAIGNS = Number(process.env.BENCH_PROFILE_CAMPAIGNS ?? 0);
/** What the profile runs: accruals (default) or redemptions captured at once. */
const OPERATION = process.env.BENCH_PROFILE_OP === "capture" ? "capture" : process.env.BENCH_PROFILE_OP === "balance" ? "balance" : "accrual";

const prepared = await prepare();
const port = await freePort();
// KPI_ROLLUPS=off leaves the KPI rows out of every batch, to see what they cost.
const worker = await startMiniflare(prepared, { direct: true, inspectorPort: port, bindings: process.env.KPI_ROLLUPS === "off" ? { KPI_ROLLUPS: "off" } : {} });
const pool = localPool(worker.url, 20);
try {
  const { programId, key } = await createProgram(pool, prepared.adminToken);
  if (CAMPAIGNS > 0) await addCampaigns(pool, await adminKey(pool, prepared.adminToken, programId), 0, CAMPAIGNS);
  const api = storefront(pool, key);
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
  await inParallel(MEMBERS, 16, async (i) => {
    await api.enroll(members[i]!);
    await api.accrue(members[i]!, 100_000);
  });
  // BENCH_PROFILE_BEFORE seconds of accruals first, as the full bench runs them before its redemption rows.
  const before = Number(process.env.BENCH_PROFILE_BEFORE ?? 0);
  if (before > 0) await measure({ concurrency: 16, durationMs: before * 1000, operation: (_, n) => api.accrue(members[n % MEMBERS]!, 1999) });
  // BENCH_PROFILE_TARGET names another isolate of the process to profile: `d1:db` (local D1), `queues:queue` (the queue broker).
  const session = await inspector(port, process.env.BENCH_PROFILE_TARGET ?? "treue");
  console.log(`inspector targets: ${session.targets.join(", ")}`);
  const stop = await startProfile(session);
  const result = await measure({ concurrency: 16, durationMs: SECONDS * 1000, operation: (_, n) => {
      const member = members[n % MEMBERS]!;
      return OPERATION === "capture" ? api.redeem(member, 10) : OPERATION === "balance" ? api.balance(member) : api.accrue(member, 1999);
    },
    serverCpuMs: worker.cpuMs });
  const profile = await stop();
  session.close();
  console.log(`${result.operations} ${OPERATION === "capture" ? "captures" : OPERATION === "balance" ? "balance reads" : "accruals"}, ${result.perSecond}/s, ${result.serverCpuMsPerOp} ms of server CPU each`);
  printProfile(profile, Number(process.env.BENCH_PROFILE_TOTALS ?? 40));
} finally {
  await pool.close();
  await worker.stop();
  await cleanUp(prepared);
}
