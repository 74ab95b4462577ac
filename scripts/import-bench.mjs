// Imports a file of many members (one opening lot each) through `wrangler dev` and its local queue, and gives the rate.
// Usage: npm run bench:import [-- --members 100000]
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startDev, stopDev, wrangler } from "./lib/local-dev.mjs";

const { values: args } = parseArgs({ options: { members: { type: "string", default: "100000" } } });
const MEMBERS = Number(args.members);
const PROGRAM = "prg_BENCHIMPORT000000000000000";
const ADMIN_KEY = "trk_bench_import_admin_key";
const AT = new Date().toISOString();

function seedSql() {
  const keyHash = createHash("sha256").update(ADMIN_KEY).digest("hex");
  return `
INSERT INTO programs (id, name, settings, created_at, updated_at) VALUES ('${PROGRAM}', 'Bench', '{}', '${AT}', '${AT}');
INSERT INTO api_keys (id, program_id, role, name, key_hash, key_prefix, created_at) VALUES ('key_bench', '${PROGRAM}', 'admin', 'bench', '${keyHash}', 'trk_bench', '${AT}');
`;
}

function csv() {
  const rows = ["memberId,email,name,tier,points,earnedAt,expiresAt,availableAt"];
  for (let i = 0; i < MEMBERS; i++) rows.push(`m${String(i).padStart(6, "0")},m${i}@example.com,Member ${i},,${100 + (i % 900)},2026-01-15T00:00:00Z,2099-01-15T00:00:00Z,`);
  return rows.join("\n") + "\n";
}

const persistTo = await mkdtemp(join(tmpdir(), "treue-import-"));
let dev;
try {
  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  const seedFile = join(persistTo, "seed.sql");
  await writeFile(seedFile, seedSql());
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", seedFile, "--yes"]);
  dev = await startDev(persistTo, await freePort());
  const file = csv();
  console.log(`importing ${MEMBERS} members (${(file.length / 1024 / 1024).toFixed(1)} MiB of CSV)`);
  const started = performance.now();
  const res = await fetch(`${dev.base}/v1/imports`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "text/csv" }, body: file });
  const accepted = await res.json();
  if (res.status !== 202) throw new Error(`import: ${res.status} ${JSON.stringify(accepted)}`);
  const stagedMs = performance.now() - started;
  let state = accepted;
  while (state.status !== "completed" && state.status !== "failed") {
    await new Promise((r) => setTimeout(r, 2000));
    state = await (await fetch(`${dev.base}/v1/imports/${accepted.id}?limit=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
    console.log(`  ${state.status}: ${state.counts.done} done, ${state.counts.failed} failed, ${state.chunks.done}/${state.chunks.total} chunks`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (state.status !== "completed" || state.counts.done !== MEMBERS) throw new Error(`import ended ${JSON.stringify(state)}`);
  console.log(`staged in ${(stagedMs / 1000).toFixed(1)} s (202); completed ${MEMBERS} members in ${seconds.toFixed(1)} s: ${(MEMBERS / seconds).toFixed(0)} members/s`);
} finally {
  stopDev(dev);
  await rm(persistTo, { recursive: true, force: true });
}
