// The campaign budget's Durable Object against real local D1: concurrent reservations never overspend,
// reservations are idempotent, released or lapsed, and reconciling after a crash between reservation and
// commit leaves the counter at the points really recorded in D1.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { budgetPoints, RESERVATION_TTL_MS } from "../../src/budgets/budget";
import { budgetObjectOf } from "../../src/budgets/budget-object";
import { confirmBudgets, drawRows, giveBackBudgets, releaseBudgets, reserveBudgets, returnRows, type BudgetReservation } from "../../src/budgets/draws";
import { issuedInD1 } from "../../src/budgets/reconcile";
import { database } from "../../src/db/client";
import { budgetDraws } from "../../src/db/schema";
import { enroll } from "../../src/ledger/ops/enroll";
import { classifyCommitError, commitPlan } from "../../src/members/store";
import { context } from "../ledger/build";

const PROGRAM = "prg_budgets";
const db = database(env.DB);
let campaigns = 0;
/** A fresh campaign per test: its own budget object and its own rows. */
const newCampaign = () => `cmp_${++campaigns}_${crypto.randomUUID().slice(0, 8)}`;

type Crash = "before-commit" | "before-confirm" | null;

/**
 * One member's accrual as the write path runs it: reserve, commit the draw in
 * the member's batch, confirm. `crash` stops the flow where a dying member
 * object would: before its batch, or after it committed but before it confirmed.
 */
async function memberFlow(campaignId: string, memberId: string, reservationId: string, points: number, limit: number, crash: Crash = null, now = Date.now()) {
  const reservation = await reserveBudgets(env, PROGRAM, [{ campaignId, points, limit }], reservationId, now);
  if (crash === "before-commit") return reservation;
  await commitDraws(reservation, memberId);
  if (crash === "before-confirm") return reservation;
  await confirmBudgets(env, PROGRAM, reservation, reservation.granted);
  return reservation;
}

/** The member's batch, as far as budgets are concerned: its draw rows. */
async function commitDraws(reservation: BudgetReservation, memberId: string) {
  const rows = drawRows(reservation, reservation.granted);
  if (rows.length === 0) return;
  await db.batch(rows.map((row) => db.insert(budgetDraws).values({ programId: PROGRAM, memberId, ...row, createdAt: new Date().toISOString() })) as [never]);
}

const budget = (campaignId: string) => budgetObjectOf(env, PROGRAM, campaignId);
const granted = (reservations: BudgetReservation[]) => reservations.reduce((sum, r) => sum + r.granted[0]!.points, 0);

async function exhaustedEvents(campaignId: string) {
  const rows = await env.DB.prepare("SELECT payload FROM outbox_events WHERE program_id = ? AND type = 'campaign.budget_exhausted'").bind(PROGRAM).all<{ payload: string }>();
  return rows.results.map((r) => JSON.parse(r.payload) as Record<string, unknown>).filter((p) => p.campaignId === campaignId);
}

