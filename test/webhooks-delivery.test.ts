/// <reference types="vite/client" />
// Webhook delivery when things go wrong: an endpoint failing, running out of
// attempts, the member's object dying between its commit and the send.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import wranglerToml from "../wrangler.toml?raw";
import worker from "../src/index";
import { MAX_ATTEMPTS } from "../src/webhooks/delivery";
import type { WebhookEvent, WebhookMessage } from "../src/webhooks/events";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";
import { rows, runAt } from "./job-helpers";
import { armCrash } from "./reliability/support";
import { eventually, verified, webhookReceiver } from "./webhooks-receiver";

const receiver = webhookReceiver();
const QUEUE = "treue-webhooks";
/** Past the sweep's grace: what the member's object has not sent by then, it never will. */
const LATER = () => Date.now() + 120_000;

async function register(key: string, body: Record<string, unknown>) {
  const res = await call("/v1/webhook-endpoints", { key, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string; secret: string };
}

async function attempts(key: string, endpointId: string) {
  return (await call(`/v1/webhook-endpoints/${endpointId}/deliveries`, { key })).json.data as Record<string, any>[];
}

async function outbox(programId: string) {
  return rows<{ id: string; type: string; sent_at: string | null }>("SELECT id, type, sent_at FROM outbox_events WHERE program_id = ? ORDER BY id", programId);
}

/**
 * Runs the consumer on a batch made by hand (attempt counts the queue would
 * have reached), and returns what it told the queue. The test batch does not
 * report retry delays, so each message's retry() is watched for them.
 */
async function consume(messages: { id: string; attempts: number; body: WebhookMessage }[]) {
  const batch = createMessageBatch<WebhookMessage>(QUEUE, messages.map((m) => ({ ...m, timestamp: Date.now() })));
  const retries = batch.messages.map((m) => [m.id, vi.spyOn(m, "retry")] as const);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  const delays = new Map(retries.flatMap(([id, spy]) => spy.mock.calls.map((args) => [id, args[0]?.delaySeconds] as const)));
  return { ...result, delays };
}

function tierEvent(programId: string, id: string): WebhookEvent {
  return { id, programId, memberId: "m-1", partnerId: null, type: "tier.changed", payload: { memberId: "m-1", from: null, to: "gold" }, createdAt: new Date().toISOString() };
}

describe("an endpoint that fails", () => {
  it("is retried after a 500, with the same webhook-id, until it answers 2xx", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("flaky"), eventTypes: ["points.earned"] });
    receiver.answer("flaky", 500);
    await accrue(p.server, "ann", 5000);
    // The real local queue holds the message for the retry delay, then hands it over again.
    const [first, second] = await receiver.waitFor("flaky", 2);
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(verified(endpoint.secret, first!)).toEqual(verified(endpoint.secret, second!));
    await eventually("both attempts recorded", async () => (await attempts(p.admin, endpoint.id)).length === 2);
    expect(await attempts(p.admin, endpoint.id)).toMatchObject([
      { attempt: 2, status: "delivered", responseStatus: 200, error: null },
      { attempt: 1, status: "retrying", responseStatus: 500, error: "HTTP 500" },
    ]);
  });

  it("waits longer after each failed attempt", async () => {
    const p = await createProgram();
    const endpoint = await register(p.admin, { url: receiver.url("down"), eventTypes: ["tier.changed"] });
    receiver.answer("down", ...Array<number>(MAX_ATTEMPTS - 1).fill(503));
    const event = tierEvent(p.programId, "evt_growing");
    const messages = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => ({ id: `try-${i + 1}`, attempts: i + 1, body: { kind: "delivery", endpointId: endpoint.id, event } as const }));
    const result = await consume(messages);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual(messages.map((m) => m.id));
    const delays = messages.map((m) => result.delays.get(m.id)!);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[0]).toBeLessThanOrEqual(10);
    expect(delays.reduce((a, b) => a + b, 0), "about a day of retries in all").toBeGreaterThan(12 * 3600);
    expect((await attempts(p.admin, endpoint.id)).every((a) => a.status === "retrying" && a.responseStatus === 503)).toBe(true);
  });

  it("is dead-lettered after the last attempt, and its delivery marked failed", async () => {
    const p = await createProgram();
    const endpoint = await register(p.admin, { url: receiver.url("gone"), eventTypes: ["tier.changed"] });
    receiver.answer("gone", 500);
    const result = await consume([{ id: "last", attempts: MAX_ATTEMPTS, body: { kind: "delivery", endpointId: endpoint.id, event: tierEvent(p.programId, "evt_last") } }]);
    // Retried once more with no attempts left: the queue moves it to its dead-letter queue.
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: "last" }]);
    expect(result.delays.get("last"), "no delay: there is no next attempt").toBeUndefined();
    expect(await attempts(p.admin, endpoint.id)).toMatchObject([{ eventId: "evt_last", attempt: MAX_ATTEMPTS, status: "failed", responseStatus: 500 }]);
  });

  it("is never sent to an address it may not have, even if its row says so", async () => {
    const p = await createProgram();
    const endpoint = await register(p.admin, { url: receiver.url("moved"), eventTypes: ["tier.changed"] });
    // As a row written before the address rules, or copied from a local database.
    await env.DB.prepare("UPDATE webhook_endpoints SET url = 'https://169.254.169.254/latest/meta-data' WHERE id = ?").bind(endpoint.id).run();
    const result = await consume([{ id: "meta", attempts: 1, body: { kind: "delivery", endpointId: endpoint.id, event: tierEvent(p.programId, "evt_meta") } }]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual(["meta"]);
    const [attempt] = await attempts(p.admin, endpoint.id);
    expect(attempt).toMatchObject({ eventId: "evt_meta", status: "retrying", responseStatus: null, durationMs: 0 });
    expect(attempt!.error).toMatch(/^not sent: 169\.254\.169\.254 is a link-local address/);
  });

  it("has as many attempts as the queue allows, and a dead-letter queue (wrangler.toml)", () => {
    const consumer = /\[\[queues\.consumers\]\]([\s\S]*?)(?=\n\[|$)/.exec(wranglerToml)![1]!;
    expect(consumer).toMatch(new RegExp(`\\bqueue\\s*=\\s*"${QUEUE}"`));
    expect(Number(/\bmax_retries\s*=\s*(\d+)/.exec(consumer)![1])).toBe(MAX_ATTEMPTS - 1);
    const deadLetters = /\bdead_letter_queue\s*=\s*"([^"]+)"/.exec(consumer)![1];
    expect(deadLetters).toBeTruthy();
    expect(deadLetters).not.toBe(QUEUE);
  });
});

