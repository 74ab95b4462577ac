// D1 refusing the Worker's own queries (auth, reads, routes that write directly): a 503 to retry, never a 500.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app/build-app";
import { BASE, accrue, createProgram, enroll, redeem } from "../helpers";
import { D1_REFUSALS, d1Error } from "./support";

const app = buildApp();

/** The Worker's D1 binding, refusing every query with `message` as D1 does when overloaded. */
function refusingD1(message: string): D1Database {
  const fail = async () => {
    throw d1Error(message);
  };
  const statement = (): D1PreparedStatement =>
    ({ bind: () => statement(), all: fail, first: fail, raw: fail, run: fail }) as unknown as D1PreparedStatement;
  return new Proxy(env.DB, {
    get: (target, prop) => {
      if (prop === "prepare") return () => statement();
      if (prop === "batch" || prop === "exec") return fail;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** One request through the app with the given D1 binding in place of the real one. */
async function fetchWith(db: D1Database, path: string, init: { method?: string; key: string; body?: unknown }) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { authorization: `Bearer ${init.key}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`${BASE}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const res = await app.fetch(request, { ...env, DB: db }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function expectRetryLater(res: { status: number; headers: Headers; json: any }) {
  expect(res.status, JSON.stringify(res.json)).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.json).toMatchObject({ code: "temporarily_unavailable", status: 503 });
  expect(JSON.stringify(res.json)).not.toMatch(/D1_ERROR|stack/);
}

describe("D1 refusing the Worker's own queries", () => {
  it.each(D1_REFUSALS)("answers an unknown key's lookup with 503, not 401 or 500 (%s)", async (message) => {
    const res = await fetchWith(refusingD1(message), "/v1/program", { key: `trk_never_seen_${crypto.randomUUID()}` });
    expectRetryLater(res);
  });

  const routes: { name: string; request: (ids: { redemptionId: string }) => { method?: string; path: string; body?: unknown } }[] = [
    { name: "a redemption read from D1", request: ({ redemptionId }) => ({ path: `/v1/redemptions/${redemptionId}` }) },
    { name: "the program", request: () => ({ path: "/v1/program" }) },
    { name: "the member's history", request: () => ({ path: "/v1/members/ada/transactions" }) },
    { name: "partners", request: () => ({ path: "/v1/partners" }) },
    { name: "a partner created", request: () => ({ method: "POST", path: "/v1/partners", body: { name: "Another brand" } }) },
    { name: "webhook endpoints", request: () => ({ path: "/v1/webhook-endpoints" }) },
    { name: "a settlement", request: () => ({ path: "/v1/settlements/2026-11" }) },
    { name: "a job run by hand", request: () => ({ method: "POST", path: "/v1/jobs/expire-points/run" }) },
  ];

  it.each(routes)("answers $name with 503 and Retry-After, and works again once D1 does", async ({ request }) => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const redemptionId = (await redeem(p.server, "ada", 10)).json.id as string;
    const { method, path, body } = request({ redemptionId });
    // The key is resolved (and cached) first, so D1 fails the route's own query.
    expect((await fetchWith(env.DB, "/v1/program", { key: p.admin })).status).toBe(200);
    for (const [i, message] of D1_REFUSALS.entries()) {
      const res = await fetchWith(refusingD1(message), path, { method, key: p.admin, body: body && { ...body, name: `Brand ${i}` } });
      expectRetryLater(res);
    }
    const healthy = await fetchWith(env.DB, path, { method, key: p.admin, body });
    expect(healthy.status, JSON.stringify(healthy.json)).toBeLessThan(300);
  });
});
