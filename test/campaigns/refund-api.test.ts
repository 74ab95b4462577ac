// Refunds of orders campaign rules gave points: a refund naming items takes back the rule points those
// items earned, the rest in proportion; refunds add up to exactly what the order earned.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";

const eur = (amount: number) => ({ amount, currency: "EUR" });
let p: TestProgram;

beforeAll(async () => {
  p = await createProgram();
  const created = await call("/v1/campaigns", {
    key: p.admin,
    body: {
      name: "Coffee",
      startsAt: "2026-01-01T00:00:00Z",
      rules: [{ id: "coffee", trigger: { type: "order" }, conditions: { items: { categories: ["coffee"] } }, effect: { type: "per_amount", points: 10, perAmount: 100 } }],
    },
  });
  await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" });
});

const items = [
  { sku: "BEANS", category: "coffee", quantity: 2, price: eur(1_000) },
  { sku: "MUG", category: "ware", quantity: 1, price: eur(3_000) },
];

async function refund(memberId: string, orderId: string, amount: number, extra: Record<string, unknown> = {}) {
  const res = await call(`/v1/members/${memberId}/refunds`, { key: p.server, body: { orderId, amount: eur(amount), ...extra } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

describe("refunds by item", () => {
  it("takes back the rule points of the refunded items, and the rest in proportion, adding up to the order's points", async () => {
    await enroll(p.server, "ada");
    const earned = await accrue(p.server, "ada", 5_000, { orderId: "o-items", items });
    expect(earned.json.points).toBe(50 + 200);
    // One of two bags: half the bags' 200, and 1,000 of 5,000 of the other 50.
    expect((await refund("ada", "o-items", 1_000, { items: [{ sku: "BEANS", quantity: 1 }] })).pointsClawedBack).toBe(100 + 10);
    expect((await refund("ada", "o-items", 1_000, { items: [{ sku: "BEANS", quantity: 1 }] })).pointsClawedBack).toBe(100 + 10);
    // The rest without items: all that is left.
    expect((await refund("ada", "o-items", 3_000)).pointsClawedBack).toBe(30);
    expect((await balance(p.server, "ada")).available).toBe(0);
    const row = await env.DB.prepare("SELECT refunded_items, returned FROM order_earnings WHERE program_id = ? AND order_id = 'o-items'")
      .bind(p.programId)
      .first<{ refunded_items: string; returned: string }>();
    expect(JSON.parse(row!.refunded_items)).toEqual([{ sku: "BEANS", quantity: 2 }]);
    expect(JSON.parse(row!.returned)).toEqual([{ campaignId: expect.any(String), points: 200 }]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("without items takes back in proportion, as before campaigns", async () => {
    await enroll(p.server, "bob");
    await accrue(p.server, "bob", 5_000, { orderId: "o-plain", items });
    expect((await refund("bob", "o-plain", 1_000)).pointsClawedBack).toBe(50);
  });

  it("keeps the refunded items in the clawback entry", async () => {
    await enroll(p.server, "cy");
    await accrue(p.server, "cy", 5_000, { orderId: "o-entry", items });
    await refund("cy", "o-entry", 3_000, { items: [{ sku: "MUG", quantity: 1 }] });
    const history = await call("/v1/members/cy/transactions", { key: p.server });
    const clawback = history.json.data.find((e: { type: string }) => e.type === "clawback");
    expect(clawback.details.items).toEqual([{ sku: "MUG", quantity: 1 }]);
    expect(clawback.points).toBe(-30);
  });
});
