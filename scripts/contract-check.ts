// The API contract checks that run in Node before the Workers tests: lint the served OpenAPI document, generate a client's types from it, type-check and run a storefront against them.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanUp, prepare, startMiniflare } from "../bench/runtime";
import { CLIENT, clientFiles, staleClientFiles } from "./lib/client-types";

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

// The typed client is type-checked (with its examples) by its own TypeScript 5, the one its users are likeliest to have.
const CLIENT_TSC = bin(CLIENT, "typescript", "bin/tsc");

/** Runs a Node CLI to completion; its output is shown only if it fails. */
function run(label: string, script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1", ...extraEnv };
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${label} failed (exit ${code}):\n${output}`))));
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
  // The client's committed types must be what this document generates.
  const stale = staleClientFiles(clientFiles(await (await fetch(`${worker.url}/openapi.json`)).text()));
  if (stale.length) throw new Error(`clients/typescript/src/generated/${stale.join(", ")} stale: run npm run client:generate and commit them`);
  await run("tsc (the typed client, its tests and examples/)", CLIENT_TSC, ["-p", join(CLIENT, "tsconfig.json")]);

  // Loaded only now: it is type-checked against types that did not exist before this run.
  const { setUpProgram, storefront }: StorefrontModule = await import(pathToFileURL(join(CONTRACT, "storefront.ts")).href);
  const serverKey = await setUpProgram(worker.url, prepared.adminToken);
  const outcome = await storefront(worker.url, serverKey);
  if (!(outcome.earned > 0 && outcome.captured === "captured")) throw new Error(`storefront: unexpected outcome ${JSON.stringify(outcome)}`);
  // The client's own tests (*.node-test.ts, so vitest leaves them alone), against this Worker (node's test runner; tsx for TypeScript, the `source` condition for the package's source).
  const clientTests = readdirSync(join(CLIENT, "test")).filter((name) => name.endsWith(".node-test.ts")).map((name) => join(CLIENT, "test", name));
  const clientOutput = await run("client tests", "--conditions=source", ["--import", "tsx", "--test", "--test-reporter=spec", ...clientTests], {
    TREUE_BASE_URL: worker.url,
    TREUE_ADMIN_TOKEN: prepared.adminToken,
  });
  const counts = ["tests", "pass", "fail"].map((name) => `${name} ${clientOutput.match(new RegExp(`^ℹ ${name} (\\d+)`, "m"))?.[1] ?? "?"}`).join(", ");
  console.log(`contract: document lint-clean, generated client type-checks, storefront ran, typed client current and its tests passed (${counts})`);
  console.log(`contract: done (${Date.now() - started} ms)`);
} finally {
  await worker.stop();
  await cleanUp(prepared);
}
