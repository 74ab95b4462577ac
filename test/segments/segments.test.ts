// Segments over the HTTP API: definitions, membership kept by each member's batch, paging, entered/left events.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "../helpers";

let p: TestProgram;

async function segment(body: object) {
  const res = await call("/v1/segments", { key: p.admin, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string; memberCount: number };
}

async function events(type: string, memberId: string) {
  const rows = await env.DB.prepare("SELECT payload FROM outbox_events WHERE program_id = ?1 AND member_id = ?2 AND type = ?3 ORDER BY rowid")
    .bind(p.programId, memberId, type)
    .all<{ payload: string }>();
  return rows.results.map((r) => JSON.parse(r.payload) as { segmentId: string });
}

beforeAll(async () => {
  p = await createProgram({}, "Segments program");
});

describe("segments", () => {
  it("takes in existing members when created, without events", async () => {
    await enroll(p.server, "early");
    expect((await accrue(p.server, "early", 30_000, { orderId: "early-1" })).status).toBe(201);
    const s = await segment({ name: "buyers", conditions: { orderCount: { min: 1 } } });
    expect(s.memberCount).toBe(1);
    expect(await events("segment.entered", "early")).toEqual([]);
  });

  it("moves a member in and out by their own batches, with segment.entered and segment.left", async () => {
    const big = await segment({ name: "big spenders", conditions: { lifetimeSpend: { min: 50_000 }, pointsBalance: { min: 600 } } });
    await enroll(p.server, "mover");
    expect((await accrue(p.server, "mover", 40_000, { orderId: "m-1" })).status).toBe(201);
    expect((await call(`/v1/segments/${big.id}`, { key: p.admin })).json.memberCount).toBe(0);
    expect((await accrue(p.server, "mover", 30_000, { orderId: "m-2", channel: "store" })).status).toBe(201);
    expect((await call(`/v1/segments/${big.id}`, { key: p.admin })).json.memberCount).toBe(1);
    expect((await events("segment.entered", "mover")).map((e) => e.segmentId)).toContain(big.id);
    // Spending points takes the balance under the segment's floor.
    expect((await redeem(p.server, "mover", 200)).status).toBe(201);
    expect((await call(`/v1/segments/${big.id}`, { key: p.admin })).json.memberCount).toBe(0);
    expect((await events("segment.left", "mover")).map((e) => e.segmentId)).toEqual([big.id]);
    const mine = await call("/v1/members/mover/segments", { key: p.server });
    expect(mine.status).toBe(200);
    expect(mine.json.stats).toMatchObject({ lifetimeSpend: 70_000, orderCount: 2, availablePoints: 500, channels: { online: 1, store: 1, app: 0 } });
    expect(mine.json.stats.lastRedemptionAt).not.toBeNull();
    expect(mine.json.data.map((s: { name: string }) => s.name)).toContain("buyers");
    expect(mine.json.data.map((s: { name: string }) => s.name)).not.toContain("big spenders");
  });

  it("pages through a segment's members (for service: none of them gave marketing consent)", async () => {
    const s = await segment({ name: "store shoppers", conditions: { channels: ["store"] } });
    for (const id of ["pa", "pb", "pc", "pd", "pe"]) {
      await enroll(p.server, id);
      expect((await accrue(p.server, id, 1_000, { orderId: `${id}-1`, channel: "store" })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const page = await call(`/v1/segments/${s.id}/members?purpose=service&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key: p.admin });
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((m: { memberId: string }) => m.memberId));
      if (!page.json.nextCursor) break;
      cursor = page.json.nextCursor;
    }
    expect(seen).toEqual(["mover", "pa", "pb", "pc", "pd", "pe"]);
  });

  it("answers a missing segment or member with 404", async () => {
    expect((await call("/v1/segments/seg_00000000000000000000000000", { key: p.admin })).json.code).toBe("segment_not_found");
    expect((await call("/v1/members/nobody/segments", { key: p.server })).json.code).toBe("member_not_found");
  });

  it("refuses conditions that cannot hold", async () => {
    const res = await call("/v1/segments", { key: p.admin, body: { name: "bad", conditions: { orderCount: { min: 5, max: 1 } } } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("re-evaluates members when conditions change, and drops membership with the segment", async () => {
    const s = await segment({ name: "tierless", conditions: { orderCount: { min: 100 } } });
    expect(s.memberCount).toBe(0);
    const patched = await call(`/v1/segments/${s.id}`, { method: "PATCH", key: p.admin, body: { conditions: { orderCount: { min: 1 } } } });
    expect(patched.status).toBe(200);
    expect(patched.json.memberCount).toBe(7);
    expect((await call(`/v1/segments/${s.id}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM segment_members WHERE segment_id = ?1").bind(s.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
  });

  it("backfills a member's statistics from their entries on the first write without a stats row", async () => {
    await enroll(p.server, "veteran");
    for (const channel of ["online", "app"]) expect((await accrue(p.server, "veteran", 2_000, { channel })).status).toBe(201);
    // As if the member's history predated statistics.
    await env.DB.prepare("DELETE FROM member_stats WHERE program_id = ?1 AND member_id = ?2").bind(p.programId, "veteran").run();
    const before = await call("/v1/members/veteran/segments", { key: p.server });
    expect(before.json.stats).toMatchObject({ orderCount: 2, lifetimeSpend: 4_000, channels: { online: 1, store: 0, app: 1 } });
    expect((await accrue(p.server, "veteran", 1_000, { channel: "store" })).status).toBe(201);
    const row = await env.DB.prepare("SELECT order_count, lifetime_spend, store_orders FROM member_stats WHERE program_id = ?1 AND member_id = ?2")
      .bind(p.programId, "veteran")
      .first();
    expect(row).toEqual({ order_count: 3, lifetime_spend: 5_000, store_orders: 1 });
  });

  it("counts category spend from an accrual's line items and names the favourites", async () => {
    await enroll(p.server, "shopper");
    const items = [
      { sku: "boot-1", category: "shoes", quantity: 2, price: { amount: 4_000, currency: "EUR" } },
      { sku: "sock-1", category: "socks", quantity: 1, price: { amount: 500, currency: "EUR" } },
      { sku: "gift", quantity: 1, price: { amount: 100, currency: "EUR" } },
    ];
    const res = await accrue(p.server, "shopper", 8_600, { items });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const s = await segment({ name: "shoe lovers", conditions: { favouriteCategories: ["shoes"] } });
    expect(s.memberCount).toBe(1);
    const mine = await call("/v1/members/shopper/segments", { key: p.server });
    expect(mine.json.stats.favouriteCategories).toEqual(["shoes", "socks"]);
    expect(mine.json.data.map((x: { id: string }) => x.id)).toContain(s.id);
  });

  it("puts members holding a plan in force in a plan segment", async () => {
    const plan = await call("/v1/membership-plans", { key: p.admin, body: { name: "Prime", price: { amount: 4900, currency: "EUR" }, term: "year" } });
    expect(plan.status).toBe(201);
    const s = await segment({ name: "prime members", conditions: { plans: [plan.json.id] } });
    await enroll(p.server, "prime");
    const started = await call("/v1/members/prime/memberships", { key: p.server, body: { planId: plan.json.id, paidUntil: "2030-01-01T00:00:00Z" } });
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    const now = await call("/v1/members/prime/segments", { key: p.server });
    expect(now.json.data.map((x: { id: string }) => x.id)).toContain(s.id);
    // The kept membership follows at the member's next batch.
    expect((await accrue(p.server, "prime", 1_000)).status).toBe(201);
    expect((await call(`/v1/segments/${s.id}`, { key: p.admin })).json.memberCount).toBe(1);
  });

  it("lets a webhook endpoint subscribe to segment.entered and segment.left", async () => {
    const res = await call("/v1/webhook-endpoints", { key: p.admin, body: { url: "https://shop.example/segments", eventTypes: ["segment.entered", "segment.left"] } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  });

  it("leaves the ledger consistent", async () => {
    await expectLedgerConsistent(p.programId, p.server);
  });
});
