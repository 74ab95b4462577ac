// The ledger writes answered before the router (accrual, redemption, refund, a hold's capture and cancel)
// answer their plain case exactly as their routes do, hand every request their validators refuse to the
// app as it came, and leave everything else to the app.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app/build-app";
import { plainWriteOf, writeBeforeRouter } from "../src/app/writes-before-router";
import { ACCRUAL_ROUTE, REDEMPTION_ROUTE, REFUND_ROUTE } from "../src/routes/members/members.handlers";
import { accrue, BASE, call, createProgram, enroll, type TestProgram } from "./helpers";

const app = buildApp();

async function throughApp(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The path before the router, with the app behind it for what it hands on: whether it answered, what, and whether the app did. */
async function beforeRouter(request: Request) {
  let handedOn = false;
  const answer = writeBeforeRouter(request, env, (unrouted) => {
    handedOn = true;
    return throughApp(unrouted);
  });
  return { answered: answer !== null, res: answer === null ? null : await answer, handedOn };
}

async function snapshot(res: Response) {
  return { status: res.status, headers: [...res.headers].sort(([a], [b]) => a.localeCompare(b)), body: await res.text() };
}

let counter = 0;

/** A POST as a storefront sends it: JSON with its length, a key, a fresh Idempotency-Key unless given. */
function post(path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const sent: Record<string, string> = { "idempotency-key": `before-router-${++counter}`, ...headers };
  if (key) sent.authorization = `Bearer ${key}`;
  if (text !== undefined) {
    sent["content-type"] ??= "application/json";
    sent["content-length"] ??= String(new TextEncoder().encode(text).length);
  }
  return new Request(`${BASE}${path}`, { method: "POST", headers: sent, body: text });
}

/** The same request twice: to send it once to each path. */
function twice(path: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  const idempotency = { "idempotency-key": `before-router-${++counter}`, ...headers };
  return [post(path, key, body, idempotency), post(path, key, body, idempotency)] as const;
}

const order = () => `order-br-${++counter}`;
const eur = (amount: number) => ({ amount, currency: "EUR" });

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram();
  for (const id of ["ada", "grace", "linus"]) await enroll(p.admin, id);
  for (const id of ["ada", "grace", "linus"]) expect((await accrue(p.server, id, 500_000)).status).toBe(201);
  // Each key resolved once through the app, as any first request of an isolate is.
  for (const key of [p.admin, p.server, p.partner]) expect((await call("/v1/members/ada/balance", { key })).status).toBe(200);
});

describe("which requests are the plain writes", () => {
  it("takes a POST of an accrual, a redemption, a refund, a capture or a cancel with a target its route would take", () => {
    expect(plainWriteOf("POST", `${BASE}/v1/members/ada/accruals`)?.target).toBe("ada");
    expect(plainWriteOf("POST", `${BASE}/v1/members/gid:shopify.Customer-1042@x+y/redemptions?x=1`)?.target).toBe("gid:shopify.Customer-1042@x+y");
    expect(plainWriteOf("POST", `${BASE}/v1/members/ada/refunds`)?.target).toBe("ada");
    expect(plainWriteOf("POST", `${BASE}/v1/redemptions/red_01JDZ8K3M4N5P6Q7R8S9T0V1W2/capture`)?.target).toBe("red_01JDZ8K3M4N5P6Q7R8S9T0V1W2");
    expect(plainWriteOf("POST", `${BASE}/v1/redemptions/red_01JDZ8K3M4N5P6Q7R8S9T0V1W2/cancel`)?.target).toBe("red_01JDZ8K3M4N5P6Q7R8S9T0V1W2");
  });

  it("leaves every other request to the router", () => {
    for (const [method, path] of [
      ["GET", "/v1/members/ada/accruals"],
      ["PUT", "/v1/members/ada/redemptions"],
      ["POST", "/v1/members/ada/accruals/"],
      ["POST", "/v1/members//accruals"],
      ["POST", "/v1/members/accruals"],
      ["POST", "/v1/members/a/b/accruals"],
      ["POST", "/v1/members/a%20b/accruals"],
      ["POST", "/v1/members/../accruals"],
      ["POST", "/v1/members/ada/tokens"],
      ["POST", "/v1/redemptions/red_nope/capture"],
      ["POST", "/v1/redemptions/red_01JDZ8K3M4N5P6Q7R8S9T0V1W2/reverse"],
      ["POST", "/v1/me/redemptions"],
      ["POST", "/v2/members/ada/accruals"],
    ]) {
      expect(plainWriteOf(method!, `${BASE}${path}`), `${method} ${path}`).toBeNull();
    }
    expect(plainWriteOf("POST", `${BASE}/v1/members/${"x".repeat(256)}/accruals`)).toBeNull();
  });
});

