// The embeddable widget in a real Chromium: served with its headers, renders a member's balance, claims a reward, says when a token is expired or refused, and its demo page is clean.
import type { Page } from "playwright-core";
import { api, browserCase, check, createProgram, memberToken, must, Pending, unsignedToken, type BrowserWorld, type PageError } from "./harness";

const SETTINGS: Record<string, unknown> = {
  currency: "EUR",
  pendingDays: 0,
  tiers: [
    { name: "silver", threshold: 100, multiplierPercent: 125 },
    { name: "gold", threshold: 5000, multiplierPercent: 150 },
  ],
};

/** A member of a fresh program with points from two orders, and what the API says of their balance. */
async function memberWithPoints(world: BrowserWorld, settings: Record<string, unknown> = {}, memberId = `shopper-${crypto.randomUUID().slice(0, 8)}`) {
  const program = await createProgram(world, { ...SETTINGS, ...settings });
  await must(api(world, "PUT", `/v1/members/${memberId}`, program.server, { email: "ada@example.com" }), "enroll");
  for (const [order, amount] of [["o-1", 12_000], ["o-2", 4_999]] as const) {
    await must(api(world, "POST", `/v1/members/${memberId}/accruals`, program.server, { orderId: `${memberId}-${order}`, amount: { amount, currency: "EUR" } }), "accrue");
  }
  const balance = await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance");
  return { program, memberId, balance };
}

/** A shop's page on its own origin that embeds the widget from the Worker, as the README's snippet says. */
async function openShopPage(page: Page, world: BrowserWorld, token: string) {
  await page.goto(
    world.shopPage(`<!doctype html><html lang="en"><head><link rel="icon" href="data:,"></head><body><h1>A shop</h1><script src="${world.baseUrl}/widget.js"></script><treue-widget token="${token}"></treue-widget></body></html>`),
  );
  return page.locator("treue-widget");
}

/**
 * The /v1/me routes of rewards and referrals, were this build without them
 * (the widget leaves their sections out): Chromium logs their 404s as console
 * errors, which are expected until those routes are mounted.
 */