describe("the outbox sweep", () => {
  it("delivers an event whose object died between the commit and the send", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("crash"), eventTypes: ["points.earned"] });
    await accrue(p.server, "cat", 1000, { orderId: "before-crash" });
    await receiver.waitFor("crash", 1);

    await armCrash(p.programId, "cat", "after");
    const crashed = await accrue(p.server, "cat", 2000, { orderId: "crash" });
    expect(crashed.status).toBe(503);
    const lost = (await outbox(p.programId)).filter((e) => e.type === "points.earned" && e.sent_at === null);
    expect(lost, "committed, never sent").toHaveLength(1);

    // Within the grace the sweep leaves it to the object; past it, it sends it.
    expect(await runAt(p.programId, "sweep-outbox", Date.now())).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: LATER() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const got = await receiver.waitFor("crash", 2);
    expect(got[1]!.headers["webhook-id"]).toBe(lost[0]!.id);
    expect(verified(endpoint.secret, got[1]!).data).toMatchObject({ orderId: "crash", points: 20 });
    expect((await outbox(p.programId)).every((e) => e.sent_at !== null)).toBe(true);

    // A second run finds nothing; the run is visible to operators.
    expect(await runAt(p.programId, "sweep-outbox", LATER())).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
    const jobs = await call("/v1/jobs", { key: p.admin });
    const sweep = jobs.json.data.find((j: { job: string }) => j.job === "sweep-outbox");
    expect(sweep).toMatchObject({ schedules: ["*/5 * * * *"] });
    // Two rows: the lost event, queued, and cat's enrollment, which the endpoint does not take and no object queued.
    expect(sweep.runs.some((r: { trigger: string; itemsDone: number }) => r.trigger === "cron" && r.itemsDone === 2)).toBe(true);
    expect(receiver.at("crash")).toHaveLength(2);
  });

  it("sends in pages and stops at its budget; the next run carries on", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    await register(p.admin, { url: receiver.url("backlog") });
    for (let i = 0; i < 5; i++) await accrue(p.server, `m-${i}`, 1000);
    await receiver.waitFor("backlog", 10);
    // As if every send had failed: all ten events unsent.
    await env.DB.prepare("UPDATE outbox_events SET sent_at = NULL WHERE program_id = ?").bind(p.programId).run();
    const first = await runAt(p.programId, "sweep-outbox", LATER(), { batchSize: 4, maxBatches: 1 });
    expect(first).toMatchObject({ status: "partial", itemsDone: 4, itemsLeft: 6 });
    expect(await runAt(p.programId, "sweep-outbox", LATER(), { batchSize: 4 })).toMatchObject({ status: "done", itemsDone: 6, itemsLeft: 0 });
    // Each event once more, with its own webhook-id: receivers drop what they already have.
    const got = await receiver.waitFor("backlog", 20);
    const ids = got.map((r) => r.headers["webhook-id"]!);
    expect(new Set(ids).size).toBe(10);
    for (const id of new Set(ids)) expect(ids.filter((x) => x === id)).toHaveLength(2);
  });
});

