// Seeds a local D1 with many members and lots in bulk SQL, runs the jobs the way Cron would
// (`wrangler dev --test-scheduled`, GET /__scheduled), and reports lots expired and members
// recalculated per second. Usage: npm run bench:jobs [-- --members 10000 --lots 10 --changing 100]
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startDev, treeCpuMs, wrangler } from "./lib/local-dev.mjs";

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "10000" },
    lots: { type: "string", default: "10" },
    // The share of members (in %) whose lots are all due and whose tier must change; the others earned lately.
    changing: { type: "string", default: "100" },
    keep: { type: "boolean", default: false },
  },
});
const MEMBERS = Number(args.members);
const LOTS_EACH = Number(args.lots);
const CHANGING = Math.round((MEMBERS * Number(args.changing)) / 100);
const POINTS = 40;
const CRON = "*/10 * * * *";
const PROGRAM = "prg_BENCHJOBS0000000000000000";
const ADMIN_KEY = "trk_bench_jobs_admin_key";

/**
 * The whole data set in a few INSERT ... SELECT statements over a counter, so
 * SQLite generates the rows itself. By default every lot earned its points 400
 * days ago with a 365-day expiry (all due now), and every member holds silver
 * on points that have left the 365-day window (all due for a downgrade): the
 * worst case. With --changing below 100 only that share of the members is so;
 * the others earned 10 days ago and keep their points and their tier.
 */
function seedSql(now) {
  const earnedAt = new Date(now - 400 * 86_400_000).toISOString();
  const expiresAt = new Date(now - 35 * 86_400_000).toISOString();
  const lateEarnedAt = new Date(now - 10 * 86_400_000).toISOString();
  const lateExpiresAt = new Date(now + 355 * 86_400_000).toISOString();
  const changing = (memberIndex) => `${memberIndex} < ${CHANGING}`;
  const when = (memberIndex, early, late) => `CASE WHEN ${changing(memberIndex)} THEN '${early}' ELSE '${late}' END`;
  const settings = JSON.stringify({
    expiry: { policy: "rolling", days: 365 },
    tiers: [
      { name: "silver", threshold: 100 },
      { name: "gold", threshold: 1000 },
    ],
    tierQualification: { window: { type: "rolling", days: 365 } },
  });
  const keyHash = createHash("sha256").update(ADMIN_KEY).digest("hex");
  const counter = (n) => `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${n})`;
  const member = (i) => `printf('m%07d', ${i})`;
  return `
INSERT INTO programs (id, name, settings, created_at, updated_at) VALUES ('${PROGRAM}', 'Bench', '${settings}', '${earnedAt}', '${earnedAt}');
INSERT INTO api_keys (id, program_id, role, name, key_hash, key_prefix, created_at) VALUES ('key_bench', '${PROGRAM}', 'admin', 'bench', '${keyHash}', 'trk_bench', '${earnedAt}');
${counter(MEMBERS)}
INSERT INTO members (program_id, member_id, tier, qualifying_points, lifetime_earned, last_activity_at, enrolled_at, updated_at)
SELECT '${PROGRAM}', ${member("i")}, 'silver', ${LOTS_EACH * POINTS}, ${LOTS_EACH * POINTS}, ${when("i", earnedAt, lateEarnedAt)}, '${earnedAt}', '${earnedAt}' FROM seq;
${counter(MEMBERS * LOTS_EACH)}
INSERT INTO lots (id, program_id, member_id, points, remaining, earned_at, available_at, expires_at, created_at)
SELECT printf('lot_%08d', i), '${PROGRAM}', ${member(`i / ${LOTS_EACH}`)}, ${POINTS}, ${POINTS}, ${when(`i / ${LOTS_EACH}`, earnedAt, lateEarnedAt)}, ${when(`i / ${LOTS_EACH}`, earnedAt, lateEarnedAt)}, ${when(`i / ${LOTS_EACH}`, expiresAt, lateExpiresAt)}, ${when(`i / ${LOTS_EACH}`, earnedAt, lateEarnedAt)} FROM seq;
${counter(MEMBERS * LOTS_EACH)}
INSERT INTO entries (id, program_id, member_id, type, points, lot_id, debt_paid, order_amount, occurred_at, created_at)
SELECT printf('ent_%08d', i), '${PROGRAM}', ${member(`i / ${LOTS_EACH}`)}, 'earn', ${POINTS}, printf('lot_%08d', i), 0, 0, ${when(`i / ${LOTS_EACH}`, earnedAt, lateEarnedAt)}, ${when(`i / ${LOTS_EACH}`, earnedAt, lateEarnedAt)} FROM seq;
`;
}

