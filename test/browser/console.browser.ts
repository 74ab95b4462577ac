// The operator console in a real Chromium: sign-in (and a refused one), a reward claimed for a member, a settlement period closed, a server key's read-only view, sign-out; campaigns and erasure once the API has them.
import type { Page } from "playwright-core";
import { api, browserCase, check, createProgram, must, Pending, type BrowserWorld, type PageError } from "./harness";

const SETTINGS: Record<string, unknown> = {
  currency: "EUR",
  pendingDays: 0,
  tiers: [
    { name: "silver", threshold: 100, multiplierPercent: 125 },
    { name: "gold", threshold: 5000, multiplierPercent: 150 },
  ],
};

async function signIn(page: Page, world: BrowserWorld, key: string) {
  await page.goto(`${world.baseUrl}/console/session`);
  await page.getByLabel("Program key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function hasRoute(world: BrowserWorld, method: string, path: string): Promise<boolean> {
  const doc = (await (await fetch(`${world.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Boolean(doc.paths[path]?.[method]);
}

/** Page errors, less the 4xx answers a case provokes on purpose (a refused sign-in, a refused form). */
function unexpected(errors: PageError[]): string[] {
  return errors.filter((e) => !/status of 4\d\d/.test(e.text)).map((e) => e.text);
}

async function memberWithPoints(world: BrowserWorld, server: string, memberId: string, amount = 12_000) {
  await must(api(world, "PUT", `/v1/members/${memberId}`, server, { email: "ada@example.com" }), "enroll");
  await must(api(world, "POST", `/v1/members/${memberId}/accruals`, server, { orderId: `${memberId}-o1`, amount: { amount, currency: "EUR" } }), "accrue");
}

export const cases = [
  browserCase("signs in with an admin key, lands on the dashboard with its charts and navigation, and signs out", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    const { page, errors } = await open();
    await signIn(page, world, program.admin);
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    check(await page.getByRole("navigation", { name: "Console" }).isVisible(), "no navigation landmark");
    check((await page.locator("figure.chart svg[role=img]").count()) >= 1, "no chart on the dashboard");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "treue_console");
    check(session && session.httpOnly && session.sameSite === "Strict" && session.path === "/console", `cookie ${JSON.stringify(session)}`);
    check(!(await page.evaluate<string>("document.cookie")).includes("treue_console"), "the session cookie is readable by scripts");
    check((await page.evaluate<number>("Object.keys(localStorage).length")) === 0, "the console wrote to localStorage");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.goto(`${world.baseUrl}/console/keys`);
    check(page.url().endsWith("/console/session"), `after sign-out /console/keys went to ${page.url()}`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("refuses a wrong key with the error beside the key field, and sets no cookie", async (world, open) => {
    const { page, errors } = await open();
    await signIn(page, world, "trk_this-key-does-not-exist");
    const field = page.getByLabel("Program key");
    await page.locator(".field-error").getByText("The key is not valid.").waitFor();
    check((await field.getAttribute("aria-invalid")) === "true", "the key field is not marked invalid");
    check((await page.context().cookies()).every((c) => c.name !== "treue_console"), "a refused sign-in set a cookie");
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("claims a reward for a member from the member's page, and the balance drops by its cost", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    const memberId = `shopper-${crypto.randomUUID().slice(0, 8)}`;
    await memberWithPoints(world, program.server, memberId, 100_000);
    const reward = await must(api(world, "POST", "/v1/rewards", program.admin, { name: "5 EUR off", type: "fixed_discount", costPoints: 500, value: { amount: 500, currency: "EUR" } }), "reward");
    const before = (await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance")).available as number;
    const { page, errors } = await open();
    await signIn(page, world, program.admin);
    await page.getByRole("link", { name: "Members" }).click();
    await page.getByLabel("Member id").fill(memberId);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("heading", { name: `Member ${memberId}` }).waitFor();
    await page.getByLabel("Reward").selectOption(reward.id);
    await page.getByRole("button", { name: "Claim for member" }).click();
    await page.getByRole("status").getByText("Claimed").waitFor();
    const after = (await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance")).available as number;
    check(after === before - 500, `balance ${before} -> ${after}`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("closes last month's settlement period after a confirmation, and offers its CSV", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    const now = new Date();
    const lastDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0, 12));
    const period = lastDay.toISOString().slice(0, 7);
    await must(api(world, "PUT", "/v1/members/closer", program.server, {}), "enroll");
    await must(api(world, "POST", "/v1/members/closer/accruals", program.server, { orderId: "late-order", amount: { amount: 4_000, currency: "EUR" }, occurredAt: lastDay.toISOString() }), "accrue last month");
    const { page, errors } = await open();
    await signIn(page, world, program.admin);
    await page.goto(`${world.baseUrl}/console/settlements?period=${period}`);
    await page.getByText("Status: open").waitFor();
    const csv = await fetch(`${world.baseUrl}/console/settlements/${period}/csv`, { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ") } });
    check(csv.status === 200 && (csv.headers.get("content-type") ?? "").startsWith("text/csv"), `csv ${csv.status} ${csv.headers.get("content-type")}`);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Close ${period}` }).click();
    await page.getByRole("status").getByText(`Period ${period} closed.`).waitFor();
    await page.getByText("Status: closed").waitFor();
    const statement = await must(api(world, "GET", `/v1/settlements/${period}`, program.admin), "statement");
    check(statement.status === "closed", `statement ${statement.status}`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("shows the API's field errors beside the field, keeps the values, and moves focus to the problem", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    const { page, errors } = await open();
    await signIn(page, world, program.admin);
    await page.getByRole("link", { name: "Rewards" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Tote bag");
    await page.getByLabel("Cost in points").fill("-5");
    await page.getByRole("button", { name: "Create reward" }).click();
    const cost = page.getByLabel("Cost in points");
    await page.locator("#create-reward-costPoints-error").waitFor();
    check((await cost.getAttribute("aria-invalid")) === "true", "the cost field is not marked invalid");
    check((await page.getByLabel("Name", { exact: true }).inputValue()) === "Tote bag", "the name was lost");
    check(await page.evaluate<boolean>("document.activeElement?.classList.contains('problem') ?? false"), "focus is not on the problem");
    const rewards = await must(api(world, "GET", "/v1/rewards", program.admin), "rewards");
    check(rewards.data.length === 0, "a refused form created a reward");
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("fits a 360 px phone: no page scrolls sideways, and the first Tab stop, the skip link, takes focus to the content", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    await memberWithPoints(world, program.server, "phone-shopper");
    const { page, errors } = await open();
    await page.setViewportSize({ width: 360, height: 740 });
    await signIn(page, world, program.admin);
    for (const path of ["/console", "/console/members/phone-shopper", "/console/rewards", "/console/settlements", "/console/keys", "/console/settings"]) {
      await page.goto(`${world.baseUrl}${path}`);
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      check(width <= 360, `${path} is ${width} px wide at 360 px`);
    }
    await page.keyboard.press("Tab");
    check((await page.evaluate<string>("document.activeElement?.textContent ?? ''")) === "Skip to content", "the first Tab stop is not the skip link");
    await page.keyboard.press("Enter");
    check((await page.evaluate<string>("document.activeElement?.id ?? ''")) === "content", "the skip link does not move focus to the main content");
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("shows a server key a read-only view: no forms, no admin pages", async (world, open) => {
    const program = await createProgram(world, SETTINGS);
    await memberWithPoints(world, program.server, "reader");
    const { page, errors } = await open();
    await signIn(page, world, program.server);
    await page.getByText("(read-only)").waitFor();
    const nav = page.getByRole("navigation", { name: "Console" });
    check((await nav.getByRole("link", { name: "Keys" }).count()) === 0, "a server key sees the keys page");
    await page.goto(`${world.baseUrl}/console/members/reader`);
    await page.getByRole("heading", { name: "Member reader" }).waitFor();
    check((await page.locator("main form[method=post]").count()) === 0, "a read-only page has forms");
    const keys = await page.goto(`${world.baseUrl}/console/keys`);
    check(keys?.status() === 403, `keys page answered ${keys?.status()}`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("creates a campaign, activates it, and the next accrual earns by it", async (world, open) => {
    if (!(await hasRoute(world, "post", "/v1/campaigns"))) throw new Pending("POST /v1/campaigns is not in this build");
    const program = await createProgram(world, { currency: "EUR", pendingDays: 0 });
    const memberId = `shopper-${crypto.randomUUID().slice(0, 8)}`;
    const earned = async (orderId: string) => {
      const before = (await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance")).available as number;
      await must(api(world, "POST", `/v1/members/${memberId}/accruals`, program.server, { orderId, amount: { amount: 10_000, currency: "EUR" } }), "accrue");
      return ((await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance")).available as number) - before;
    };
    await must(api(world, "PUT", `/v1/members/${memberId}`, program.server, {}), "enroll");
    const plain = await earned("before-campaign");
    const { page, errors } = await open();
    await signIn(page, world, program.admin);
    await page.getByRole("link", { name: "Campaigns" }).click();
    await page.getByLabel("Campaign name").fill("Double points");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.getByRole("status").getByText("Campaign created as a draft.").waitFor();
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("status").getByText("Campaign activated.").waitFor();
    const boosted = await earned("during-campaign");
    check(boosted > plain, `the campaign's accrual earned ${boosted}, the plain one ${plain}`);
    await page.reload();
    const issued = Number(await page.locator(".figures li", { hasText: "Points issued" }).locator("b").textContent());
    check(issued > 0, `the campaign's stats say ${issued} points issued`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("erases a member after typing their id to confirm", async (world, open) => {
    if (!(await hasRoute(world, "post", "/v1/members/{memberId}/erase")) && !(await hasRoute(world, "delete", "/v1/members/{memberId}"))) throw new Pending("member erasure is not in this build");
    const program = await createProgram(world, SETTINGS);
    await memberWithPoints(world, program.server, "to-erase");
    const { page } = await open();
    await signIn(page, world, program.admin);
    await page.goto(`${world.baseUrl}/console/members/to-erase`);
    await page.getByLabel("Type the member id (to-erase) to confirm").fill("to-erase");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Erase member" }).click();
    await page.getByRole("status").getByText("erased").waitFor();
  }),
];
