// The API contract checks that run in Node before the Workers tests: lint the served OpenAPI document, generate a client's types from it, type-check and run a storefront against them.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanUp, prepare, startMiniflare } from "../bench/runtime";

const ROOT = join(import.meta.dirname, "..");
const CONTRACT = join(ROOT, "test", "contract");
const bin = (from: string, pkg: string, path: string) => join(dirname(createRequire(join(from, "package.json")).resolve(`${pkg}/package.json`)), path);
// openapi-typescript needs the TypeScript 5 compiler API, so it lives in test/contract's own dependencies.
const OPENAPI_TYPESCRIPT = bin(CONTRACT, "openapi-typescript", "bin/cli.js");
const REDOCLY = bin(ROOT, "@redocly/cli", "bin/cli.js");
const TSC = bin(ROOT, "typescript", "bin/tsc");

interface StorefrontModule {
  setUpProgram(baseUrl: string, adminToken: string): Promise<string>;
  storefront(baseUrl: string, serverKey: string): Promise<{ earned: number; captured: string; clawedBack: number; available: number }>;
}

/** Runs a Node CLI to completion; its output is shown only if it fails. */
function run(label: string, script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" };
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${label} failed (exit ${code}):\n${output}`))));
  });
}

const started = Date.now();
const prepared = await prepare();
const worker = await startMiniflare(prepared);
try {
  const res = await fetch(`${worker.url}/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const documentPath = join(prepared.dir, "openapi.json");
  writeFileSync(documentPath, await res.text());

  const generated = join(CONTRACT, "generated");
  mkdirSync(generated, { recursive: true });
  await Promise.all([
    run("redocly lint", REDOCLY, ["lint", documentPath, "--config", join(ROOT, "redocly.yaml"), "--format", "stylish"]),
    run("openapi-typescript", OPENAPI_TYPESCRIPT, [documentPath, "--output", join(generated, "api.d.ts")]),
  ]);
  await run("tsc (storefront against the generated types)", TSC, ["-p", join(CONTRACT, "tsconfig.json")]);

  // Loaded only now: it is type-checked against types that did not exist before this run.
  const { setUpProgram, storefront }: StorefrontModule = await import(pathToFileURL(join(CONTRACT, "storefront.ts")).href);
  const serverKey = await setUpProgram(worker.url, prepared.adminToken);
  const outcome = await storefront(worker.url, serverKey);
  if (!(outcome.earned > 0 && outcome.captured === "captured")) throw new Error(`storefront: unexpected outcome ${JSON.stringify(outcome)}`);
  console.log(`contract: document lint-clean, generated client type-checks, storefront ran (${Date.now() - started} ms)`);
} finally {
  await worker.stop();
  await cleanUp(prepared);
}
