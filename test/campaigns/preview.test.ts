// The earn preview: the accrual's own evaluator, posting nothing; over random carts a preview and the
// accrual that follows it agree on points, breakdown, caps and tier change.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";

const eur = (amount: number) => ({ amount, currency: "EUR" });

/** Rules of every effect, with conditions, limits, a cooldown-free exclusive one and a budget, so carts meet caps. */
const rules = [
  { id: "coffee-x3", conditions: { items: { categories: ["coffee"] } }, effect: { type: "multiply", percent: 300, scope: "items" } },
  { id: "tea-units", conditions: { items: { skus: ["TEA"] } }, effect: { type: "fixed", points: 4, per: "unit" }, limits: [{ period: "day", count: 3 }] },
  { id: "big-order", conditions: { amountAtLeast: 20_000 }, effect: { type: "fixed", points: 150 }, limits: [{ period: "week", points: 400 }] },
  { id: "app-cashback", conditions: { channels: ["app"] }, effect: { type: "cashback", basisPoints: 250 } },
  { id: "store-7", conditions: { stores: ["store-7"] }, effect: { type: "per_amount", points: 3, perAmount: 500 }, priority: 200, exclusive: true },
];

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram({
    enrollOnAccrual: true,
    tiers: [
      { name: "silver", threshold: 500, multiplierPercent: 125 },
      { name: "gold", threshold: 3_000, multiplierPercent: 150 },
    ],
  });
  const created = await call("/v1/campaigns", {
    key: p.admin,
    body: { name: "Everything", startsAt: "2026-01-01T00:00:00Z", budget: { points: 5_000 }, rules: rules.map((r) => ({ trigger: { type: "order" }, ...r })) },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
});

const itemArb = fc.record({
  sku: fc.constantFrom("BEANS", "TEA", "MUG", "FILTER"),
  category: fc.constantFrom("coffee", "tea", "ware"),
  quantity: fc.integer({ min: 1, max: 4 }),
  price: fc.integer({ min: 50, max: 5_000 }).map(eur),
});

const cartArb = fc
  .record({
    items: fc.array(itemArb, { maxLength: 4 }),
    extra: fc.integer({ min: 0, max: 30_000 }),
    channel: fc.constantFrom("online", "store", "app"),
    storeId: fc.option(fc.constantFrom("store-7", "store-8"), { nil: undefined }),
  })
  .map(({ items, extra, channel, storeId }) => {
    // The order's amount covers its items (and more, for shipping and what carries no SKU).
    const itemsTotal = items.reduce((sum, i) => sum + i.price.amount * i.quantity, 0);
    return { amount: eur(Math.max(1, itemsTotal + extra)), items, channel, ...(storeId ? { storeId } : {}) };
  });

async function entryCount(programId: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM entries WHERE program_id = ?").bind(programId).first<{ n: number }>())!.n;
}

describe("POST /v1/earning/preview", () => {
  it("answers what an order would earn and posts nothing", async () => {
    await enroll(p.server, "viewer");
    const before = await entryCount(p.programId);
    const res = await call("/v1/earning/preview", {
      key: p.server,
      body: { amount: eur(25_000), items: [{ sku: "BEANS", category: "coffee", quantity: 2, price: eur(1_000) }], channel: "online", memberId: "viewer" },
      idempotencyKey: null,
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.memberKnown).toBe(true);
    expect(res.json.points).toBe(res.json.breakdown.reduce((s: number, l: { points: number }) => s + l.points, 0));
    expect(res.json.breakdown.map((l: { ruleId?: string; rule: string }) => l.ruleId ?? l.rule)).toEqual(["base", "big-order", "coffee-x3"]);
    expect(res.json.budgets).toEqual([{ campaignId: expect.any(String), left: expect.any(Number), drawn: 40 + 150 }]);
    expect(await entryCount(p.programId)).toBe(before);
    expect((await call("/v1/members/viewer/balance", { key: p.server })).json.lifetimeEarned).toBe(0);
  });

  it("answers for a member not enrolled yet, and without a member, as a new member's order", async () => {
    const body = { amount: eur(10_000), channel: "app" };
    const unknown = await call("/v1/earning/preview", { key: p.admin, body: { ...body, memberId: "nobody-yet" } });
    const anonymous = await call("/v1/earning/preview", { key: p.admin, body });
    expect(unknown.status).toBe(200);
    expect(unknown.json.memberKnown).toBe(false);
    expect(anonymous.json).toEqual(unknown.json);
    expect(anonymous.json.breakdown[1]).toMatchObject({ ruleId: "app-cashback" });
  });

  it("refuses what the accrual refuses: another currency, an order in the future", async () => {
    const other = await call("/v1/earning/preview", { key: p.server, body: { amount: { amount: 100, currency: "USD" } } });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("currency_mismatch");
    const future = await call("/v1/earning/preview", { key: p.server, body: { amount: eur(100), occurredAt: "2099-01-01T00:00:00Z" } });
    expect(future.status).toBe(422);
    expect(future.json.code).toBe("occurred_in_future");
  });

  it("agrees with the accrual that follows it, over random carts (limits, budget and tier included)", async () => {
    let n = 0;
    const seen = { campaignLines: 0, capped: 0 };
    await fc.assert(
      fc.asyncProperty(cartArb, fc.constantFrom("m-a", "m-b", `m-new`), async (cart, memberId) => {
        const member = memberId === "m-new" ? `m-new-${++n}` : memberId;
        const preview = await call("/v1/earning/preview", { key: p.server, body: { ...cart, memberId: member } });
        expect(preview.status, JSON.stringify(preview.json)).toBe(200);
        const { amount, ...rest } = cart;
        const posted = await accrue(p.server, member, amount.amount, rest);
        expect(posted.status, JSON.stringify(posted.json)).toBe(201);
        expect(posted.json.points).toBe(preview.json.points);
        expect(posted.json.breakdown).toEqual(preview.json.breakdown);
        expect(posted.json.capped).toEqual(preview.json.capped);
        expect(posted.json.tierChange).toEqual(preview.json.tierChange);
        seen.campaignLines += posted.json.breakdown.filter((l: { rule: string }) => l.rule === "campaign").length;
        seen.capped += posted.json.capped.length + posted.json.breakdown.filter((l: { capped?: string }) => l.capped).length;
      }),
      { numRuns: 40 },
    );
    // The carts reached the rules and their caps, not only the base.
    expect(seen.campaignLines).toBeGreaterThan(0);
    expect(seen.capped).toBeGreaterThan(0);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