describe("budget reservations", () => {
  it("grants exactly the budget to 200 concurrent reservations of 50 members, never more", async () => {
    const campaignId = newCampaign();
    const flows = Array.from({ length: 200 }, (_, i) => memberFlow(campaignId, `m${i % 50}`, `res-${i}`, 10, 1000));
    const reservations = await Promise.all(flows);
    expect(granted(reservations)).toBe(1000);
    expect(reservations.filter((r) => r.granted[0]!.points === 10)).toHaveLength(100);
    expect(reservations.filter((r) => r.granted[0]!.points === 0)).toHaveLength(100);
    expect(await budget(campaignId).view()).toMatchObject({ limit: 1000, issued: 1000, reserved: 0, left: 0 });
    expect(await issuedInD1(db, { programId: PROGRAM, campaignId })).toBe(1000);
    // Announced once, however many confirms reached the limit together.
    expect(await exhaustedEvents(campaignId)).toEqual([expect.objectContaining({ campaignId, budgetPoints: 1000, issuedPoints: 1000 })]);
  });

  it("grants the last points in part when a draw asks for more than is left", async () => {
    const campaignId = newCampaign();
    const reservations = [];
    for (let i = 0; i < 4; i++) reservations.push(await memberFlow(campaignId, "ada", `part-${i}`, 10, 25));
    expect(reservations.map((r) => r.granted[0]!.points)).toEqual([10, 10, 5, 0]);
  });

  it("answers a repeated reservation with what it first granted, counting it once", async () => {
    const campaignId = newCampaign();
    const first = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 15 }], "same");
    const again = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 15 }], "same");
    expect(again).toEqual(first);
    expect(await budget(campaignId).view()).toMatchObject({ reserved: 10, left: 5 });
    const other = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 15 }], "other");
    expect(other.granted).toEqual([{ campaignId, points: 5 }]);
  });

  it("frees a released reservation's points, and never grants the released one again", async () => {
    const campaignId = newCampaign();
    const reservation = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 10 }], "refused");
    await releaseBudgets(env, PROGRAM, reservation);
    expect(await budget(campaignId).view()).toMatchObject({ reserved: 0, issued: 0, left: 10 });
    expect((await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 10 }], "refused")).granted).toEqual([{ campaignId, points: 0 }]);
    expect(await budget(campaignId).confirm("refused")).toBe(false);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 0, left: 10 });
  });

  it("confirms what the batch drew and frees the rest of the grant", async () => {
    const campaignId = newCampaign();
    const reservation = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 100 }], "drew-less");
    await confirmBudgets(env, PROGRAM, reservation, [{ campaignId, points: 7 }]);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 7, reserved: 0, left: 93 });
    // A second confirm changes nothing.
    expect(await budget(campaignId).confirm("drew-less", 7)).toBe(true);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 7 });
  });

  it("counts what a batch really drew, even past its grant", async () => {
    const campaignId = newCampaign();
    await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 100 }], "greedy");
    expect(await budget(campaignId).confirm("greedy", 11)).toBe(true);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 11, reserved: 0, left: 89 });
  });

  it("reserves on several campaigns under one id, each on its own budget", async () => {
    const [a, b] = [newCampaign(), newCampaign()];
    const reservation = await reserveBudgets(env, PROGRAM, [{ campaignId: a, points: 10, limit: 100 }, { campaignId: b, points: 10, limit: 4 }], "both");
    expect(reservation.granted).toEqual([{ campaignId: a, points: 10 }, { campaignId: b, points: 4 }]);
    await commitDraws(reservation, "ada");
    await confirmBudgets(env, PROGRAM, reservation, reservation.granted);
    expect(await budget(a).view()).toMatchObject({ issued: 10 });
    expect(await budget(b).view()).toMatchObject({ issued: 4, left: 0 });
  });

  it("draws money budgets at the program's redemption value", async () => {
    const campaignId = newCampaign();
    // 5.00 at 3 points per 0.07: 214 points, never the 214.28... the money would buy.
    const limit = budgetPoints({ amount: 500 }, { redemptionValue: { points: 3, amount: 7 } });
    const reservations = await Promise.all(Array.from({ length: 30 }, (_, i) => memberFlow(campaignId, `m${i % 5}`, `money-${i}`, 10, limit)));
    expect(granted(reservations)).toBe(214);
    expect(await budget(campaignId).view()).toMatchObject({ limit: 214, issued: 214, left: 0 });
  });

  it("follows a lowered limit: nothing more is granted, nothing issued is taken back", async () => {
    const campaignId = newCampaign();
    await memberFlow(campaignId, "ada", "before-edit", 30, 100);
    const after = await memberFlow(campaignId, "ada", "after-edit", 30, 20);
    expect(after.granted).toEqual([{ campaignId, points: 0 }]);
    expect(await budget(campaignId).view()).toMatchObject({ limit: 20, issued: 30, left: 0 });
  });
});

