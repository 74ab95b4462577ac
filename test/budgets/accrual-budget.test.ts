// A campaign budget under real accruals: 200 concurrent accruals of 50 members never issue more than the
// budget, and a member object that dies between reserving and committing leaves nothing behind once the
// budget reconciles.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RESERVATION_TTL_MS } from "../../src/budgets/budget";
import { budgetObjectOf } from "../../src/budgets/budget-object";
import { issuedInD1 } from "../../src/budgets/reconcile";
import { database } from "../../src/db/client";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, foldPending, type TestProgram } from "../helpers";
import { armCrash } from "../reliability/support";

/** 10 bonus points on every order, within a budget. */
const bonus = (budget: object) => ({
  name: "Ten on every order",
  startsAt: "2026-01-01T00:00:00Z",
  budget,
  rules: [{ id: "ten", trigger: { type: "order" }, effect: { type: "fixed", points: 10 } }],
});

async function activeCampaign(p: TestProgram, definition: object): Promise<string> {
  const created = await call("/v1/campaigns", { key: p.admin, body: definition });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const activated = await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" });
  expect(activated.status, JSON.stringify(activated.json)).toBe(200);
  return created.json.id as string;
}

/** The campaign's points in the answers: its breakdown lines. */
const campaignPoints = (json: { breakdown: { rule: string; campaignId?: string; points: number }[] }, campaignId: string) =>
  json.breakdown.filter((line) => line.rule === "campaign" && line.campaignId === campaignId).reduce((sum, line) => sum + line.points, 0);

const MEMBERS = Array.from({ length: 50 }, (_, i) => `bm${String(i).padStart(2, "0")}`);

describe("campaign budget under concurrent accruals", () => {
  let p: TestProgram;
  beforeAll(async () => {
    // 1 point per 1.00: an order of 1.00 earns 1 base point and the campaign's 10.
    p = await createProgram({ earnRate: { points: 1, perAmount: 100 } });
    await Promise.all(MEMBERS.map((m) => enroll(p.server, m)));
  });

  it("issues exactly 1,000 points to 200 concurrent accruals of 50 members, never more", async () => {
    const campaignId = await activeCampaign(p, bonus({ points: 1000 }));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => accrue(p.server, MEMBERS[i % MEMBERS.length]!, 100)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const issued = answers.reduce((sum, a) => sum + campaignPoints(a.json, campaignId), 0);
    expect(issued).toBe(1000);
    expect(answers.filter((a) => campaignPoints(a.json, campaignId) === 10)).toHaveLength(100);
    // The others name the rule as capped by the budget.
    const capped = answers.filter((a) => campaignPoints(a.json, campaignId) === 0);
    expect(capped.every((a) => a.json.capped.some((c: { capped: string }) => c.capped === "budget"))).toBe(true);
    // What the entries hold, what budget_draws holds and what the budget's object counts agree.
    const entries = await env.DB.prepare("SELECT coalesce(sum(points), 0) AS points FROM entries WHERE program_id = ? AND type = 'earn'").bind(p.programId).first<number>("points");
    expect(entries).toBe(200 + 1000);
    expect(await issuedInD1(database(env.DB), { programId: p.programId, campaignId })).toBe(1000);
    expect(await budgetObjectOf(env, p.programId, campaignId).view()).toMatchObject({ limit: 1000, issued: 1000, reserved: 0, left: 0 });
    const stats = await call(`/v1/campaigns/${campaignId}/stats`, { key: p.admin });
    expect(stats.json).toMatchObject({ pointsIssued: 1000, budget: 1000, budgetLeft: 0 });
    await expectLedgerConsistent(p.programId, p.server);
    const events = await env.DB.prepare("SELECT count(*) AS n FROM outbox_events WHERE program_id = ? AND type = 'campaign.budget_exhausted'").bind(p.programId).first<number>("n");
    expect(events).toBe(1);
    // Ended so the next test's campaign is the only one in force.
    expect((await call(`/v1/campaigns/${campaignId}/end`, { key: p.admin, method: "POST" })).status).toBe(200);
  });

  it("after member objects die between reserving and committing, the counter equals the points issued", async () => {
    const campaignId = await activeCampaign(p, bonus({ points: 1000 }));
    const crashing = MEMBERS.slice(0, 10);
    // Five die before their batch (nothing committed), five once it landed (committed, never confirmed).
    await Promise.all(crashing.map((m, i) => armCrash(p.programId, m, i < 5 ? "before" : "landed")));
    const first = await Promise.all(crashing.map((m) => accrue(p.server, m, 100, { orderId: `crash-${m}` }).catch((error: unknown) => error)));
    expect(first.every((answer) => answer instanceof Error || (answer as { status: number }).status >= 500)).toBe(true);
    // Their reservations still hold points until they lapse.
    expect(await budgetObjectOf(env, p.programId, campaignId).view()).toMatchObject({ reserved: 100, issued: 0 });
    const reconciled = await budgetObjectOf(env, p.programId, campaignId).reconcile(Date.now() + RESERVATION_TTL_MS);
    expect(reconciled).toEqual({ confirmed: 5, released: 5, returned: 0 });
    const recorded = await issuedInD1(database(env.DB), { programId: p.programId, campaignId });
    expect(recorded).toBe(50);
    expect(await budgetObjectOf(env, p.programId, campaignId).view()).toMatchObject({ issued: recorded, reserved: 0, left: 1000 - recorded });
    // The member entries agree: the five that landed earned the campaign's 10 each.
    await foldPending(p.programId);
    const ruleEntries = await env.DB.prepare("SELECT coalesce(sum(points), 0) AS points FROM member_rule_grants WHERE program_id = ? AND campaign_id = ?").bind(p.programId, campaignId).first<number>("points");
    expect(ruleEntries).toBe(recorded);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("gives a refund's campaign points back to the budget, once", async () => {
    const campaignId = await activeCampaign(p, bonus({ points: 30 }));
    for (const m of ["bm00", "bm01", "bm02"]) expect((await accrue(p.server, m, 100, { orderId: `give-back-${m}` })).status).toBe(201);
    expect(await budgetObjectOf(env, p.programId, campaignId).view()).toMatchObject({ issued: 30, left: 0 });
    const refund = { orderId: "give-back-bm01", amount: { amount: 100, currency: "EUR" } };
    const refunded = await call("/v1/members/bm01/refunds", { key: p.server, body: refund, idempotencyKey: "give-back-refund" });
    expect(refunded.status, JSON.stringify(refunded.json)).toBe(201);
    const replayed = await call("/v1/members/bm01/refunds", { key: p.server, body: refund, idempotencyKey: "give-back-refund" });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(await budgetObjectOf(env, p.programId, campaignId).view()).toMatchObject({ issued: 20, left: 10 });
    expect(await issuedInD1(database(env.DB), { programId: p.programId, campaignId })).toBe(20);
    // The points are there to be issued again.
    const again = await accrue(p.server, "bm03", 100, { orderId: "give-back-bm03" });
    expect(campaignPoints(again.json, campaignId)).toBe(10);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
