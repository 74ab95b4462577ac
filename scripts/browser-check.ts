// Browser tests: serves the Worker with miniflare as the contract check does, drives Debian's Chromium with playwright-core, and runs every test/browser/*.browser.ts case.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { cleanUp, prepare, startMiniflare } from "../bench/runtime";
import { Pending, type BrowserCase, type BrowserWorld, type CasePage, type PageError } from "../test/browser/harness";
import { buildReferenceModule, REFERENCE_GENERATED } from "./build-reference";
import { buildWidgetModule, GENERATED } from "./build-widget";

const ROOT = join(import.meta.dirname, "..");
const CASES_DIR = join(ROOT, "test", "browser");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A case that lays out the API reference (Swagger UI on the whole document) takes seconds of CPU, many on a busy machine.
const CASE_TIMEOUT_MS = 60_000;
// The whole step stays well under a minute; a hung browser must not hang the test command.
const WATCHDOG_MS = 180_000;
// Only the selected files, e.g. `tsx scripts/browser-check.ts widget`.
const only = process.argv.slice(2);

const watchdog = setTimeout(() => {
  console.error(`browser: gave up after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const started = Date.now();
// The Worker serves the committed module: it must be what the widget's source compiles to.
if (readFileSync(GENERATED, "utf8") !== buildWidgetModule().module) {
  console.error("browser: src/widget/widget-script.generated.ts is stale; run npm run build:widget and commit it.");
  process.exit(1);
}

// Likewise the reference's embedded Swagger UI: what the pinned package holds.
if (readFileSync(REFERENCE_GENERATED, "utf8") !== buildReferenceModule().module) {
  console.error("browser: src/routes/meta/reference-assets.generated.ts is stale; run npm run build:reference and commit it.");
  process.exit(1);
}

const files = readdirSync(CASES_DIR)
  .filter((name) => name.endsWith(".browser.ts") && (only.length === 0 || only.some((o) => name.includes(o))))
  .sort();
const suites: { file: string; cases: BrowserCase[] }[] = [];
for (const file of files) {
  const module: { cases: BrowserCase[] } = await import(pathToFileURL(join(CASES_DIR, file)).href);
  suites.push({ file, cases: module.cases });
}

const prepared = await prepare();
const worker = await startMiniflare(prepared);
console.log(`browser: Worker served by miniflare (${Date.now() - started} ms)`);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--headless"] });
// The shop's own origin: a plain server on loopback like the Worker, so Chromium's local network checks see two local origins.
const shopPages = new Map<string, string>();
const shop = createServer((req, res) => {
  const html = shopPages.get(req.url ?? "");
  res.writeHead(html === undefined ? 404 : 200, { "content-type": "text/html; charset=utf-8" }).end(html ?? "no such page");
});
await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
const shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
const world: BrowserWorld = {
  baseUrl: worker.url,
  adminToken: prepared.adminToken,
  browser,
  shopOrigin,
  shopPage(html) {
    const path = `/shop/${shopPages.size + 1}`;
    shopPages.set(path, html);
    return `${shopOrigin}${path}`;
  },
};
/** One case in its own browser context: its outcome and the lines to print for it. */
async function runCase(testCase: BrowserCase): Promise<{ outcome: "passed" | "failed" | "pending"; lines: string[] }> {
  const context = await browser.newContext();
  const seen: string[] = [];
  const open = async (): Promise<CasePage> => {
    const page = await context.newPage();
    page.setDefaultTimeout(5_000);
    const errors: PageError[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push({ text: `console: ${message.text()}`, url: message.location().url || page.url() });
    });
    page.on("pageerror", (error) => errors.push({ text: `uncaught: ${error.message}`, url: page.url() }));
    // Shown beside a failure: what the page itself said went wrong.
    page.on("requestfailed", (request) => seen.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`));
    page.on("console", (message) => seen.push(`console.${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => seen.push(`uncaught: ${error.message}`));
    return { page, errors };
  };
  const caseStarted = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      testCase.run(world, open),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS))),
    ]);
    return { outcome: "passed", lines: [`  ✓ ${testCase.name} (${Date.now() - caseStarted} ms)`] };
  } catch (error) {
    if (error instanceof Pending) return { outcome: "pending", lines: [`  - ${testCase.name} (pending: ${error.message})`] };
    const stack = (error as Error).stack?.split("\n").slice(0, 4).join("\n      ") ?? String(error);
    return { outcome: "failed", lines: [`  ✗ ${testCase.name}\n      ${stack}`, ...seen.map((line) => `      page: ${line}`)] };
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}

// Cases are independent (each sets up its own program), so a few run at once; results print in file order.
const CONCURRENCY = 3;
const queue = suites.flatMap(({ file, cases }) => cases.map((testCase, index) => ({ file, index, testCase })));
const results = new Map<string, Awaited<ReturnType<typeof runCase>>>();
const tally = { passed: 0, failed: 0, pending: 0 };
try {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length) {
        const item = queue[next++]!;
        results.set(`${item.file}#${item.index}`, await runCase(item.testCase));
      }
    }),
  );
  for (const { file, cases } of suites) {
    console.log(file);
    cases.forEach((_, index) => {
      const result = results.get(`${file}#${index}`)!;
      tally[result.outcome]++;
      for (const line of result.lines) console.log(line);
    });
  }
} finally {
  await browser.close();
  shop.close();
  await worker.stop();
  await cleanUp(prepared);
}
console.log(`browser: ${tally.passed} passed, ${tally.failed} failed, ${tally.pending} pending (${Date.now() - started} ms, ${CHROMIUM})`);
process.exit(tally.failed > 0 || tally.passed === 0 ? 1 : 0);
