// The balance read before the router answers its plain case exactly as the route does, and leaves
// everything else to the app.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app/build-app";
import { balanceReadBeforeRouter, balanceReadTarget } from "../src/routes/members/balance-read";
import { accrue, BASE, call, createProgram, enroll, redeem, type TestProgram } from "./helpers";

const app = buildApp();

async function throughApp(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The path before the router: whether it answered, and what. */
async function beforeRouter(request: Request) {
  const answer = balanceReadBeforeRouter(request, env);
  return { answered: answer !== null, res: answer === null ? null : await answer };
}

async function snapshot(res: Response) {
  return { status: res.status, headers: [...res.headers].sort(([a], [b]) => a.localeCompare(b)), body: await res.text() };
}

function balanceRequest(path: string, key: string | null, headers: Record<string, string> = {}) {
  return new Request(`${BASE}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
}

let p: TestProgram;
let earned = 0;

beforeAll(async () => {
  p = await createProgram();
  await enroll(p.admin, "ada");
  for (const key of [p.server, p.partner]) {
    const accrual = await accrue(key, "ada", 500_000);
    expect(accrual.status).toBe(201);
    earned += accrual.json.points;
  }
  expect((await redeem(p.server, "ada", 700, { mode: "hold" })).status).toBe(201);
  // Each key resolved once through the app, as any first request of an isolate is.
  for (const key of [p.admin, p.server, p.partner]) expect((await call("/v1/members/ada/balance", { key })).status).toBe(200);
});

describe("which requests are the plain balance read", () => {
  it("takes a GET of /v1/members/{id}/balance with an id that needs no decoding", () => {
    expect(balanceReadTarget("GET", `${BASE}/v1/members/ada/balance`)).toBe("ada");
    expect(balanceReadTarget("GET", `${BASE}/v1/members/gid:shopify.Customer-1042@x+y/balance?fresh=1`)).toBe("gid:shopify.Customer-1042@x+y");
  });

  it("leaves every other request to the router", () => {
    for (const [method, path] of [
      ["POST", "/v1/members/ada/balance"],
      ["HEAD", "/v1/members/ada/balance"],
      ["GET", "/v1/members/ada/balance/"],
      ["GET", "/v1/members/ada"],
      ["GET", "/v1/members//balance"],
      ["GET", "/v1/members/a/b/balance"],
      ["GET", "/v1/members/a%20b/balance"],
      ["GET", "/v1/members/../balance"],
      ["GET", "/v1/members/./balance"],
      ["GET", "/v2/members/ada/balance"],
      ["GET", "/v1/me/balance"],
    ]) {
      expect(balanceReadTarget(method!, `${BASE}${path}`), `${method} ${path}`).toBeNull();
    }
    expect(balanceReadTarget("GET", `${BASE}/v1/members/${"x".repeat(256)}/balance`)).toBeNull();
  });
});

describe("the plain read", () => {
  it("answers for each key's role as the route does, without the app", async () => {
    for (const key of [p.admin, p.server, p.partner]) {
      const request = () => balanceRequest("/v1/members/ada/balance", key, { "x-request-id": "read-1" });
      const fast = await beforeRouter(request());
      expect(fast.answered).toBe(true);
      expect(await snapshot(fast.res!)).toEqual(await snapshot(await throughApp(request())));
    }
  });

  it("shows the balance with the held and pending points, and a partner what the route shows it", async () => {
    const server = await (await beforeRouter(balanceRequest("/v1/members/ada/balance", p.server))).res!.json();
    expect(server).toMatchObject({ available: earned - 700, held: 700, pending: 0 });
    const partner = await beforeRouter(balanceRequest("/v1/members/ada/balance", p.partner));
    expect(partner.answered).toBe(true);
    expect(await partner.res!.json()).toEqual(await (await throughApp(balanceRequest("/v1/members/ada/balance", p.partner))).json());
  });

  it("gives each request a new id unless the caller sent one, and keeps the caller's first 64 characters", async () => {
    const first = (await beforeRouter(balanceRequest("/v1/members/ada/balance", p.server))).res!;
    const second = (await beforeRouter(balanceRequest("/v1/members/ada/balance", p.server))).res!;
    expect(first.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get("x-request-id")).not.toBe(second.headers.get("x-request-id"));
    const long = "r".repeat(80);
    const sent = (await beforeRouter(balanceRequest("/v1/members/ada/balance", p.server, { "x-request-id": long }))).res!;
    expect(sent.headers.get("x-request-id")).toBe(long.slice(0, 64));
  });

  it("sees every write that came before it", async () => {
    await enroll(p.server, "grace");
    let available = 0;
    for (let i = 1; i <= 3; i++) {
      const accrual = await accrue(p.server, "grace", 100_000 * i);
      expect(accrual.status).toBe(201);
      available += accrual.json.points;
      const read = await beforeRouter(balanceRequest("/v1/members/grace/balance", p.server));
      expect(read.answered).toBe(true);
      expect(((await read.res!.json()) as { available: number }).available).toBe(available);
    }
    expect(available).toBeGreaterThan(0);
  });
});

describe("refusals, and the requests left to the app", () => {
  it("refuses an unknown member with the route's 404", async () => {
    const request = () => balanceRequest("/v1/members/nobody/balance", p.server, { "x-request-id": "read-2" });
    const fast = await beforeRouter(request());
    expect(fast.answered).toBe(true);
    const answer = await snapshot(fast.res!);
    expect(answer).toEqual(await snapshot(await throughApp(request())));
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ code: "member_not_found", requestId: "read-2" });
  });

  it("does not answer without a program key this isolate resolved", async () => {
    for (const request of [
      balanceRequest("/v1/members/ada/balance", null),
      balanceRequest("/v1/members/ada/balance", "trk_not-a-key-anyone-issued"),
      balanceRequest("/v1/members/ada/balance", null, { authorization: p.server }),
      balanceRequest("/v1/members/ada/balance", env.ADMIN_TOKEN),
    ]) {
      expect((await beforeRouter(request)).answered).toBe(false);
    }
  });

  it("stops answering for a key the moment it is revoked", async () => {
    const issued = await call("/v1/keys", { key: p.admin, body: { role: "server", name: "till 4" } });
    const key = issued.json.key as string;
    expect((await call("/v1/members/ada/balance", { key })).status).toBe(200);
    expect((await beforeRouter(balanceRequest("/v1/members/ada/balance", key))).answered).toBe(true);
    expect((await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    expect((await beforeRouter(balanceRequest("/v1/members/ada/balance", key))).answered).toBe(false);
    expect((await call("/v1/members/ada/balance", { key })).status).toBe(401);
  });

  it("leaves an id that needs decoding to the router, which reads the same member", async () => {
    await enroll(p.server, "ada lovelace");
    const request = balanceRequest("/v1/members/ada%20lovelace/balance", p.server);
    expect((await beforeRouter(request)).answered).toBe(false);
    expect((await call("/v1/members/ada%20lovelace/balance", { key: p.server })).json).toMatchObject({ available: 0 });
  });
});
