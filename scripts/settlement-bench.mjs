// Seeds a local D1 with a coalition ledger of many entries in one settlement period (bulk SQL),
// then times GET /v1/settlements/{period} on `wrangler dev`. Usage: npm run bench:settlement [-- --entries 100000]
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startDev, stopDev, wrangler } from "./lib/local-dev.mjs";

const { values: args } = parseArgs({ options: { entries: { type: "string", default: "100000" }, runs: { type: "string", default: "5" } } });
const PAIRS = Math.floor(Number(args.entries) / 2);
const MEMBERS = 5000;
const PROGRAM = "prg_BENCHSETTLE00000000000000";
const ADMIN_KEY = "trk_bench_settlement_admin_key";
const PERIOD = "2026-10";
const AT = "2026-10-15T12:00:00.000Z";

/**
 * Half earn entries (one lot of 100 points each, issued by the program or one
 * of two partners), half redeem entries (40 points of that lot, redeemed at
 * another issuer's tills, with its allocation): a ledger that reconciles.
 */
function seedSql() {
  const keyHash = createHash("sha256").update(ADMIN_KEY).digest("hex");
  const counter = `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${PAIRS})`;
  const issuer = (expr) => `CASE (${expr}) % 3 WHEN 0 THEN NULL WHEN 1 THEN 'ptr_A' ELSE 'ptr_B' END`;
  const member = `printf('m%05d', i % ${MEMBERS})`;
  return `
INSERT INTO programs (id, name, settings, created_at, updated_at) VALUES ('${PROGRAM}', 'Bench', '{}', '${AT}', '${AT}');
INSERT INTO partners (id, program_id, name, created_at) VALUES ('ptr_A', '${PROGRAM}', 'Brand A', '${AT}'), ('ptr_B', '${PROGRAM}', 'Brand B', '${AT}');
INSERT INTO partner_terms VALUES ('${PROGRAM}', 'ptr_A', '2026-01', 80, 100, 100, 100, '${AT}'), ('${PROGRAM}', 'ptr_B', '2026-01', 90, 100, 95, 100, '${AT}');
INSERT INTO api_keys (id, program_id, role, name, key_hash, key_prefix, created_at) VALUES ('key_bench', '${PROGRAM}', 'admin', 'bench', '${keyHash}', 'trk_bench', '${AT}');
${counter}
INSERT INTO lots (id, program_id, member_id, partner_id, order_id, points, remaining, earned_at, available_at, expires_at, created_at)
SELECT printf('lot_%08d', i), '${PROGRAM}', ${member}, ${issuer("i")}, printf('o%08d', i), 100, 60, '${AT}', '${AT}', NULL, '${AT}' FROM seq;
${counter}
INSERT INTO entries (id, program_id, member_id, type, points, held_points, lot_id, order_id, partner_id, details, debt_paid, order_amount, occurred_at, settlement_period, created_at)
SELECT printf('ent_%08d', 2 * i), '${PROGRAM}', ${member}, 'earn', 100, 0, printf('lot_%08d', i), printf('o%08d', i), ${issuer("i")}, '{"debtPaid":0}', 0, 0, '${AT}', '${PERIOD}', '${AT}' FROM seq;
${counter}
INSERT INTO redemptions (id, program_id, member_id, partner_id, status, points, value_amount, currency, created_at, updated_at)
SELECT printf('red_%08d', i), '${PROGRAM}', ${member}, ${issuer("i + 1")}, 'captured', 40, 40, 'EUR', '${AT}', '${AT}' FROM seq;
${counter}
INSERT INTO allocations (redemption_id, lot_id, program_id, points) SELECT printf('red_%08d', i), printf('lot_%08d', i), '${PROGRAM}', 40 FROM seq;
${counter}
INSERT INTO entries (id, program_id, member_id, type, points, held_points, redemption_id, partner_id, details, occurred_at, settlement_period, created_at)
SELECT printf('ent_%08d', 2 * i + 1), '${PROGRAM}', ${member}, 'redeem', -40, 0, printf('red_%08d', i), ${issuer("i + 1")}, '{}', '${AT}', '${PERIOD}', '${AT}' FROM seq;
`;
}

const persistTo = await mkdtemp(join(tmpdir(), "treue-settlement-"));
let dev;
try {
  console.log(`seeding ${PAIRS * 2} entries (${PAIRS} lots, ${PAIRS} redemptions) in period ${PERIOD}`);
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  const seedFile = join(persistTo, "seed.sql");
  await writeFile(seedFile, seedSql());
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", seedFile, "--yes"]);
  dev = await startDev(persistTo, await freePort());
  const timings = [];
  let statement;
  for (let run = 0; run < Number(args.runs); run++) {
    const started = performance.now();
    const res = await fetch(`${dev.base}/v1/settlements/${PERIOD}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    statement = await res.json();
    timings.push(performance.now() - started);
    if (!res.ok) throw new Error(`statement: ${res.status} ${JSON.stringify(statement)}`);
  }
  timings.sort((a, b) => a - b);
  const issued = statement.partners.reduce((s, p) => s + p.issued.points, 0);
  const redeemed = statement.partners.reduce((s, p) => s + p.redeemedAt.netPoints, 0);
  if (issued !== PAIRS * 100 || redeemed !== PAIRS * 40 || !statement.reconciliation.every((r) => r.ok)) {
    throw new Error(`the statement does not match the seed: ${JSON.stringify(statement)}`);
  }
  console.log(`statement for ${PAIRS * 2} entries: median ${timings[Math.floor(timings.length / 2)].toFixed(0)} ms, min ${timings[0].toFixed(0)} ms, max ${timings.at(-1).toFixed(0)} ms over ${timings.length} runs`);
  console.log(`issued ${issued} points, redeemed ${redeemed}, reconciled for ${statement.reconciliation.length} issuers`);
} finally {
  stopDev(dev);
  await rm(persistTo, { recursive: true, force: true });
}
