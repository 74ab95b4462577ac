// Starts the Worker locally for the bench: built and migrated by wrangler, served by miniflare or `wrangler dev`.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { childPids, processTree, treeCpuMs } from "./cpu";
import type { D1Like } from "./history";

const HOST = "127.0.0.1";
const CONFIG = "wrangler.toml";
// wrangler's own CLI under the node that runs the bench, whatever is first on PATH.
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
// Keep wrangler's usage telemetry out of a local benchmark.
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export interface Prepared {
  dir: string;
  /** What `--persist-to` points at: local D1 and Durable Object storage. */
  state: string;
  script: string;
  adminToken: string;
}

export interface RunningWorker {
  url: string;
  /** CPU time used so far by the processes serving the Worker (ms), or null where it cannot be read. */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

/** Runs a wrangler command to completion; its output is shown only if it fails. */
function wrangler(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { stdio: ["ignore", "pipe", "pipe"], env: WRANGLER_ENV });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} exited ${code}:\n${output}`))));
  });
}

let exitOnSignals = () => {
  // Ctrl-C or a kill ends the bench through process.exit, so the exit hooks run (temp dir, wrangler dev groups).
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) process.once(signal, () => process.exit(code));
  exitOnSignals = () => {};
};

/**
 * A fresh temp dir with the Worker bundled exactly as `wrangler deploy` would
 * ship it, and a local D1 with every migration applied the way
 * `npm run db:migrate:local` does, only persisted in the temp dir.
 */
export async function prepare(): Promise<Prepared> {
  exitOnSignals();
  const dir = await mkdtemp(join(tmpdir(), "treue-bench-"));
  // However the run ends (a failed start, an error, the watchdog), the temp dir goes with the process.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, "state");
  await Promise.all([
    wrangler(["deploy", "--dry-run", "--outdir", join(dir, "build")]),
    wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]),
  ]);
  // The bench's own platform token: a fresh clone has no .dev.vars.
  return { dir, state, script: join(dir, "build", "index.js"), adminToken: `bench-${randomUUID()}` };
}

export async function cleanUp(prepared: Prepared): Promise<void> {
  await rm(prepared.dir, { recursive: true, force: true });
}

/**
 * Miniflare, configured from wrangler.toml as `wrangler dev` configures it
 * (same bindings, compatibility date and flags), without the proxy Worker in
 * front. `direct` serves from a socket straight into the Worker, skipping
 * miniflare's entry router too (no request.cf, no /cdn-cgi helpers, neither
 * of which the API uses).
 */
export async function startMiniflare(
  prepared: Prepared,
  { direct = true, inspectorPort, bindings = {} }: { direct?: boolean; inspectorPort?: number; bindings?: Record<string, string> } = {},
) {
  // The bundle is one module, so wrangler's rules for other module types have nothing to match.
  const before = new Set(childPids());
  const { modulesRules: _unused, ...workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG).workerOptions;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      // Local development: the webhook bench's receiver listens on 127.0.0.1.
      bindings: { ...(workerOptions.bindings as Record<string, string>), ADMIN_TOKEN: prepared.adminToken, WEBHOOKS_ALLOW_LOCAL: "true", ...bindings },
      // The limits are still consulted on every member-token call (their cost is measured), but never refuse one of the bench's.
      ratelimits: Object.fromEntries(
        Object.entries(workerOptions.ratelimits ?? {}).map(([name, limit]) => [name, { ...limit, simple: { ...limit.simple, limit: 1_000_000_000 } }]),
      ),
      name: "treue",
      modules: true,
      // Module names are paths relative to rootPath, and the bundle lives in the temp dir.
      rootPath: dirname(prepared.script),
      scriptPath: prepared.script,
      host: HOST,
      port: 0,
      resourcePersistencePath: join(prepared.state, "v3"),
      // No download of request.cf data: the API does not read it, and the bench stays on this machine.
      cf: false,
      unsafeDirectSockets: direct ? [{ host: HOST, port: 0 }] : undefined,
      // Only for a CPU profile (bench/profile.ts): the bench itself runs without an inspector.
      ...(inspectorPort ? { inspectorPort } : {}),
    }),
  );
  const entry = await mf.ready;
  const url = direct ? await mf.unsafeGetDirectURL("treue") : entry;
  // The workerd process this instance started is the child that was not there before.
  const servers = childPids().filter((pid) => !before.has(pid));
  // D1 straight from Node: for seeding a long history fast and checking what the API wrote.
  const d1 = async () => (await mf.getD1Database("DB", "treue")) as unknown as D1Like;
  return { url: url.origin, d1, cpuMs: () => treeCpuMs(servers), stop: () => mf.dispose() };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `wrangler dev` as a user starts it, on 127.0.0.1 and the prepared state.
 * `lean` turns off the local observability and explorer it enables by default.
 */
export async function startWranglerDev(prepared: Prepared, { lean = false } = {}): Promise<RunningWorker> {
  const port = await freePort();
  const args = ["dev", "--ip", HOST, "--port", String(port), "--inspector-port", String(await freePort())];
  args.push("--persist-to", prepared.state, "--var", `ADMIN_TOKEN:${prepared.adminToken}`, "--var", "WEBHOOKS_ALLOW_LOCAL:true", "--show-interactive-dev-session=false");
  const env = lean ? { X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false" } : {};
  // In the bench's process group, so a Ctrl-C reaches wrangler and its workerd processes too.
  const child = spawn(process.execPath, [WRANGLER, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...WRANGLER_ENV, ...env } });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const url = `http://${HOST}:${port}`;
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  // wrangler, its proxy's workerd and the Worker's workerd: stop them all, the hard way if they linger.
  const stop = async () => {
    const tree = processTree(child.pid!);
    signal(tree, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    signal(tree.filter(isAlive), "SIGKILL");
  };
  // Ready when the Worker answers; give up after 60 s.
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${output}`);
    try {
      // wrangler itself, its proxy's workerd and the Worker's workerd: all of it serves the requests.
      if ((await fetch(`${url}/ping`)).ok) return { url, cpuMs: () => treeCpuMs([child.pid!]), stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
}
