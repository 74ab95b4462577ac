// Accruals under campaigns through the API: what the breakdown says, line items, stores, partners and first
// orders reaching the evaluator (single and bulk), and per-member limits exact under concurrency.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { memberObjectName } from "../../src/members/member-ledger";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type Settings, foldPending, type TestProgram } from "../helpers";

type RuleBody = Record<string, unknown>;

/** A program with one active campaign of these rules. */
async function programWith(rules: RuleBody[], settings: Settings = {}, extra: Record<string, unknown> = {}): Promise<TestProgram & { campaignId: string }> {
  const p = await createProgram(settings);
  const created = await call("/v1/campaigns", {
    key: p.admin,
    body: { name: "Campaign", startsAt: "2026-01-01T00:00:00Z", rules: rules.map((r, i) => ({ id: `r${i}`, trigger: { type: "order" }, ...r })), ...extra },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return { ...p, campaignId: created.json.id };
}

const eur = (amount: number) => ({ amount, currency: "EUR" });
const item = (sku: string, price: number, quantity = 1, category?: string) => ({ sku, quantity, price: eur(price), ...(category ? { category } : {}) });

async function grantRows(programId: string, memberId: string) {
  await foldPending(programId);
  const { results } = await env.DB.prepare("SELECT rule_id, points FROM member_rule_grants WHERE program_id = ? AND member_id = ? ORDER BY rowid")
    .bind(programId, memberId)
    .all<{ rule_id: string; points: number }>();
  return results;
}

describe("the breakdown", () => {
  it("names each rule that gave points, with its items, and the lines add up", async () => {
    const p = await programWith([
      { name: "Coffee", conditions: { items: { categories: ["coffee"] } }, effect: { type: "per_amount", points: 5, perAmount: 100 } },
      { effect: { type: "fixed", points: 25 } },
    ]);
    await enroll(p.server, "ada");
    const res = await accrue(p.server, "ada", 5_000, { items: [item("BEANS", 1_000, 2, "coffee"), item("MUG", 3_000, 1, "ware")] });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const [base, coffee, fixed] = res.json.breakdown;
    expect(base).toEqual({ rule: "base", points: 50 });
    expect(coffee).toMatchObject({ rule: "campaign", campaignId: p.campaignId, version: 1, ruleId: "r0", points: 100 });
    expect(coffee.items).toEqual([expect.objectContaining({ sku: "BEANS", points: 100 })]);
    expect(coffee.reason).toContain("Coffee");
    expect(fixed).toMatchObject({ ruleId: "r1", points: 25 });
    expect(res.json.points).toBe(175);
    expect(res.json.capped).toEqual([]);
    expect(await grantRows(p.programId, "ada")).toEqual([
      { rule_id: "r0", points: 100 },
      { rule_id: "r1", points: 25 },
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an item priced in another currency, writing nothing", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 5 } }]);
    await enroll(p.server, "ada");
    const res = await accrue(p.server, "ada", 5_000, { items: [{ sku: "X", quantity: 1, price: { amount: 100, currency: "USD" } }] });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("currency_mismatch");
    expect(await grantRows(p.programId, "ada")).toEqual([]);
  });

  it("shows the tier multiplier as its own line beside the campaign's", async () => {
    const p = await programWith([{ effect: { type: "multiply", percent: 200 } }], { tiers: [{ name: "gold", threshold: 0, multiplierPercent: 150 }] });
    await enroll(p.server, "ada");
    await call("/v1/members/ada/tier", { key: p.admin, body: { tier: "gold" } });
    const res = await accrue(p.server, "ada", 10_000);
    expect(res.json.breakdown.map((l: { rule: string }) => l.rule)).toEqual(["base", "campaign", "tier_multiplier"]);
    expect(res.json.points).toBe(res.json.breakdown.reduce((s: number, l: { points: number }) => s + l.points, 0));
  });

  it("passes items and the store through bulk posting", async () => {
    const p = await programWith([
      { conditions: { stores: ["store-7"] }, effect: { type: "fixed", points: 40 } },
      { conditions: { items: { skus: ["TEA"] } }, effect: { type: "fixed", points: 3, per: "unit" } },
    ]);
    const items = [
      { type: "accrual", memberId: "ada", orderId: "b-1", amount: eur(1_000), storeId: "store-7", items: [item("TEA", 250, 4)] },
      { type: "accrual", memberId: "ada", orderId: "b-2", amount: eur(1_000), storeId: "store-8" },
    ];
    await enroll(p.server, "ada");
    const res = await call("/v1/transactions/batch", { key: p.server, body: { items }, idempotencyKey: null });
    expect(res.status).toBe(200);
    expect(res.json.counts).toEqual({ posted: 2, duplicate: 0, error: 0 });
    expect(res.json.results[0].result.points).toBe(10 + 40 + 12);
    expect(res.json.results[1].result.points).toBe(10);
  });

  it("gives a partner's rule only on that partner's orders", async () => {
    const p = await createProgram();
    const created = await call("/v1/campaigns", {
      key: p.admin,
      body: { name: "Brand", startsAt: "2026-01-01T00:00:00Z", rules: [{ id: "brand", trigger: { type: "order" }, conditions: { partners: [p.partnerId] }, effect: { type: "fixed", points: 7 } }] },
    });
    await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" });
    await enroll(p.server, "ada");
    expect((await accrue(p.partner, "ada", 1_000)).json.points).toBe(17);
    expect((await accrue(p.server, "ada", 1_000)).json.points).toBe(10);
  });
});

describe("first orders", () => {
  it("gives a first-order rule once, also after the object forgets what it knew", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    await enroll(p.server, "old");
    expect((await accrue(p.server, "old", 1_000)).status).toBe(201);
    const created = await call("/v1/campaigns", {
      key: p.admin,
      body: { name: "Welcome", startsAt: "2026-01-01T00:00:00Z", rules: [{ id: "welcome", trigger: { type: "order" }, conditions: { firstOrder: true }, effect: { type: "fixed", points: 100 } }] },
    });
    await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" });
    // Ordered before the campaign: not a first order.
    await evictDurableObject(env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "old")));
    expect((await accrue(p.server, "old", 1_000)).json.points).toBe(10);
    // Enrolled before, first order now.
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1_000)).json.points).toBe(110);
    expect((await accrue(p.server, "ada", 1_000)).json.points).toBe(10);
    // Enrolled by the accrual itself.
    expect((await accrue(p.server, "new", 1_000)).json.points).toBe(110);
    await evictDurableObject(env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "new")));
    expect((await accrue(p.server, "new", 1_000)).json.points).toBe(10);
  });
});

