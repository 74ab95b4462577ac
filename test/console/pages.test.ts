// Every console page renders for the keys that may open it, with its landmarks, and a page whose API this build lacks says so instead of failing.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PAGES } from "../../src/console/pages";
import { accrue, BASE, createProgram, enroll } from "../helpers";

async function signIn(key: string): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key }).toString(),
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("console pages", () => {
  it("renders every page for an admin key, with landmarks, a labelled field per input and no outside resources", async () => {
    const program = await createProgram({ tiers: [{ name: "silver", threshold: 100, multiplierPercent: 125 }] });
    await enroll(program.server, "ada", { email: "ada@example.com" });
    await accrue(program.server, "ada", 10_000);
    const cookie = await signIn(program.admin);
    for (const target of PAGES) {
      const path = target.path.replace(":memberId", "ada").replace(":id", "cmp_none");
      const res = await exports.default.fetch(`${BASE}${path}`, { headers: { cookie }, redirect: "manual" });
      const text = await res.text();
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(text, path).toMatch(/<main id="content"/);
      expect(text, path).toMatch(/<nav class="main" aria-label="Console">/);
      expect(text, path).not.toMatch(/(src|href)="https?:\/\//);
      for (const [, id] of text.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(text, `${path}: label for ${id}`).toContain(`<label for="${id}">`);
    }
  });

  it("says a feature is not available when its API is not in this build", async () => {
    const program = await createProgram();
    const cookie = await signIn(program.admin);
    const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const [path, api] of [
      ["/console/campaigns", "/v1/campaigns"],
      ["/console/plans", "/v1/membership-plans"],
      ["/console/segments", "/v1/segments"],
    ] as const) {
      if (api in doc.paths) continue;
      const text = await (await exports.default.fetch(`${BASE}${path}`, { headers: { cookie } })).text();
      expect(text, path).toMatch(/is not available in this deployment yet/);
    }
  });

  it("shows a member's balance and ledger, and a missing member as such", async () => {
    const program = await createProgram();
    await enroll(program.server, "grace");
    await accrue(program.server, "grace", 5_000, { orderId: "grace-order-1" });
    const cookie = await signIn(program.admin);
    const text = await (await exports.default.fetch(`${BASE}/console/members/grace`, { headers: { cookie } })).text();
    expect(text).toContain("grace-order-1");
    const missing = await (await exports.default.fetch(`${BASE}/console/members/nobody-here`, { headers: { cookie } })).text();
    expect(missing).toContain("No member <code>nobody-here</code>");
  });

  it("creates a membership plan through its form, when the plans API is in this build", async () => {
    const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    if (!("/v1/membership-plans" in doc.paths)) return;
    const program = await createProgram();
    const cookie = await signIn(program.admin);
    const page = await (await exports.default.fetch(`${BASE}/console/plans`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (form: Record<string, string>) =>
      exports.default.fetch(`${BASE}/console/plans`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, _form: "create-plan", ...form }).toString(),
        redirect: "manual",
      });
    const refused = await post({ name: "Prime", "price.amount": "-1", "price.currency": "EUR", term: "year" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/id="create-plan-price-amount"[^>]*aria-invalid="true"/);
    const created = await post({ name: "Prime", "price.amount": "4900", "price.currency": "EUR", term: "year" });
    expect(created.status).toBe(303);
    expect(await (await exports.default.fetch(`${BASE}/console/plans`, { headers: { cookie } })).text()).toContain("Prime");
  });

  it("previews a cart from the campaigns page, posting where the form's action says", async () => {
    const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    if (!("/v1/earning/preview" in doc.paths)) return;
    const program = await createProgram();
    const cookie = await signIn(program.admin);
    const page = await (await exports.default.fetch(`${BASE}/console/campaigns`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const action = /<form method="post" action="([^"]+)" class="card form" id="preview-cart"/.exec(page)![1]!;
    const res = await exports.default.fetch(`${BASE}${action}`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, _form: "preview-cart", "amount.amount": "2500", "amount.currency": "EUR" }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = decodeURIComponent(res.headers.get("location")!);
    expect(location).toMatch(/^\/console\/campaigns\?preview=/);
    expect(location).toContain('"points": 25');
  });

  it("runs a job now from the jobs page, and the run is listed", async () => {
    const program = await createProgram();
    const cookie = await signIn(program.admin);
    const page = await (await exports.default.fetch(`${BASE}/console/jobs`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await exports.default.fetch(`${BASE}/console/jobs/expire-points/run`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("notice=Ran%20expire-points.");
    const jobs = await (await exports.default.fetch(`${BASE}/console/jobs`, { headers: { cookie } })).text();
    const section = jobs.slice(jobs.indexOf('id="job-expire-points"'), jobs.indexOf('id="job-warn-expiring"'));
    expect(section).not.toContain("None yet.");
  });
});
