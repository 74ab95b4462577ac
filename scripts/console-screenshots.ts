// Screenshots of the console's main pages into docs/console/*.png (run by hand after a change to the console, not by npm test): a seeded program, each page at 1024 px, the member page also at 360 px.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { cleanUp, prepare, startMiniflare } from "../bench/runtime";
import { api, createProgram, must, type BrowserWorld } from "../test/browser/harness";

const OUT = join(import.meta.dirname, "..", "docs", "console");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

mkdirSync(OUT, { recursive: true });
const prepared = await prepare();
const worker = await startMiniflare(prepared);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--headless"] });
try {
  const world = { baseUrl: worker.url, adminToken: prepared.adminToken } as BrowserWorld;
  const program = await createProgram(world, {
    currency: "EUR",
    pendingDays: 0,
    tiers: [
      { name: "silver", threshold: 100, multiplierPercent: 125 },
      { name: "gold", threshold: 5000, multiplierPercent: 150 },
    ],
  });
  const now = new Date();
  for (const [i, name] of ["ada", "grace", "linus"].entries()) {
    await must(api(world, "PUT", `/v1/members/${name}`, program.server, { email: `${name}@example.com` }), "enroll");
    for (let month = 0; month < 3; month++) {
      const occurredAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - month, 1, 12)).toISOString();
      await must(api(world, "POST", `/v1/members/${name}/accruals`, program.server, { orderId: `${name}-${month}`, amount: { amount: 9_000 + i * 4_000 + month * 2_500, currency: "EUR" }, occurredAt }), "accrue");
    }
  }
  await must(api(world, "POST", "/v1/rewards", program.admin, { name: "5 EUR off", type: "fixed_discount", costPoints: 500, value: { amount: 500, currency: "EUR" }, stock: 100 }), "reward");
  await must(api(world, "POST", "/v1/rewards", program.admin, { name: "Free shipping", type: "free_shipping", costPoints: 200 }), "reward");
  await must(api(world, "POST", "/v1/members/ada/redemptions", program.server, { points: 150 }), "redeem");
  await must(api(world, "POST", "/v1/partners", program.admin, { name: "Nordbahn Rail" }), "partner");
  const campaigns = await api(world, "POST", "/v1/campaigns", program.admin, {
    name: "Weekend double points",
    startsAt: new Date().toISOString(),
    rules: [{ id: "weekend-double", trigger: { type: "order" }, conditions: { daysOfWeek: [6, 7] }, effect: { type: "multiply", percent: 200 } }],
  });
  if (campaigns.status === 201) await must(api(world, "POST", `/v1/campaigns/${campaigns.body.id}/activate`, program.admin), "activate");
  const plans = await api(world, "POST", "/v1/membership-plans", program.admin, { name: "Prime", price: { amount: 4_900, currency: "EUR" }, term: "year" });
  if (plans.status !== 201 && plans.status !== 404) throw new Error(`plan: ${plans.status} ${JSON.stringify(plans.body)}`);

  const context = await browser.newContext({ viewport: { width: 1024, height: 760 } });
  const page = await context.newPage();
  await page.goto(`${worker.url}/console/session`);
  await page.screenshot({ path: join(OUT, "sign-in.png") });
  await page.getByLabel("Program key").fill(program.admin);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  const shots: [string, string][] = [
    ["dashboard", "/console"],
    ["member", "/console/members/ada"],
    ["campaigns", "/console/campaigns"],
    ["rewards", "/console/rewards"],
    ["plans", "/console/plans"],
    ["partners", "/console/partners"],
    ["settlement", "/console/settlements"],
    ["webhooks", "/console/webhooks"],
    ["jobs", "/console/jobs"],
    ["keys", "/console/keys"],
    ["settings", "/console/settings"],
  ];
  for (const [name, path] of shots) {
    await page.goto(`${worker.url}${path}`);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${worker.url}/console/members/ada`);
  await page.screenshot({ path: join(OUT, "member-phone.png") });
  console.log(`screenshots: ${shots.length + 2} pages into ${OUT}`);
} finally {
  await browser.close();
  await worker.stop();
  await cleanUp(prepared);
}