describe("per-member limits", () => {
  it("gives exactly the count limit under 50 concurrent accruals of one member", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 10 }, limits: [{ period: "campaign", count: 5 }] }]);
    await enroll(p.server, "ada");
    const answers = await Promise.all(Array.from({ length: 50 }, () => accrue(p.server, "ada", 1_000)));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const given = answers.filter((a) => a.json.breakdown.some((l: { rule: string }) => l.rule === "campaign"));
    expect(given).toHaveLength(5);
    const capped = answers.filter((a) => a.json.capped.some((c: { capped: string }) => c.capped === "member_limit"));
    expect(capped).toHaveLength(45);
    expect(await grantRows(p.programId, "ada")).toHaveLength(5);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("gives exactly the points limit under 50 concurrent accruals, the last grant cut to fit", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 10 }, limits: [{ period: "day", points: 35 }] }]);
    await enroll(p.server, "ada");
    const answers = await Promise.all(Array.from({ length: 50 }, () => accrue(p.server, "ada", 1_000)));
    const campaignPoints = answers.flatMap((a) => a.json.breakdown.filter((l: { rule: string }) => l.rule === "campaign").map((l: { points: number }) => l.points));
    expect(campaignPoints.reduce((s, n) => s + n, 0)).toBe(35);
    expect(campaignPoints.sort()).toEqual([10, 10, 10, 5]);
    const rows = await grantRows(p.programId, "ada");
    expect(rows.reduce((s, r) => s + r.points, 0)).toBe(35);
  });

  it("counts grants from D1 once the object has forgotten them", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 10 }, limits: [{ period: "month", count: 2 }] }]);
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 1_000);
    await accrue(p.server, "ada", 1_000);
    await evictDurableObject(env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "ada")));
    const third = await accrue(p.server, "ada", 1_000);
    expect(third.json.points).toBe(10);
    expect(third.json.capped).toEqual([expect.objectContaining({ capped: "member_limit", points: 10 })]);
  });

  it("keeps a cooldown between grants", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 10 }, cooldownSeconds: 3600 }]);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1_000)).json.points).toBe(20);
    const soon = await accrue(p.server, "ada", 1_000);
    expect(soon.json.points).toBe(10);
    expect(soon.json.capped).toEqual([expect.objectContaining({ capped: "cooldown", points: 10 })]);
    expect(await grantRows(p.programId, "ada")).toHaveLength(1);
  });
});

describe("where grants are written", () => {
  const grantsInD1 = async (programId: string) =>
    (await env.DB.prepare("SELECT rule_id, points FROM member_rule_grants WHERE program_id = ? ORDER BY rule_id").bind(programId).all<{ rule_id: string; points: number }>()).results;

  it("puts a limited rule's grant in the member's batch, and an unlimited one's with the KPI figures, counted in the stats either way", async () => {
    const p = await programWith([
      { effect: { type: "fixed", points: 7 } },
      { effect: { type: "fixed", points: 3 }, limits: [{ period: "day", count: 5 }] },
    ]);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1_000)).json.points).toBe(20);
    // Only the grant a limit reads back is there at once; the other waits in the pending row.
    expect(await grantsInD1(p.programId)).toEqual([{ rule_id: "r1", points: 3 }]);
    const stats = await call(`/v1/campaigns/${p.campaignId}/stats`, { key: p.admin });
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ pointsIssued: 10, membersReached: 1, orders: 1 });
    expect(await grantsInD1(p.programId)).toEqual([
      { rule_id: "r0", points: 7 },
      { rule_id: "r1", points: 3 },
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("counts the grants a rule gave before it had a limit, once a change gives it one", async () => {
    const p = await programWith([{ effect: { type: "fixed", points: 7 } }]);
    await enroll(p.server, "bea");
    expect((await accrue(p.server, "bea", 1_000)).json.points).toBe(17);
    const patched = await call(`/v1/campaigns/${p.campaignId}`, {
      key: p.admin,
      method: "PATCH",
      body: { rules: [{ id: "r0", trigger: { type: "order" }, effect: { type: "fixed", points: 7 }, limits: [{ period: "campaign", count: 1 }] }] },
    });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    const second = await accrue(p.server, "bea", 1_000);
    expect(second.json.points).toBe(10);
    expect(second.json.capped).toEqual([expect.objectContaining({ capped: "member_limit" })]);
  });
});