async function missingMeRoutes(world: BrowserWorld, token: string): Promise<string[]> {
  const missing: string[] = [];
  for (const path of ["/v1/me/rewards", "/v1/me/referral"]) {
    const res = await fetch(`${world.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { detail?: string };
    if (res.status === 404 && /No route/.test(body.detail ?? "")) missing.push(path);
  }
  return missing;
}

/**
 * The page's errors, less the 404s of routes this build does not have and the 422 of
 * /v1/me/referral in a program that runs no referrals (the widget leaves the section out).
 */
function unexpected(errors: PageError[], missing: string[] = []): string[] {
  return errors
    .filter((e) => !(e.text.includes("404") && missing.some((path) => e.url.endsWith(path))))
    .filter((e) => !(e.text.includes("422") && e.url.endsWith("/v1/me/referral")))
    .map((e) => e.text);
}

export const cases = [
  browserCase("serves /widget.js as JavaScript with cache headers, an ETag and a 304 on revalidation, a few KB in size", async (world) => {
    const res = await fetch(`${world.baseUrl}/widget.js`);
    check(res.status === 200, `status ${res.status}`);
    check(res.headers.get("content-type")?.startsWith("application/javascript"), `content-type ${res.headers.get("content-type")}`);
    check(/max-age=\d+/.test(res.headers.get("cache-control") ?? ""), `cache-control ${res.headers.get("cache-control")}`);
    const etag = res.headers.get("etag");
    check(etag && /^"[0-9a-f]+"$/.test(etag), `etag ${etag}`);
    const script = await res.text();
    check(script.length < 40 * 1024, `${script.length} bytes`);
    check(!/https?:\/\//i.test(script), "the script names an outside URL");
    const again = await fetch(`${world.baseUrl}/widget.js`, { headers: { "if-none-match": etag } });
    check(again.status === 304, `revalidation answered ${again.status}`);
    check((await again.text()) === "", "a 304 has no body");
  }),

  browserCase("shows a clear error for an expired token, in an alert live region, without asking the API", async (world, open) => {
    const { page, errors } = await open();
    let asked = 0;
    page.on("request", (request) => void (request.url().includes("/v1/") && asked++));
    const widget = await openShopPage(page, world, unsignedToken({ sub: "shopper-1", exp: Math.floor(Date.now() / 1000) - 60, scope: "read claim" }));
    const alert = widget.getByRole("alert");
    await alert.getByText("Your session has expired").waitFor();
    check((await widget.locator(".points").count()) === 0, "an expired token still shows points");
    check(asked === 0, `the widget called the API ${asked} time(s)`);
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),

  browserCase("says the session has expired when the token expires while the page is open", async (world, open) => {
    const { program, memberId, balance } = await memberWithPoints(world);
    const token = await memberToken(world, program.server, memberId, { ttlSeconds: 60 });
    const { page } = await open();
    // The page's own clock: the token's minute and the widget's leeway pass without waiting for them.
    await page.clock.install({ time: new Date() });
    await page.goto(`${world.baseUrl}/widget/demo?token=${encodeURIComponent(token)}`);
    await page.locator(`#default-widget .points[data-points="${balance.available}"]`).waitFor();
    await page.clock.fastForward(3 * 60_000);
    await page.locator("#default-widget").getByRole("alert").getByText("Your session has expired").waitFor();
    check((await page.locator("#default-widget .points").count()) === 0, "points still shown after the token expired");
  }),

  browserCase("shows a clear error for a token that is not a token", async (world, open) => {
    const { page } = await open();
    const widget = await openShopPage(page, world, "not-a-jwt");
    await widget.getByRole("alert").getByText("The member token is not valid").waitFor();
  }),

  browserCase("shows the API's refusal of a tampered token", async (world, open) => {
    const { program, memberId } = await memberWithPoints(world);
    const token = await memberToken(world, program.server, memberId);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url")}.${signature}`;
    const { page } = await open();
    await page.goto(`${world.baseUrl}/widget/demo?token=${encodeURIComponent(tampered)}`);
    await page.locator("#default-widget").getByRole("alert").getByText("The member token is not valid").waitFor();
    check((await page.locator("#default-widget .points").count()) === 0, "a tampered token still shows points");
  }),

  browserCase("the demo page renders a member's balance, its money value, tier, progress and next expiry with no console errors", async (world, open) => {
    const { program, memberId, balance } = await memberWithPoints(world);
    check(balance.available > 0 && balance.nextTier, `setup: ${JSON.stringify(balance)}`);
    const token = await memberToken(world, program.server, memberId, { scopes: ["read"] });
    const missing = await missingMeRoutes(world, token);
    const { page, errors } = await open();
    await page.goto(`${world.baseUrl}/widget/demo?token=${encodeURIComponent(token)}`);
    const widget = page.locator("#default-widget");
    const points = widget.locator(".points");
    await points.waitFor();
    check((await points.getAttribute("data-points")) === String(balance.available), `points ${await points.getAttribute("data-points")} vs ${balance.available}`);
    const value = new Intl.NumberFormat("en", { style: "currency", currency: "EUR" }).format(balance.availableValue.amount / 100);
    await widget.locator(".value").getByText(`Worth ${value}`).waitFor();
    await widget.locator(".tier").getByText(balance.tier ?? "No tier yet").waitFor();
    const bar = widget.getByRole("progressbar", { name: `Progress to ${balance.nextTier.name}` });
    const expected = Math.floor((balance.qualifyingPoints * 100) / (balance.qualifyingPoints + balance.nextTier.pointsNeeded));
    check((await bar.getAttribute("aria-valuenow")) === String(expected), `progress ${await bar.getAttribute("aria-valuenow")} vs ${expected}`);
    if (balance.nextExpiries.length > 0) await widget.locator(".expiry").waitFor();
    // A read-only token shows rewards (if any) without claim buttons.
    check((await widget.getByRole("button", { name: /^Claim/ }).count()) === 0, "a read-only token shows claim buttons");
    await page.locator("#themed-widget .points").waitFor();
    check((await widget.getByRole("alert").textContent()) === "", `alert: ${await widget.getByRole("alert").textContent()}`);
    check(unexpected(errors, missing).length === 0, `page errors: ${unexpected(errors, missing).join("; ")}`);
  }),

  browserCase("renders on a shop's own origin when the program allows it in its CORS settings", async (world, open) => {
    const { program, memberId, balance } = await memberWithPoints(world, { cors: { allowedOrigins: [world.shopOrigin] } });
    const token = await memberToken(world, program.server, memberId);
    const missing = await missingMeRoutes(world, token);
    const { page, errors } = await open();
    const widget = await openShopPage(page, world, token);
    await widget.locator(`.points[data-points="${balance.available}"]`).waitFor();
    check(unexpected(errors, missing).length === 0, `page errors: ${unexpected(errors, missing).join("; ")}`);
  }),

  browserCase("says it cannot reach Treue on a shop's origin the program does not allow", async (world, open) => {
    const { program, memberId } = await memberWithPoints(world);
    const token = await memberToken(world, program.server, memberId);
    const { page } = await open();
    const widget = await openShopPage(page, world, token);
    await widget.getByRole("alert").getByText("could not be reached").waitFor();
    check((await widget.locator(".points").count()) === 0, "points shown without CORS");
  }),

  browserCase("claims a reward with the keyboard when the token has the claim scope", async (world, open) => {
    const { program, memberId, balance } = await memberWithPoints(world);
    const reward = await api(world, "POST", "/v1/rewards", program.admin, { name: "5 EUR off", type: "fixed_discount", costPoints: 50, value: { amount: 500, currency: "EUR" } });
    if (reward.status === 404 && /No route/.test(reward.body?.detail ?? "")) throw new Pending("POST /v1/rewards is not in this build");
    check(reward.status === 201, `create reward: ${reward.status} ${JSON.stringify(reward.body)}`);
    const token = await memberToken(world, program.server, memberId, { scopes: ["read", "claim"] });
    const missing = await missingMeRoutes(world, token);
    check(!missing.includes("/v1/me/rewards"), "GET /v1/me/rewards is not mounted");
    const { page, errors } = await open();
    await page.goto(`${world.baseUrl}/widget/demo?token=${encodeURIComponent(token)}`);
    const widget = page.locator("#default-widget");
    const claim = widget.getByRole("button", { name: "Claim 5 EUR off" });
    await claim.focus();
    await page.keyboard.press("Enter");
    await widget.getByRole("status").getByText("Claimed 5 EUR off").waitFor();
    const after = await must(api(world, "GET", `/v1/members/${memberId}/balance`, program.server), "balance after");
    check(after.available === balance.available - 50, `balance ${after.available}, expected ${balance.available - 50}`);
    await widget.locator(`.points[data-points="${after.available}"]`).waitFor();
    check(unexpected(errors, missing).length === 0, `page errors: ${unexpected(errors, missing).join("; ")}`);
  }),

  browserCase("shows the member's referral link with a copy button", async (world, open) => {
    const { program, memberId } = await memberWithPoints(world);
    const token = await memberToken(world, program.server, memberId);
    const missing = await missingMeRoutes(world, token);
    check(!missing.includes("/v1/me/referral"), "GET /v1/me/referral is not mounted");
    await must(api(world, "PATCH", "/v1/program", program.admin, { referrals: { enabled: true, shareLinkTemplate: "https://shop.example/r/{code}" } }), "enable referrals");
    const referral = await must(api(world, "GET", `/v1/members/${memberId}/referral`, program.server), "referral");
    const { page, errors } = await open();
    await page.goto(`${world.baseUrl}/widget/demo?token=${encodeURIComponent(token)}`);
    const widget = page.locator("#default-widget");
    const link = widget.getByRole("textbox", { name: "Your referral link" });
    await link.waitFor();
    check((await link.inputValue()) === referral.shareLink, `link ${await link.inputValue()} vs ${referral.shareLink}`);
    await widget.getByRole("button", { name: "Copy" }).waitFor();
    check(unexpected(errors, missing).length === 0, `page errors: ${unexpected(errors, missing).join("; ")}`);
  }),

  browserCase("the demo page loads with no console errors and says when it has no token", async (world, open) => {
    const { page, errors } = await open();
    const res = await page.goto(`${world.baseUrl}/widget/demo`);
    check(res?.status() === 200, `status ${res?.status()}`);
    await page.locator("#default-widget").getByRole("alert").getByText("No member token").waitFor();
    check((await page.locator("treue-widget").count()) === 2, "the demo shows the default and the themed widget");
    check(unexpected(errors).length === 0, `page errors: ${unexpected(errors).join("; ")}`);
  }),
];
