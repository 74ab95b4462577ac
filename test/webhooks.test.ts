// Webhook endpoints through the API, and events delivered to them through the real local queue, signed.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { fromRow, type WebhookMessage } from "../src/webhooks/events";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";
import { rows } from "./job-helpers";
import { eventually, verified, webhookReceiver } from "./webhooks-receiver";

const receiver = webhookReceiver();

async function register(key: string, body: Record<string, unknown>) {
  const res = await call("/v1/webhook-endpoints", { key, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string; secret: string; url: string; eventTypes: string[] | null; partnerId: string | null };
}

/** A second partner of the program, with its own key. */
async function partnerKey(p: { admin: string; programId: string }, name: string) {
  const partner = await call("/v1/partners", { key: p.admin, body: { name }, idempotencyKey: null });
  const key = await call(`/v1/programs/${p.programId}/keys`, { key: env.ADMIN_TOKEN, body: { role: "partner", name, partnerId: partner.json.id }, idempotencyKey: null });
  expect(key.status).toBe(201);
  return { key: key.json.key as string, partnerId: partner.json.id as string };
}

async function outbox(programId: string) {
  return rows<{ id: string; type: string; partner_id: string | null; sent_at: string | null }>(
    "SELECT id, type, partner_id, sent_at FROM outbox_events WHERE program_id = ? ORDER BY id",
    programId,
  );
}

async function deliveries(key: string, endpointId: string, query = "") {
  const res = await call(`/v1/webhook-endpoints/${endpointId}/deliveries${query}`, { key });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json as { data: Record<string, any>[]; nextCursor: string | null };
}

describe("webhook endpoints", () => {
  it("registers an endpoint and shows its signing secret once", async () => {
    const p = await createProgram();
    const created = await register(p.admin, { url: "https://shop.example/hooks", eventTypes: ["points.earned"], description: "orders" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({ url: "https://shop.example/hooks", eventTypes: ["points.earned"], partnerId: null });

    const one = await call(`/v1/webhook-endpoints/${created.id}`, { key: p.admin });
    expect(one.status).toBe(200);
    const { secret: _secret, ...shown } = created;
    expect(one.json).toEqual(shown);
    const list = await call("/v1/webhook-endpoints", { key: p.admin });
    expect(list.json).toEqual({ data: [shown], nextCursor: null });
    expect(JSON.stringify(list.json)).not.toContain(created.secret);
  });

  it("pages the list by cursor", async () => {
    const p = await createProgram();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await register(p.admin, { url: `https://shop.example/hooks/${i}` })).id);
    const first = await call("/v1/webhook-endpoints?limit=2", { key: p.admin });
    const second = await call(`/v1/webhook-endpoints?limit=2&cursor=${first.json.nextCursor}`, { key: p.admin });
    expect([...first.json.data, ...second.json.data].map((e: { id: string }) => e.id)).toEqual(ids);
    expect(second.json.nextCursor).toBeNull();
  });

  it("deletes an endpoint: it is gone for every route", async () => {
    const p = await createProgram();
    const endpoint = await register(p.admin, { url: "https://shop.example/hooks" });
    expect((await call(`/v1/webhook-endpoints/${endpoint.id}`, { method: "DELETE", key: p.admin })).status).toBe(204);
    for (const [method, path] of [
      ["GET", `/v1/webhook-endpoints/${endpoint.id}`],
      ["GET", `/v1/webhook-endpoints/${endpoint.id}/deliveries`],
      ["DELETE", `/v1/webhook-endpoints/${endpoint.id}`],
    ] as const) {
      const res = await call(path, { method, key: p.admin });
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("webhook_endpoint_not_found");
    }
    expect((await call("/v1/webhook-endpoints", { key: p.admin })).json.data).toEqual([]);
    const [row] = await rows<{ secret: string }>("SELECT secret FROM webhook_endpoints WHERE id = ?", endpoint.id);
    expect(row!.secret, "the secret is erased").toBe("");
  });

  it("refuses addresses off the public internet, however the URL spells them", async () => {
    const p = await createProgram();
    for (const url of ["https://169.254.169.254/latest/meta-data", "https://10.0.0.1/", "https://2852039166/", "https://0xa9fea9fe/", "https://[::ffff:169.254.169.254]/", "https://10.0.0.1.nip.io/"]) {
      const res = await call("/v1/webhook-endpoints", { key: p.admin, body: { url } });
      expect(res.status, url).toBe(422);
      expect(res.json.code).toBe("webhook_url_not_allowed");
    }
    expect((await call("/v1/webhook-endpoints", { key: p.admin })).json.data).toEqual([]);
  });

  describe.each([
    "http://shop.example/hooks",
    "ftp://shop.example/hooks",
    "shop.example/hooks",
    "javascript:alert(1)",
    "https://user:secret@shop.example/hooks",
    "http://10.0.0.1/hooks",
    "http://localhost.shop.example/hooks",
  ])("refuses %s", (url) => {
    it("with 422 webhook_url_not_allowed", async () => {
      const p = await createProgram();
      const res = await call("/v1/webhook-endpoints", { key: p.admin, body: { url } });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.json.code).toBe("webhook_url_not_allowed");
      expect((await call("/v1/webhook-endpoints", { key: p.admin })).json.data).toEqual([]);
    });
  });

  it("allows public https, and this machine over plain http in local development (the tests' binding)", async () => {
    expect(env.WEBHOOKS_ALLOW_LOCAL).toBe("true");
    const p = await createProgram();
    for (const url of ["https://shop.example:8443/hooks", "http://localhost:3000/hooks", "http://127.0.0.1:8080/hooks", "http://[::1]/hooks"]) {
      await register(p.admin, { url });
    }
  });

  it.each([
    ["an unknown event type", { url: "https://shop.example/h", eventTypes: ["points.stolen"] }],
    ["a type twice", { url: "https://shop.example/h", eventTypes: ["points.earned", "points.earned"] }],
    ["no types at all", { url: "https://shop.example/h", eventTypes: [] }],
    ["an unknown field", { url: "https://shop.example/h", secret: "whsec_mine" }],
    ["no url", {}],
  ])("refuses %s with 400", async (_name, body) => {
    const p = await createProgram();
    const res = await call("/v1/webhook-endpoints", { key: p.admin, body });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("keeps a program to 20 endpoints", async () => {
    const p = await createProgram();
    for (let i = 0; i < 20; i++) await register(p.admin, { url: `https://shop.example/hooks/${i}` });
    const res = await call("/v1/webhook-endpoints", { key: p.admin, body: { url: "https://shop.example/one-more" } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("too_many_webhook_endpoints");
  });

  it("keeps the limit under concurrent creates", async () => {
    const p = await createProgram();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call("/v1/webhook-endpoints", { key: p.admin, body: { url: `https://shop.example/race/${i}` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.json.code === "too_many_webhook_endpoints")).toBe(true);
    const [live] = await rows<{ n: number }>("SELECT count(*) AS n FROM webhook_endpoints WHERE program_id = ? AND deleted_at IS NULL", p.programId);
    expect(live!.n).toBe(20);
  });

  it("keeps each partner to its own allowance, apart from the program's", async () => {
    const p = await createProgram();
    const other = await partnerKey(p, "Second brand");
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call("/v1/webhook-endpoints", { key: p.partner, body: { url: `https://partner.example/hooks/${i}` } })),
    );
    expect(burst.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = burst.find((r) => r.status !== 201)!;
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe("too_many_webhook_endpoints");
    // Another partner and the operator still have theirs.
    await register(other.key, { url: "https://second.example/hooks" });
    for (let i = 0; i < 20; i++) await register(p.admin, { url: `https://shop.example/hooks/${i}` });
    expect((await call("/v1/webhook-endpoints", { key: p.admin, body: { url: "https://shop.example/21" } })).json.code).toBe("too_many_webhook_endpoints");
    // A deleted endpoint frees its place.
    const [first] = (await call("/v1/webhook-endpoints?limit=1", { key: p.partner })).json.data;
    expect((await call(`/v1/webhook-endpoints/${first.id}`, { method: "DELETE", key: p.partner })).status).toBe(204);
    await register(p.partner, { url: "https://partner.example/hooks/again" });
  });

  it("is for admin and partner keys only, and a partner sees only its own endpoints", async () => {
    const p = await createProgram();
    const q = await createProgram();
    const mine = await register(p.partner, { url: "https://partner.example/hooks" });
    const admins = await register(p.admin, { url: "https://shop.example/hooks" });
    expect(mine.partnerId).toBe(p.partnerId);

    const server = await call("/v1/webhook-endpoints", { key: p.server, body: { url: "https://shop.example/x" } });
    expect(server.status).toBe(403);
    expect((await call("/v1/webhook-endpoints", { key: p.server })).status).toBe(403);

    expect((await call("/v1/webhook-endpoints", { key: p.partner })).json.data.map((e: { id: string }) => e.id)).toEqual([mine.id]);
    expect((await call("/v1/webhook-endpoints", { key: p.admin })).json.data.map((e: { id: string }) => e.id).sort()).toEqual([mine.id, admins.id].sort());
    // Another partner's or program's endpoint answers as if it did not exist.
    for (const [key, id] of [
      [p.partner, admins.id],
      [q.admin, mine.id],
      [q.partner, mine.id],
    ] as const) {
      for (const path of [`/v1/webhook-endpoints/${id}`, `/v1/webhook-endpoints/${id}/deliveries`]) {
        expect((await call(path, { key })).json.code).toBe("webhook_endpoint_not_found");
      }
      expect((await call(`/v1/webhook-endpoints/${id}`, { method: "DELETE", key })).status).toBe(404);
    }
    // The program's admin may remove a partner's endpoint.
    expect((await call(`/v1/webhook-endpoints/${mine.id}`, { method: "DELETE", key: p.admin })).status).toBe(204);
  });

  it("are in the OpenAPI document", async () => {
    const res = await call("/openapi.json");
    const ids = Object.values(res.json.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
    expect(ids).toEqual(
      expect.arrayContaining(["createWebhookEndpoint", "listWebhookEndpoints", "getWebhookEndpoint", "deleteWebhookEndpoint", "listWebhookDeliveries", "resendEvent"]),
    );
  });
});

describe("delivery", () => {
  it("POSTs each committed event, signed as Standard Webhooks receivers verify it", async () => {
    const p = await createProgram();
    const endpoint = await register(p.admin, { url: receiver.url("signed") });
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 5000, { orderId: "o-signed" })).status).toBe(201);
    expect((await redeem(p.server, "ada", 20)).status).toBe(201);

    const events = await outbox(p.programId);
    expect(events.map((e) => e.type)).toEqual(["member.enrolled", "points.earned", "points.redeemed"]);
    const received = await receiver.waitFor("signed", 3);
    // The consumer marks an event sent before it queues its deliveries, so the sweep will not send it again.
    expect((await outbox(p.programId)).every((e) => e.sent_at !== null), "marked sent by the consumer").toBe(true);
    expect(received.map((r) => r.headers["webhook-id"]).sort()).toEqual(events.map((e) => e.id));
    for (const request of received) {
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
      const payload = verified(endpoint.secret, request);
      expect(payload).toMatchObject({ type: expect.any(String), timestamp: expect.any(String), data: { memberId: "ada" } });
    }
    const earned = verified(endpoint.secret, received.find((r) => JSON.parse(r.body).type === "points.earned")!);
    expect(earned.data).toMatchObject({ orderId: "o-signed", points: 50, partnerId: null });
    // Another secret does not verify: the signature is the endpoint's own.
    const other = await register(p.admin, { url: "https://shop.example/other" });
    expect(() => verified(other.secret, received[0]!)).toThrow();
    // A body changed on the way does not verify either.
    expect(() => verified(endpoint.secret, { ...received[0]!, body: received[0]!.body.replace("ada", "eve") })).toThrow();

    await eventually("3 recorded attempts", async () => (await deliveries(p.admin, endpoint.id)).data.length === 3);
    const log = await deliveries(p.admin, endpoint.id);
    expect(log.data.every((d) => d.status === "delivered" && d.responseStatus === 200 && d.attempt === 1 && d.error === null)).toBe(true);
    expect(log.data.map((d) => d.eventId).sort()).toEqual(events.map((e) => e.id));
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("dates points.earned by the order, and says when it was recorded", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("dated"), eventTypes: ["points.earned"] });
    const orderAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const before = new Date().toISOString();
    expect((await accrue(p.server, "dora", 5000, { orderId: "o-dated", occurredAt: orderAt })).status).toBe(201);
    const [request] = await receiver.waitFor("dated", 1);
    const { data, timestamp } = verified(endpoint.secret, request!);
    expect(data.occurredAt).toBe(orderAt);
    expect(data.recordedAt >= before && data.recordedAt <= timestamp).toBe(true);
    const [earn] = await rows<{ occurred_at: string }>("SELECT occurred_at FROM entries WHERE program_id = ? AND type = 'earn'", p.programId);
    expect(data.occurredAt, "as the entry has it").toBe(earn!.occurred_at);
  });

  it("sends an endpoint only the types it chose", async () => {
    const p = await createProgram();
    await register(p.admin, { url: receiver.url("all-types") });
    await register(p.admin, { url: receiver.url("redeemed-only"), eventTypes: ["points.redeemed"] });
    await enroll(p.server, "bo");
    await accrue(p.server, "bo", 5000);
    await redeem(p.server, "bo", 10);
    await receiver.waitFor("all-types", 3);
    const [only] = await receiver.waitFor("redeemed-only", 1);
    expect(JSON.parse(only!.body).type).toBe("points.redeemed");
    expect(receiver.at("redeemed-only")).toHaveLength(1);
  });

  it("sends a partner's endpoint only the events that partner caused", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    await register(p.admin, { url: receiver.url("coalition-admin") });
    const partnerEndpoint = await register(p.partner, { url: receiver.url("coalition-partner") });
    // The partner's own customer, and members the storefront serves.
    expect((await accrue(p.partner, "p-cust", 3000, { orderId: "p-1" })).status).toBe(201);
    await enroll(p.server, "s-cust");
    expect((await accrue(p.server, "s-cust", 4000, { orderId: "s-1" })).status).toBe(201);
    expect((await accrue(p.partner, "s-cust", 1000, { orderId: "p-2" })).status).toBe(201);
    expect((await redeem(p.server, "s-cust", 10)).status).toBe(201);
    expect((await redeem(p.partner, "s-cust", 5)).status).toBe(201);

    const events = await outbox(p.programId);
    const partners = events.filter((e) => e.partner_id === p.partnerId);
    expect(partners.map((e) => e.type).sort()).toEqual(["member.enrolled", "points.earned", "points.earned", "points.redeemed"]);
    await receiver.waitFor("coalition-admin", events.length);
    const got = await receiver.waitFor("coalition-partner", partners.length);
    expect(got.map((r) => r.headers["webhook-id"]).sort()).toEqual(partners.map((e) => e.id));
    for (const request of got) expect(verified(partnerEndpoint.secret, request).data.partnerId).toBe(p.partnerId);
  });

  it("resends an event with the same webhook-id, and a partner only its own", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("resend") });
    const other = await register(p.admin, { url: receiver.url("resend-other") });
    await accrue(p.server, "cy", 5000);
    await receiver.waitFor("resend", 2);
    await receiver.waitFor("resend-other", 2);
    const earned = (await outbox(p.programId)).find((e) => e.type === "points.earned")!;

    const res = await call(`/v1/events/${earned.id}/resend`, { key: p.admin, body: { endpointId: endpoint.id } });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ eventId: earned.id, endpointIds: [endpoint.id] });
    const again = (await receiver.waitFor("resend", 3)).at(-1)!;
    expect(again.headers["webhook-id"]).toBe(earned.id);
    expect(verified(endpoint.secret, again).type).toBe("points.earned");
    await eventually("the resend's attempt", async () => (await deliveries(p.admin, endpoint.id, `?eventId=${earned.id}`)).data.length === 2);
    expect((await deliveries(p.admin, endpoint.id, `?eventId=${earned.id}`)).data.map((d) => d.attempt)).toEqual([1, 1]);

    // Without a body: every endpoint that receives it.
    const all = await call(`/v1/events/${earned.id}/resend`, { method: "POST", key: p.admin, idempotencyKey: null });
    expect(all.status).toBe(202);
    expect(all.json.endpointIds.sort()).toEqual([endpoint.id, other.id].sort());

    // The storefront's event is not the partner's to resend; an unknown one is not found.
    expect((await call(`/v1/events/${earned.id}/resend`, { key: p.partner, body: {} })).json.code).toBe("event_not_found");
    expect((await call("/v1/events/evt_nope/resend", { key: p.admin, body: {} })).status).toBe(404);
    expect((await call(`/v1/events/${earned.id}/resend`, { key: p.server, body: {} })).status).toBe(403);
  });

  it("pages an endpoint's attempts, newest first", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("paged") });
    await accrue(p.server, "di", 5000);
    await accrue(p.server, "di", 5000);
    await receiver.waitFor("paged", 3);
    await eventually("3 recorded attempts", async () => (await deliveries(p.admin, endpoint.id)).data.length === 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Record<string, any>[]; nextCursor: string | null } = await deliveries(p.admin, endpoint.id, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.data.map((d) => d.id as string));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it("drops what is still queued for an endpoint deleted meanwhile", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("deleted") });
    await accrue(p.server, "ed", 5000);
    await receiver.waitFor("deleted", 2);
    const [row] = await rows<Parameters<typeof fromRow>[0]>(
      "SELECT id, program_id AS programId, member_id AS memberId, partner_id AS partnerId, type, payload, created_at AS createdAt FROM outbox_events WHERE program_id = ? LIMIT 1",
      p.programId,
    );
    await call(`/v1/webhook-endpoints/${endpoint.id}`, { method: "DELETE", key: p.admin });

    const batch = createMessageBatch<WebhookMessage>("treue-webhooks", [
      { id: "late", timestamp: Date.now(), attempts: 1, body: { kind: "delivery", endpointId: endpoint.id, event: fromRow(row!) } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["late"], retryMessages: [] });
    expect(receiver.at("deleted")).toHaveLength(2);
  });
});