async function latestRuns(base) {
  const res = await fetch(`${base}/v1/jobs?limit=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  if (!res.ok) throw new Error(`GET /v1/jobs: ${res.status} ${await res.text()}`);
  return Object.fromEntries((await res.json()).data.map((job) => [job.job, job.runs[0]]));
}

async function query(persistTo, sql) {
  const out = await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql], { capture: true });
  return JSON.parse(out.slice(out.indexOf("[")))[0].results;
}

const persistTo = await mkdtemp(join(tmpdir(), "treue-jobs-"));
let dev;
try {
  console.log(`seeding ${MEMBERS} members x ${LOTS_EACH} lots = ${MEMBERS * LOTS_EACH} lots (${CHANGING} members due to expire and change tier) into ${persistTo}`);
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  const seedFile = join(persistTo, "seed.sql");
  await writeFile(seedFile, seedSql(Date.now()));
  const seeding = Date.now();
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", seedFile, "--yes"]);
  console.log(`seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

  dev = await startDev(persistTo, await freePort(), ["--test-scheduled"]);
  const started = Date.now();
  const cpuBefore = treeCpuMs(dev.child.pid);
  for (let invocation = 1; ; invocation++) {
    const res = await fetch(`${dev.base}/__scheduled?cron=${encodeURIComponent(CRON)}`);
    if (!res.ok) throw new Error(`/__scheduled: ${res.status} ${await res.text()}`);
    const runs = await latestRuns(dev.base);
    const line = ["expire-points", "recalculate-tiers"].map((job) => `${job} ${runs[job].status} done ${runs[job].itemsDone} left ${runs[job].itemsLeft} errors ${runs[job].errors}`);
    console.log(`invocation ${invocation} (${((Date.now() - started) / 1000).toFixed(1)} s): ${line.join("; ")}`);
    if (runs["expire-points"].itemsLeft === 0 && runs["recalculate-tiers"].itemsLeft === 0) break;
    if (invocation >= 100) throw new Error("not done after 100 invocations");
  }
  const wall = (Date.now() - started) / 1000;
  // The webhook consumer works on after the last invocation (no endpoints here, but every event is fanned out): wait until idle.
  let cpuAfter = treeCpuMs(dev.child.pid);
  for (let i = 0; i < 60 && cpuAfter !== null; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = treeCpuMs(dev.child.pid);
    if (now - cpuAfter < 50) break;
    cpuAfter = now;
  }
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  process.kill(-dev.child.pid, "SIGTERM");
  dev = null;
  await new Promise((r) => setTimeout(r, 1000));

  const perJob = await query(
    persistTo,
    `SELECT job, COUNT(*) AS runs, SUM(items_done) AS done, SUM(errors) AS errors,
       SUM((julianday(finished_at) - julianday(started_at)) * 86400.0) AS seconds
     FROM job_runs WHERE program_id = '${PROGRAM}' GROUP BY job`,
  );
  const [ledger] = await query(
    persistTo,
    `SELECT (SELECT COUNT(*) FROM entries WHERE type = 'expire') AS expire_entries,
       (SELECT COUNT(*) FROM lots WHERE remaining > 0) AS open_lots,
       (SELECT COUNT(*) FROM members WHERE tier IS NOT NULL) AS members_with_tier,
       (SELECT SUM(points) FROM entries) AS entry_points, (SELECT SUM(remaining) FROM lots) AS lot_points`,
  );
  const job = (name) => perJob.find((row) => row.job === name);
  const expiry = job("expire-points");
  const tiers = job("recalculate-tiers");
  console.log(JSON.stringify({ perJob, ledger }, null, 2));
  console.log(`\n${MEMBERS * LOTS_EACH} lots over ${MEMBERS} members, ${wall.toFixed(1)} s of cron invocations in all`);
  console.log(`lots expired per second:        ${(expiry.done / expiry.seconds).toFixed(0)} (${expiry.done} lots in ${expiry.seconds.toFixed(1)} s of expire-points runs, ${expiry.runs} runs)`);
  console.log(`members recalculated per second: ${(tiers.done / tiers.seconds).toFixed(0)} (${tiers.done} members in ${tiers.seconds.toFixed(1)} s of recalculate-tiers runs, ${tiers.runs} runs)`);
  if (cpuMs !== null) {
    console.log(`server CPU (wrangler dev and its workerd, queue consumer included): ${(cpuMs / 1000).toFixed(1)} s, ${(cpuMs / MEMBERS).toFixed(2)} ms per member (${CHANGING} expired and changed tier)`);
  }
  const staying = MEMBERS - CHANGING;
  if (
    ledger.expire_entries !== CHANGING * LOTS_EACH ||
    ledger.open_lots !== staying * LOTS_EACH ||
    ledger.members_with_tier !== staying ||
    ledger.entry_points !== ledger.lot_points
  ) {
    throw new Error("the ledger does not add up after the jobs");
  }
} finally {
  if (dev) process.kill(-dev.child.pid, "SIGTERM");
  if (!args.keep) await rm(persistTo, { recursive: true, force: true });
}
