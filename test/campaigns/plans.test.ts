// Campaigns for membership plans: a plans condition, and early access (a plan's earlyAccessDays, the campaign's
// earlyAccess windows), through accruals and the preview, which must agree.
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";

const DAY_MS = 86_400_000;
const eur = (amount: number) => ({ amount, currency: "EUR" });
const PAID_UNTIL = "2099-01-01T00:00:00.000Z";

async function plan(p: TestProgram, earlyAccessDays = 0): Promise<string> {
  const res = await call("/v1/membership-plans", { key: p.admin, body: { name: "Prime", price: eur(4900), term: "year", benefits: { earlyAccessDays } } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.id;
}

async function hold(p: TestProgram, memberId: string, planId: string): Promise<string> {
  const res = await call(`/v1/members/${memberId}/memberships`, { key: p.server, body: { planId, paidUntil: PAID_UNTIL } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.id;
}

async function activeCampaign(p: TestProgram, body: Record<string, unknown>): Promise<string> {
  const created = await call("/v1/campaigns", { key: p.admin, body: { name: "Members' bonus", startsAt: "2026-01-01T00:00:00Z", ...body } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return created.json.id;
}

const bonus = (conditions: Record<string, unknown> = {}) => ({ id: "bonus", trigger: { type: "order" }, conditions, effect: { type: "fixed", points: 100 } });

/** What the preview says an order earns, then what its accrual earned: they must be the same. */
async function previewThenAccrue(p: TestProgram, memberId: string) {
  const preview = await call("/v1/earning/preview", { key: p.server, body: { amount: eur(1_000), channel: "online", memberId } });
  expect(preview.status, JSON.stringify(preview.json)).toBe(200);
  const accrual = await accrue(p.server, memberId, 1_000);
  expect(accrual.status, JSON.stringify(accrual.json)).toBe(201);
  expect({ points: preview.json.points, breakdown: preview.json.breakdown }).toEqual({ points: accrual.json.points, breakdown: accrual.json.breakdown });
  return accrual.json;
}

const ruleIds = (accrual: { breakdown: { rule: string; ruleId?: string }[] }) => accrual.breakdown.filter((l) => l.rule === "campaign").map((l) => l.ruleId);

describe("a rule restricted to plans", () => {
  it("gives only to members holding the plan in force, in the preview and the accrual alike", async () => {
    const p = await createProgram();
    const prime = await plan(p);
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const membership = await hold(p, "ada", prime);
    await activeCampaign(p, { rules: [bonus({ plans: [prime] })] });

    expect(ruleIds(await previewThenAccrue(p, "ada"))).toEqual(["bonus"]);
    expect(ruleIds(await previewThenAccrue(p, "bob"))).toEqual([]);
    // Cancelled at once: the next order is not the plan's any more.
    expect((await call(`/v1/members/ada/memberships/${membership}/cancel`, { key: p.server, body: { at: "now" } })).status).toBe(200);
    expect(ruleIds(await previewThenAccrue(p, "ada"))).toEqual([]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("replays a retried accrual with its key, giving the plan's points once", async () => {
    const p = await createProgram();
    const prime = await plan(p);
    await enroll(p.server, "ada");
    await hold(p, "ada", prime);
    await activeCampaign(p, { rules: [bonus({ plans: [prime] })] });
    const body = { orderId: "o-plan-1", amount: eur(1_000) };
    const first = await call("/v1/members/ada/accruals", { key: p.server, body, idempotencyKey: "plan-accrual-1" });
    const retry = await call("/v1/members/ada/accruals", { key: p.server, body, idempotencyKey: "plan-accrual-1" });
    expect(first.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.json).toEqual(first.json);
    expect((await call("/v1/members/ada/balance", { key: p.server })).json.available).toBe(first.json.points);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it.each([
    ["an unknown plan in a rule", { rules: [bonus({ plans: ["mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W2"] })] }, "rules[0].conditions.plans[0]"],
    ["an unknown plan given early access", { earlyAccess: [{ planId: "mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W2", opensAt: "2025-12-01T00:00:00Z" }], rules: [bonus()] }, "earlyAccess[0].planId"],
    ["a tier the program lacks given early access", { earlyAccess: [{ tier: "platinum", opensAt: "2025-12-01T00:00:00Z" }], rules: [bonus()] }, "earlyAccess[0].tier"],
    ["early access that opens after startsAt", { earlyAccess: [{ tier: "gold", opensAt: "2026-02-01T00:00:00Z" }], rules: [bonus()] }, "earlyAccess[0].opensAt"],
  ])("refuses %s with 422 and the field's path", async (_, body, path) => {
    const p = await createProgram({ tiers: [{ name: "gold", threshold: 100 }] });
    const res = await call("/v1/campaigns", { key: p.admin, body: { name: "Bad", startsAt: "2026-01-01T00:00:00Z", ...body } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("campaign_invalid");
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect((await call("/v1/campaigns", { key: p.admin })).json.data).toEqual([]);
  });

  it("refuses a PATCH naming an unknown plan, and accepts the program's own", async () => {
    const p = await createProgram();
    const prime = await plan(p);
    const created = await call("/v1/campaigns", { key: p.admin, body: { name: "Edit", startsAt: "2026-01-01T00:00:00Z", rules: [bonus()] } });
    const bad = await call(`/v1/campaigns/${created.json.id}`, { method: "PATCH", key: p.admin, body: { rules: [bonus({ plans: [prime, "mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W2"] })] } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toEqual([expect.objectContaining({ path: "rules[0].conditions.plans[1]" })]);
    const good = await call(`/v1/campaigns/${created.json.id}`, { method: "PATCH", key: p.admin, body: { rules: [bonus({ plans: [prime] })] } });
    expect(good.status, JSON.stringify(good.json)).toBe(200);
    expect(good.json.definition.rules[0].conditions).toEqual({ plans: [prime] });
  });
});

describe("early access", () => {
  it("opens a campaign a plan's earlyAccessDays before startsAt to its holders only", async () => {
    const p = await createProgram();
    const prime = await plan(p, 3);
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    await hold(p, "ada", prime);
    await activeCampaign(p, { startsAt: new Date(Date.now() + 2 * DAY_MS).toISOString(), rules: [bonus()] });
    expect(ruleIds(await previewThenAccrue(p, "ada"))).toEqual(["bonus"]);
    expect(ruleIds(await previewThenAccrue(p, "bob"))).toEqual([]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("is not given by a plan whose days fall short of the start", async () => {
    const p = await createProgram();
    const prime = await plan(p, 1);
    await enroll(p.server, "ada");
    await hold(p, "ada", prime);
    await activeCampaign(p, { startsAt: new Date(Date.now() + 2 * DAY_MS).toISOString(), rules: [bonus()] });
    expect(ruleIds(await previewThenAccrue(p, "ada"))).toEqual([]);
  });

  it("opens by the campaign's windows to a named tier or plan from their opensAt", async () => {
    const p = await createProgram({ tiers: [{ name: "gold", threshold: 1_000 }] });
    const club = await plan(p);
    for (const id of ["ada", "bob", "cy"]) await enroll(p.server, id);
    expect((await call("/v1/members/ada/tier", { key: p.admin, body: { tier: "gold" } })).status).toBe(200);
    await hold(p, "cy", club);
    const now = Date.now();
    await activeCampaign(p, {
      startsAt: new Date(now + 10 * DAY_MS).toISOString(),
      earlyAccess: [
        { tier: "gold", opensAt: new Date(now - DAY_MS).toISOString() },
        { planId: club, opensAt: new Date(now - DAY_MS).toISOString() },
      ],
      rules: [bonus()],
    });
    expect(ruleIds(await previewThenAccrue(p, "ada"))).toEqual(["bonus"]);
    expect(ruleIds(await previewThenAccrue(p, "cy"))).toEqual(["bonus"]);
    expect(ruleIds(await previewThenAccrue(p, "bob"))).toEqual([]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
