// `npm start`: migrations on local D1, a demo program with keys if none exists,
// then `wrangler dev`. The demo keys are kept in .wrangler/ (local only) so
// later starts can print them again; only their hashes are in the database.
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ProgramSettingsSchema } from "../src/ledger/settings";

const extraArgs = process.argv.slice(2);
const portArg = extraArgs.indexOf("--port");
const PORT = portArg >= 0 ? extraArgs[portArg + 1]! : (process.env.PORT ?? "8787");
const KEYS_FILE = ".wrangler/demo-keys.json";
const DEMO_NAME = "Treue demo";

function wrangler(args: string[]): string {
  return execFileSync("wrangler", args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

function sql(command: string): Record<string, unknown>[] {
  const out = wrangler(["d1", "execute", "DB", "--local", "--json", "--command", command]);
  const parsed = JSON.parse(out) as { results: Record<string, unknown>[] }[];
  return parsed.flatMap((r) => r.results ?? []);
}

function quote(value: string | null): string {
  return value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
function ulid(): string {
  let time = "";
  let t = Date.now();
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + Array.from(randomBytes(16), (b) => CROCKFORD[b & 31]).join("");
}

if (!existsSync(".dev.vars")) {
  writeFileSync(".dev.vars", `ADMIN_TOKEN="${randomBytes(24).toString("hex")}"\n`);
  console.log("Wrote .dev.vars with a fresh ADMIN_TOKEN.");
}

console.log("Applying migrations to local D1...");
execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "true" } });

let keys: Record<string, string> | null = existsSync(KEYS_FILE) ? JSON.parse(readFileSync(KEYS_FILE, "utf8")) : null;
const existing = sql(`SELECT id FROM programs WHERE name = ${quote(DEMO_NAME)} LIMIT 1`);
if (existing.length === 0 || !keys || keys.programId !== existing[0]!.id) {
  const now = new Date().toISOString();
  const programId = `prg_${ulid()}`;
  const partnerId = `ptr_${ulid()}`;
  const settings = ProgramSettingsSchema.parse({
    currency: "EUR",
    pendingDays: 0,
    expiry: { policy: "period_end", period: "year", plusPeriods: 1 },
    enrollOnAccrual: true,
    tiers: [
      { name: "silver", threshold: 1000, multiplierPercent: 125 },
      { name: "gold", threshold: 5000, multiplierPercent: 150 },
    ],
  });
  const fresh: Record<string, string> = { programId, partnerId };
  const statements = [
    `INSERT INTO programs (id, name, settings, created_at, updated_at) VALUES (${quote(programId)}, ${quote(DEMO_NAME)}, ${quote(JSON.stringify(settings))}, '${now}', '${now}')`,
    `INSERT INTO partners (id, program_id, name, created_at) VALUES (${quote(partnerId)}, ${quote(programId)}, 'Demo partner', '${now}')`,
  ];
  for (const role of ["admin", "server", "partner"] as const) {
    const secret = `trk_${randomBytes(32).toString("hex")}`;
    fresh[role] = secret;
    const hash = createHash("sha256").update(secret).digest("hex");
    statements.push(
      `INSERT INTO api_keys (id, program_id, role, partner_id, name, key_hash, key_prefix, created_at) VALUES (${quote(`key_${ulid()}`)}, ${quote(programId)}, '${role}', ${quote(role === "partner" ? partnerId : null)}, 'demo ${role}', '${hash}', '${secret.slice(0, 12)}', '${now}')`,
    );
  }
  sql(statements.join("; "));
  mkdirSync(".wrangler", { recursive: true });
  writeFileSync(KEYS_FILE, JSON.stringify(fresh, null, 2));
  keys = fresh;
  console.log("Created the demo program.");
}

console.log(`
Treue is starting on http://localhost:${PORT}
  API reference:  http://localhost:${PORT}/docs
  OpenAPI:        http://localhost:${PORT}/openapi.json
  Demo program:   ${keys!.programId}
  admin key:      ${keys!.admin}
  server key:     ${keys!.server}
  partner key:    ${keys!.partner}   (partner ${keys!.partnerId})
  ADMIN_TOKEN:    see .dev.vars

Try:
  curl -X POST http://localhost:${PORT}/v1/members/cust_1/accruals \\
    -H "Authorization: Bearer ${keys!.server}" -H "Idempotency-Key: demo-1" \\
    -H "Content-Type: application/json" -d '{"orderId":"o-1","amount":{"amount":4999,"currency":"EUR"}}'
`);

// Only here (and in the tests) may webhooks go to localhost; a deployment never has this variable.
const dev = spawn("wrangler", ["dev", "--var", "WEBHOOKS_ALLOW_LOCAL:true", ...(portArg >= 0 ? [] : ["--port", PORT]), ...extraArgs], { stdio: "inherit" });
dev.on("exit", (code) => process.exit(code ?? 0));