describe("an event exists if and only if its change committed", () => {
  it("refusals and a batch that never landed leave none; a batch that landed leaves one, delivered once", async () => {
    const p = await createProgram();
    await register(p.admin, { url: receiver.url("iff") });
    await enroll(p.server, "dee");
    expect((await accrue(p.server, "dee", 5000, { orderId: "o-1" })).status).toBe(201);
    expect((await accrue(p.server, "dee", 5000, { orderId: "o-1" })).status, "one order earns once").toBe(409);
    expect((await redeem(p.server, "dee", 10_000)).status, "more than available").toBe(422);
    expect((await call("/v1/members/nobody/redemptions", { key: p.server, body: { points: 1 } })).status).toBe(404);

    await armCrash(p.programId, "dee", "before");
    expect((await call("/v1/members/dee/redemptions", { key: p.server, body: { points: 5 }, idempotencyKey: "r-1" })).status).toBe(503);
    expect((await call("/v1/members/dee/redemptions", { key: p.server, body: { points: 5 }, idempotencyKey: "r-1" })).status, "the retry posts it").toBe(201);

    await armCrash(p.programId, "dee", "landed");
    const landed = { orderId: "o-2", amount: { amount: 2000, currency: "EUR" } };
    expect((await call("/v1/members/dee/accruals", { key: p.server, body: landed, idempotencyKey: "a-2" })).status).toBe(503);
    const replay = await call("/v1/members/dee/accruals", { key: p.server, body: landed, idempotencyKey: "a-2" });
    expect(replay.headers.get("idempotent-replayed"), "it had committed").toBe("true");

    // The sweep comes by minutes later, when the queue has long handed on (and marked sent) what reached it.
    await receiver.waitFor("iff", 3);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: LATER() }), env, ctx);
    await waitOnExecutionContext(ctx);

    const events = await outbox(p.programId);
    expect(events.map((e) => e.type)).toEqual(["member.enrolled", "points.earned", "points.redeemed", "points.earned"]);
    const got = await receiver.waitFor("iff", events.length);
    expect(got.map((r) => r.headers["webhook-id"]).sort()).toEqual(events.map((e) => e.id));
    await expectLedgerConsistent(p.programId, p.server);
  });
});
