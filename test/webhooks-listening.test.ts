// Events no webhook endpoint listens for are committed but not queued; the outbox sweep marks them sent, or queues
// them when an endpoint that takes them has appeared since (one created in another isolate, whose key cache is older).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/ledger/settings";
import { memberLedgerOf } from "../src/members/member-ledger";
import { listeningOf, mayBeHeard } from "../src/webhooks/listening";
import { accrue, call, createProgram } from "./helpers";
import { rows, runAt } from "./job-helpers";
import { eventually, verified, webhookReceiver } from "./webhooks-receiver";

const receiver = webhookReceiver();
/** Past the sweep's grace. */
const LATER = () => Date.now() + 120_000;

async function register(key: string, body: Record<string, unknown>) {
  const res = await call("/v1/webhook-endpoints", { key, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string; secret: string };
}

async function outbox(programId: string) {
  return rows<{ id: string; type: string; sent_at: string | null }>("SELECT id, type, sent_at FROM outbox_events WHERE program_id = ? ORDER BY id", programId);
}

describe("what a program's endpoints listen for", () => {
  it("is read from their event types: none, some, or all", () => {
    expect(listeningOf("[]")).toEqual([]);
    expect(listeningOf(JSON.stringify([JSON.stringify(["points.earned"]), JSON.stringify(["points.earned", "tier.changed"])]))).toEqual(["points.earned", "tier.changed"]);
    expect(listeningOf(JSON.stringify([JSON.stringify(["points.earned"]), "null"]))).toBe("all");
    expect(mayBeHeard([], "points.earned")).toBe(false);
    expect(mayBeHeard(["tier.changed"], "points.earned")).toBe(false);
    expect(mayBeHeard(["points.earned"], "points.earned")).toBe(true);
    expect(mayBeHeard("all", "points.earned")).toBe(true);
    // Unknown (a job's call, a member token's): queued, as before.
    expect(mayBeHeard(undefined, "points.earned")).toBe(true);
  });
});

describe("events nobody listens for", () => {
  it("are committed unsent, then marked sent by the sweep without a delivery", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    expect((await accrue(p.server, "ann", 5000, { orderId: "quiet-1" })).status).toBe(201);
    const events = await outbox(p.programId);
    expect(events.map((e) => e.type)).toEqual(["member.enrolled", "points.earned"]);
    expect(events.every((e) => e.sent_at === null), "nothing queued, so nothing marked").toBe(true);

    // Within the grace the sweep leaves them; past it, no endpoint takes them and it marks them sent.
    expect(await runAt(p.programId, "sweep-outbox", Date.now())).toMatchObject({ status: "done", itemsDone: 0 });
    expect(await runAt(p.programId, "sweep-outbox", LATER())).toMatchObject({ status: "done", itemsDone: 2, itemsLeft: 0 });
    expect((await outbox(p.programId)).every((e) => e.sent_at !== null)).toBe(true);
  });

  it("of a type no endpoint takes are left to the sweep; the types one takes are delivered at once", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("tiers-only"), eventTypes: ["tier.changed"] });
    await register(p.admin, { url: receiver.url("redeemed-only"), eventTypes: ["points.redeemed"] });
    expect((await accrue(p.server, "bea", 5000, { orderId: "typed-1" })).status).toBe(201);
    expect((await call("/v1/members/bea/redemptions", { key: p.server, body: { points: 10 }, headers: { "idempotency-key": "typed-r1" } })).status).toBe(201);
    const [redeemed] = await receiver.waitFor("redeemed-only", 1);
    expect(JSON.parse(redeemed!.body).type).toBe("points.redeemed");
    const unsent = (await outbox(p.programId)).filter((e) => e.sent_at === null).map((e) => e.type);
    expect(unsent).toEqual(["member.enrolled", "points.earned"]);

    expect(await runAt(p.programId, "sweep-outbox", LATER())).toMatchObject({ status: "done", itemsDone: 2 });
    expect(receiver.at("tiers-only"), "the sweep queued nothing the endpoint does not take").toHaveLength(0);
    expect(receiver.at("redeemed-only")).toHaveLength(1);
    expect(endpoint.id).toMatch(/^whe_/);
  });
});

describe("an endpoint created", () => {
  it("in this isolate is heard from the next write on: the keys' cache forgets the program", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    // The server key's principal is now cached, with no endpoint to listen.
    expect((await accrue(p.server, "cal", 1000, { orderId: "before" })).status).toBe(201);
    const endpoint = await register(p.admin, { url: receiver.url("fresh"), eventTypes: ["points.earned"] });
    expect((await accrue(p.server, "cal", 2000, { orderId: "after" })).status).toBe(201);
    const [got] = await receiver.waitFor("fresh", 1);
    expect(verified(endpoint.secret, got!).data).toMatchObject({ orderId: "after", points: 20 });
  });

  it("in another isolate, whose cache still says nobody listens, gets the event from the sweep", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const endpoint = await register(p.admin, { url: receiver.url("late"), eventTypes: ["points.earned"] });
    // A Worker whose key cache predates the endpoint sends `listening: []`.
    const stale = { programId: p.programId, memberId: "dee", settings: defaultSettings({ enrollOnAccrual: true }), partnerId: null, idempotency: null, listening: [] };
    const reply = await memberLedgerOf(env, p.programId, "dee").accrue(stale, {
      orderId: "stale-1",
      amount: { amount: 3000, currency: "EUR" },
      channel: "web",
      occurredAt: new Date().toISOString(),
      storeId: null,
    });
    expect(reply.ok).toBe(true);
    const earned = (await outbox(p.programId)).find((e) => e.type === "points.earned")!;
    expect(earned.sent_at).toBeNull();

    expect(await runAt(p.programId, "sweep-outbox", LATER())).toMatchObject({ status: "done", itemsDone: 2 });
    const [got] = await receiver.waitFor("late", 1);
    expect(got!.headers["webhook-id"]).toBe(earned.id);
    expect(verified(endpoint.secret, got!).data).toMatchObject({ orderId: "stale-1", points: 30 });
    await eventually("all marked sent", async () => (await outbox(p.programId)).every((e) => e.sent_at !== null));
  });
});