describe("the plain writes", () => {
  it("hash a request under the route's path as the router names it, so a key's retries match across versions", () => {
    // An Idempotency-Key's request hash covers the route path (Hono's routePath when the handler built it from the context).
    const posted = app.routes.filter((r) => r.method === "POST").map((r) => r.path);
    for (const path of [ACCRUAL_ROUTE, REDEMPTION_ROUTE, REFUND_ROUTE, "/v1/redemptions/:id/capture", "/v1/redemptions/:id/cancel"]) expect(posted).toContain(path);
  });

  it("write once under a key, whichever path takes the first request and whichever the retry", async () => {
    for (const [first, retry] of [
      [beforeRouter, throughApp],
      [throughApp, beforeRouter],
    ] as const) {
      const body = { orderId: order(), amount: eur(4_990), channel: "store" };
      const [a, b] = twice("/v1/members/ada/accruals", p.server, body, { "x-request-id": "write-1" });
      const once = await first(a);
      const answer = once instanceof Response ? once : once.res!;
      const replayed = await retry(b);
      const replay = replayed instanceof Response ? replayed : replayed.res!;
      expect(answer.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(answer.headers.get("idempotent-replayed")).toBeNull();
      // The same request hash on both paths (route, target, validated body): the retry is the first answer again.
      expect(await replay.json()).toEqual(await answer.json());
    }
    expect((await call("/v1/members/ada/transactions?limit=200", { key: p.server })).json.data.filter((e: { type: string }) => e.type === "earn")).toHaveLength(3);
  });

  it("answers an accrual, a redemption and a refund as their routes do, for each key's role", async () => {
    for (const key of [p.admin, p.server, p.partner]) {
      const earned = order();
      const writes: [string, unknown][] = [
        ["/v1/members/grace/accruals", { orderId: earned, amount: eur(2_000) }],
        ["/v1/members/grace/redemptions", { points: 3 }],
        ["/v1/members/grace/refunds", { orderId: earned, amount: eur(1_000) }],
      ];
      for (const [path, body] of writes) {
        // One request first through the path before the router, its retry through the app: same status, headers and body.
        const [a, b] = twice(path, key, body, { "x-request-id": "write-2" });
        const fast = await beforeRouter(a);
        expect(fast.answered && !fast.handedOn).toBe(true);
        const answer = await snapshot(fast.res!);
        const replay = await snapshot(await throughApp(b));
        expect(replay.status).toBe(answer.status);
        expect(replay.body).toBe(answer.body);
        expect(replay.headers.filter(([name]) => name !== "idempotent-replayed")).toEqual(answer.headers);
        expect(answer.status).toBe(201);
      }
    }
  });

  it("captures and cancels holds as the routes do, and replays each", async () => {
    for (const action of ["capture", "cancel"] as const) {
      const hold = await beforeRouter(post("/v1/members/linus/redemptions", p.server, { points: 40, mode: "hold" }));
      const { id } = (await hold.res!.json()) as { id: string };
      const [a, b] = [post(`/v1/redemptions/${id}/${action}`, p.server, undefined, { "idempotency-key": `${action}-${id}` }), post(`/v1/redemptions/${id}/${action}`, p.server, undefined, { "idempotency-key": `${action}-${id}` })];
      const fast = await beforeRouter(a);
      expect(fast.answered).toBe(true);
      const answer = await fast.res!.json();
      expect(fast.res!.status).toBe(200);
      expect(answer).toMatchObject({ id, status: action === "capture" ? "captured" : "cancelled" });
      const replay = await throughApp(b);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(await replay.json()).toEqual(answer);
    }
  });

  it("gives a partner key what its routes give it, and hides other partners' holds", async () => {
    const body = { orderId: order(), amount: eur(3_000) };
    const [a, b] = twice("/v1/members/linus/accruals", p.partner, body);
    const fast = await snapshot((await beforeRouter(a)).res!);
    const app = await snapshot(await throughApp(b));
    expect(app.body).toBe(fast.body);
    const hold = await beforeRouter(post("/v1/members/linus/redemptions", p.server, { points: 5, mode: "hold" }));
    const { id } = (await hold.res!.json()) as { id: string };
    const [c, d] = [post(`/v1/redemptions/${id}/capture`, p.partner, undefined, { "x-request-id": "write-3" }), post(`/v1/redemptions/${id}/capture`, p.partner, undefined, { "x-request-id": "write-3" })];
    const hidden = await beforeRouter(c);
    expect(hidden.answered).toBe(true);
    const refusal = await snapshot(hidden.res!);
    expect(refusal).toEqual(await snapshot(await throughApp(d)));
    expect(refusal.status).toBe(404);
  });
});

describe("refusals", () => {
  it("refuses what the ledger refuses with the route's problem, and replays a kept refusal as first sent", async () => {
    const refused = [
      ["/v1/members/grace/redemptions", { points: 900_000_000 }, 422, "insufficient_points"],
      ["/v1/members/nobody/accruals", { orderId: order(), amount: eur(100) }, 404, "member_not_found"],
      ["/v1/members/grace/refunds", { orderId: "never-earned", amount: eur(100) }, 404, "order_not_found"],
      ["/v1/members/grace/accruals", { orderId: order(), amount: eur(100), occurredAt: "2999-01-01T00:00:00Z" }, 422, "occurred_in_future"],
      ["/v1/redemptions/red_01JDZ8K3M4N5P6Q7R8S9T0V1W2/capture", undefined, 404, "redemption_not_found"],
    ] as const;
    for (const [path, body, status, code] of refused) {
      const fast = await beforeRouter(post(path, p.server, body, { "x-request-id": "refused-1", "idempotency-key": `refused-fast-${path}` }));
      expect(fast.answered && !fast.handedOn, path).toBe(true);
      const answer = await snapshot(fast.res!);
      expect(answer).toEqual(await snapshot(await throughApp(post(path, p.server, body, { "x-request-id": "refused-1", "idempotency-key": `refused-app-${path}` }))));
      expect(answer.status, path).toBe(status);
      expect(JSON.parse(answer.body), path).toMatchObject({ code, requestId: "refused-1" });
    }
    // The kept refusal replays with the first answer's requestId, marked as a replay, on either path.
    const again = await beforeRouter(post(refused[0][0], p.server, refused[0][1], { "x-request-id": "refused-2", "idempotency-key": `refused-fast-${refused[0][0]}` }));
    expect(again.res!.headers.get("idempotent-replayed")).toBe("true");
    expect(again.res!.headers.get("x-request-id")).toBe("refused-2");
    expect(await again.res!.json()).toMatchObject({ code: "insufficient_points", requestId: "refused-1" });
  });

  it("hands a body its validators refuse to the app as it came, which refuses it", async () => {
    for (const [path, text, code] of [
      ["/v1/members/ada/accruals", "{ not json", "invalid_json"],
      ["/v1/members/ada/accruals", JSON.stringify({ orderId: order(), amount: eur(-5) }), "validation_failed"],
      ["/v1/members/ada/accruals", JSON.stringify({ orderId: order(), amount: eur(100), extra: true }), "validation_failed"],
      ["/v1/members/ada/redemptions", JSON.stringify({ points: 0 }), "validation_failed"],
      ["/v1/members/ada/refunds", "[]", "validation_failed"],
    ]) {
      const fast = await beforeRouter(post(path!, p.server, text, { "x-request-id": "invalid-1", "idempotency-key": "invalid-1" }));
      expect(fast.answered && fast.handedOn, text).toBe(true);
      const answer = await snapshot(fast.res!);
      expect(answer).toEqual(await snapshot(await throughApp(post(path!, p.server, text, { "x-request-id": "invalid-1", "idempotency-key": "invalid-1" }))));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body), text).toMatchObject({ code });
    }
  });

  it("leaves a request that is not the plain case to the app, unread", async () => {
    const body = { orderId: order(), amount: eur(100) };
    const text = JSON.stringify(body);
    for (const [why, request] of [
      ["no key", post("/v1/members/ada/accruals", null, body)],
      ["a key not resolved here", post("/v1/members/ada/accruals", "trk_not-a-key-anyone-issued", body)],
      ["the platform token", post("/v1/members/ada/accruals", env.ADMIN_TOKEN, body)],
      ["no Idempotency-Key", new Request(`${BASE}/v1/members/ada/accruals`, { method: "POST", headers: { authorization: `Bearer ${p.server}`, "content-type": "application/json", "content-length": String(text.length) }, body: text })],
      ["a spaced Idempotency-Key", post("/v1/members/ada/accruals", p.server, body, { "idempotency-key": "a b" })],
      ["another spelling of JSON", post("/v1/members/ada/accruals", p.server, body, { "content-type": "application/json; charset=utf-8" })],
      ["no declared length", new Request(`${BASE}/v1/members/ada/accruals`, { method: "POST", headers: { authorization: `Bearer ${p.server}`, "content-type": "application/json", "idempotency-key": "k-1" }, body: text })],
      ["a length past the limit", post("/v1/members/ada/accruals", p.server, body, { "content-length": String(64 * 1024 + 1) })],
      ["a body on a capture", post("/v1/redemptions/red_01JDZ8K3M4N5P6Q7R8S9T0V1W2/capture", p.server, body)],
      ["no body on an accrual", post("/v1/members/ada/accruals", p.server)],
    ] as const) {
      const fast = await beforeRouter(request);
      expect(fast.answered, why).toBe(false);
      expect(request.bodyUsed, why).toBe(false);
    }
  });

  it("stops answering for a key the moment it is revoked", async () => {
    const issued = await call("/v1/keys", { key: p.admin, body: { role: "server", name: "till 9" } });
    const key = issued.json.key as string;
    expect((await call("/v1/members/ada/balance", { key })).status).toBe(200);
    expect((await beforeRouter(post("/v1/members/ada/redemptions", key, { points: 1 }))).answered).toBe(true);
    expect((await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    expect((await beforeRouter(post("/v1/members/ada/redemptions", key, { points: 1 }))).answered).toBe(false);
    expect((await call("/v1/members/ada/redemptions", { key, body: { points: 1 } })).status).toBe(401);
  });
});
