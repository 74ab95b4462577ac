// `npm start`: migrations on local D1, a demo program with keys if none exists,
// then `wrangler dev`, and the Cron Triggers of wrangler.toml fired on time
// (wrangler dev alone never fires them). The demo keys are kept in .wrangler/
// (local only) so later starts can print them again; only their hashes are in the database.
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ProgramSettingsSchema } from "../src/ledger/settings";
import { cronDue, cronsOf } from "./lib/cron";
import { buildWidgetModule, GENERATED } from "./build-widget";

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

// The Worker serves the compiled widget: bring it up to date with its source before wrangler bundles.
const widget = buildWidgetModule();
if (!existsSync(GENERATED) || readFileSync(GENERATED, "utf8") !== widget.module) {
  writeFileSync(GENERATED, widget.module);
  console.log("Rebuilt the widget from src/widget/treue-widget.ts.");
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
  Console:        http://localhost:${PORT}/console   (sign in with the admin key below)
  API reference:  http://localhost:${PORT}/docs
  OpenAPI:        http://localhost:${PORT}/openapi.json
  Widget demo:    http://localhost:${PORT}/widget/demo   (a link with a member token follows once the server is up)
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

// The Worker reads nothing from Request.cf: skip wrangler's download of it, whose failure offline prints a stack trace.
const devEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false" };
// Only here (and in the tests) may webhooks go to localhost; a deployment never has this variable.
const devArgs = ["dev", "--var", "WEBHOOKS_ALLOW_LOCAL:true", ...(portArg >= 0 ? [] : ["--port", PORT]), ...extraArgs];
const dev = spawn("wrangler", devArgs, { stdio: "inherit", env: devEnv });
dev.on("exit", (code) => process.exit(code ?? 0));

/**
 * Cron Triggers, as Cloudflare runs them: at the start of every minute (UTC)
 * each due cron calls the Worker's scheduled handler, through the endpoint
 * wrangler dev serves for it, with that minute as the scheduled time.
 */
const crons = cronsOf(readFileSync("wrangler.toml", "utf8")).filter((cron) => {
  try {
    cronDue(cron, new Date());
    return true;
  } catch (error) {
    console.log(`[cron] "${cron}" will not fire locally: ${(error as Error).message}.`);
    return false;
  }
});

/** Said once the server is up, after wrangler's own note that it does not fire crons. */
async function announceCrons() {
  for (let i = 0; i < 240; i++) {
    try {
      await fetch(`http://localhost:${PORT}/health`);
      console.log(`[cron] npm start fires the scheduled handler itself on ${crons.map((c) => `"${c}"`).join(", ")} (UTC), as Cloudflare would.`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
void announceCrons().then(widgetDemoLink);

/**
 * A demo shopper with some points and a member token minted with the server
 * key, as a shop's backend would: the Worker itself has no route that mints
 * tokens without a key, in development or anywhere else.
 */
async function widgetDemoLink() {
  const base = `http://localhost:${PORT}`;
  const member = "demo-shopper";
  const call = (method: string, path: string, body: unknown, idempotencyKey?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys!.server}`, "content-type": "application/json", ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}) },
      body: JSON.stringify(body),
    });
  try {
    await call("PUT", `/v1/members/${member}`, { name: "Demo shopper" });
    // The same key and body on every start: a replay, so the demo shopper earns once.
    await call("POST", `/v1/members/${member}/accruals`, { orderId: "demo-widget-order-1", amount: { amount: 125_000, currency: "EUR" } }, "demo-widget-order-1");
    const minted = await call("POST", `/v1/members/${member}/tokens`, { scopes: ["read", "claim"] }, `demo-widget-token-${Date.now()}`);
    const body = (await minted.json()) as { token?: string };
    if (!minted.ok || !body.token) {
      console.log(`[widget] no member token (${minted.status}): open ${base}/widget/demo and paste one.`);
      return;
    }
    console.log(`[widget] demo for ${member}: ${base}/widget/demo?token=${body.token}`);
  } catch (error) {
    console.log(`[widget] could not set up the demo shopper: ${(error as Error).message}`);
  }
}

async function fire(cron: string, scheduledTime: number) {
  const url = `http://localhost:${PORT}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${scheduledTime}`;
  try {
    const res = await fetch(url);
    console.log(`[cron] "${cron}" at ${new Date(scheduledTime).toISOString()}: ${res.ok ? "ok" : `failed (${res.status}), see the log above`}`);
  } catch {
    console.log(`[cron] "${cron}" at ${new Date(scheduledTime).toISOString()}: the dev server did not answer; skipped.`);
  }
}

function nextMinute() {
  const now = Date.now();
  const next = Math.floor(now / 60_000) * 60_000 + 60_000;
  setTimeout(() => {
    for (const cron of crons) if (cronDue(cron, new Date(next))) void fire(cron, next);
    nextMinute();
  }, next - now).unref();
}
nextMinute();