describe("lapse and reconcile", () => {
  it("leaves a reservation alone until its time to live has passed, then releases it", async () => {
    const campaignId = newCampaign();
    const now = Date.now();
    await memberFlow(campaignId, "ada", "lost", 10, 50, "before-commit", now);
    expect(await budget(campaignId).reconcile(now + RESERVATION_TTL_MS - 1)).toEqual({ confirmed: 0, released: 0, returned: 0 });
    expect(await budget(campaignId).view()).toMatchObject({ reserved: 10, left: 40 });
    expect(await budget(campaignId).reconcile(now + RESERVATION_TTL_MS)).toEqual({ confirmed: 0, released: 1, returned: 0 });
    expect(await budget(campaignId).view()).toMatchObject({ reserved: 0, issued: 0, left: 50 });
  });

  it("after crashes between reservation and commit, the counter equals the points recorded in D1", async () => {
    const campaignId = newCampaign();
    const now = Date.now();
    const crashes: Crash[] = [null, "before-commit", "before-confirm", null, "before-commit"];
    const reservations = await Promise.all(
      Array.from({ length: 200 }, (_, i) => memberFlow(campaignId, `m${i % 50}`, `crash-${i}`, 10, 1000, crashes[i % crashes.length]!, now)),
    );
    const grantedWhere = (crash: Crash) => granted(reservations.filter((_, i) => crashes[i % crashes.length] === crash));
    // Every reservation of the crashed flows is still held: the budget counts them until they lapse.
    expect(granted(reservations)).toBe(1000);
    const recorded = await issuedInD1(db, { programId: PROGRAM, campaignId });
    expect(recorded).toBe(grantedWhere(null) + grantedWhere("before-confirm"));
    expect(await budget(campaignId).view()).toMatchObject({ issued: grantedWhere(null), reserved: grantedWhere("before-commit") + grantedWhere("before-confirm"), left: 0 });

    const reconciled = await budget(campaignId).reconcile(now + RESERVATION_TTL_MS);
    const heldWhere = (crash: Crash) => reservations.filter((r, i) => crashes[i % crashes.length] === crash && r.granted[0]!.points > 0).length;
    expect(reconciled).toEqual({ confirmed: heldWhere("before-confirm"), released: heldWhere("before-commit"), returned: 0 });
    expect(reconciled.released).toBeGreaterThan(0);
    expect(await budget(campaignId).view()).toMatchObject({ issued: recorded, reserved: 0, left: 1000 - recorded });
    // Run again: nothing changes.
    expect(await budget(campaignId).reconcile(now + 2 * RESERVATION_TTL_MS)).toEqual({ confirmed: 0, released: 0, returned: 0 });
    expect(await budget(campaignId).view()).toMatchObject({ issued: recorded, reserved: 0 });
  });

  it("a batch that lands after its reservation lapsed fails whole, so the released points are never issued", async () => {
    const campaignId = newCampaign();
    const now = Date.now();
    const reservation = await memberFlow(campaignId, "ada", "too-late", 10, 50, "before-commit", now);
    await budget(campaignId).reconcile(now + RESERVATION_TTL_MS);
    const plan = enroll({ member: null, lots: [], holds: [] }, "late-member", {}, context({ now: new Date(now).toISOString() }));
    plan.budgetDrawRows = drawRows(reservation, reservation.granted);
    const failure = await commitPlan(db, PROGRAM, plan, null, new Date(now)).catch((error: unknown) => error);
    expect(classifyCommitError(failure)).toBe("budget_lapsed");
    const member = await env.DB.prepare("SELECT count(*) AS n FROM members WHERE program_id = ? AND member_id = 'late-member'").bind(PROGRAM).first<number>("n");
    expect(member).toBe(0);
    expect(await issuedInD1(db, { programId: PROGRAM, campaignId })).toBe(0);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 0, left: 50 });
  });

  it("the member's batch writes its draws with the rest of the plan", async () => {
    const campaignId = newCampaign();
    const reservation = await reserveBudgets(env, PROGRAM, [{ campaignId, points: 10, limit: 50 }], "with-plan");
    const plan = enroll({ member: null, lots: [], holds: [] }, "plan-member", {}, context({ now: new Date().toISOString() }));
    plan.budgetDrawRows = drawRows(reservation, reservation.granted);
    await commitPlan(db, PROGRAM, plan, null, new Date());
    const rows = await db.select().from(budgetDraws).all();
    expect(rows.filter((r) => r.campaignId === campaignId)).toEqual([
      expect.objectContaining({ reservationId: "with-plan", kind: "draw", memberId: "plan-member", points: 10 }),
    ]);
  });
});

describe("give-backs", () => {
  it("gives a refund's points back once per return", async () => {
    const campaignId = newCampaign();
    await memberFlow(campaignId, "ada", "earned", 30, 30);
    expect(await exhaustedEvents(campaignId)).toHaveLength(1);
    await giveBackBudgets(env, PROGRAM, "refund-1", [{ campaignId, points: 10 }]);
    await giveBackBudgets(env, PROGRAM, "refund-1", [{ campaignId, points: 10 }]);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 20, left: 10 });
    // Exhausted again later: the event was once per campaign.
    await memberFlow(campaignId, "ada", "earned-again", 10, 30);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 30, left: 0 });
    expect(await exhaustedEvents(campaignId)).toHaveLength(1);
  });

  it("never gives back more than was issued", async () => {
    const campaignId = newCampaign();
    await memberFlow(campaignId, "ada", "small", 5, 30);
    await giveBackBudgets(env, PROGRAM, "big-refund", [{ campaignId, points: 50 }]);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 0, left: 30 });
  });

  it("reconcile applies a return whose call was lost, from the refund's row in D1", async () => {
    const campaignId = newCampaign();
    await memberFlow(campaignId, "ada", "kept", 20, 30);
    const rows = returnRows("lost-refund", [{ campaignId, points: 8 }]);
    await db.insert(budgetDraws).values(rows.map((row) => ({ programId: PROGRAM, memberId: "ada", ...row, createdAt: new Date().toISOString() })));
    expect(await budget(campaignId).reconcile()).toEqual({ confirmed: 0, released: 0, returned: 1 });
    expect(await budget(campaignId).reconcile()).toEqual({ confirmed: 0, released: 0, returned: 0 });
    // A late call of the same return changes nothing either.
    await giveBackBudgets(env, PROGRAM, "lost-refund", [{ campaignId, points: 8 }]);
    expect(await budget(campaignId).view()).toMatchObject({ issued: 12, left: 18 });
    expect(await issuedInD1(db, { programId: PROGRAM, campaignId })).toBe(12);
  });
});
