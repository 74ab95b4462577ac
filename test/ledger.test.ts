// The core ledger through the HTTP API: accrue, balance, redeem, holds, refunds.
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";

describe("accrue", () => {
  it("earns points at the base rate and shows them in the balance", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await accrue(p.server, "ada", 4999);
    expect(res.status).toBe(201);
    expect(res.json.points).toBe(49);
    expect(res.json.breakdown).toEqual([{ rule: "base", points: 49 }]);
    expect(res.json.balance.available).toBe(49);
    const b = await balance(p.server, "ada");
    expect(b).toMatchObject({ available: 49, pending: 0, held: 0, debt: 0, lifetimeEarned: 49 });
    expect(b.availableValue).toEqual({ amount: 49, currency: "EUR" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an unknown member unless the program enrolls on accrual", async () => {
    const p = await createProgram();
    const res = await accrue(p.server, "ghost", 1000);
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
    const q = await createProgram({ enrollOnAccrual: true });
    expect((await accrue(q.server, "newbie", 1000)).status).toBe(201);
    expect((await balance(q.server, "newbie")).available).toBe(10);
    await expectLedgerConsistent(q.programId, q.server);
  });

  it("earns an order once, whatever the Idempotency-Key", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const first = await accrue(p.server, "ada", 2000, { orderId: "o-1" });
    const second = await accrue(p.server, "ada", 2000, { orderId: "o-1" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: "order_already_accrued", accrualId: first.json.accrualId, points: 20 });
    expect((await balance(p.server, "ada")).available).toBe(20);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("earns an order once even when two members claim it at the same moment", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const [x, y] = await Promise.all(["ada", "bob"].map((m) => accrue(p.server, m, 1000, { orderId: "contested" })));
    expect([x!.status, y!.status].sort()).toEqual([201, 409]);
    expect([x!.json.code, y!.json.code]).toContain("order_already_accrued");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("treats the same order id from a partner as a different issuer's order", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1000, { orderId: "o-1" })).status).toBe(201);
    const fromPartner = await accrue(p.partner, "ada", 1000, { orderId: "o-1" });
    expect(fromPartner.status).toBe(201);
    expect((await balance(p.server, "ada")).available).toBe(20);
  });

  it("applies a tier's multiplier and upgrades on the accrual that crosses the threshold", async () => {
    const p = await createProgram({
      tiers: [
        { name: "silver", threshold: 100, multiplierPercent: 150 },
        { name: "gold", threshold: 1000, multiplierPercent: 200 },
      ],
    });
    await enroll(p.server, "ada");
    const crossing = await accrue(p.server, "ada", 10_000);
    expect(crossing.json.points).toBe(100);
    expect(crossing.json.tierChange).toEqual({ from: null, to: "silver" });
    const next = await accrue(p.server, "ada", 10_000);
    expect(next.json.points).toBe(150);
    expect(next.json.breakdown).toEqual([
      { rule: "base", points: 100 },
      { rule: "tier_multiplier", points: 50, tier: "silver", multiplierPercent: 150 },
    ]);
    const b = await balance(p.server, "ada");
    expect(b.tier).toBe("silver");
    expect(b.nextTier).toEqual({ name: "gold", pointsNeeded: 750 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("keeps points pending through the pending period and dates their expiry", async () => {
    const p = await createProgram({ pendingDays: 14, expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    const res = await accrue(p.server, "ada", 1000, { occurredAt: "2026-01-10T12:00:00Z" });
    expect(res.json.lot.availableAt).toBe("2026-01-24T12:00:00.000Z");
    expect(res.json.lot.expiresAt).toBe("2027-01-10T12:00:00.000Z");
    const fresh = await accrue(p.server, "ada", 500);
    expect(fresh.json.balance.pending).toBe(5);
    expect(fresh.json.balance.available).toBe(10);
    expect(fresh.json.balance.nextExpiries[0]).toEqual({ points: 10, expiresAt: "2027-01-10T12:00:00.000Z" });
  });

  it("refuses an order in another currency or in the future", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const usd = await call("/v1/members/ada/accruals", { key: p.server, body: { orderId: "x", amount: { amount: 100, currency: "USD" } } });
    expect(usd.status).toBe(422);
    expect(usd.json.code).toBe("currency_mismatch");
    const future = await accrue(p.server, "ada", 100, { occurredAt: "2999-01-01T00:00:00Z" });
    expect(future.status).toBe(422);
    expect(future.json.code).toBe("occurred_in_future");
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("redeem", () => {
  it("captures points, values them at the program's rate, and takes the soonest-expiring lots first", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    const late = await accrue(p.server, "ada", 10_000, { occurredAt: "2026-11-20T00:00:00Z" });
    const early = await accrue(p.server, "ada", 10_000, { occurredAt: "2026-06-01T00:00:00Z" });
    const res = await redeem(p.server, "ada", 150);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: "captured", points: 150, value: { amount: 150, currency: "EUR" } });
    expect(res.json.balance.available).toBe(50);
    const history = await call("/v1/members/ada/transactions", { key: p.server });
    const redeemEntry = history.json.data.find((e: any) => e.type === "redeem");
    expect(redeemEntry.details.allocations).toEqual([
      { lotId: early.json.lot.id, points: 100 },
      { lotId: late.json.lot.id, points: 50 },
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses more than the available points with the numbers", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const res = await redeem(p.server, "ada", 101);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json).toMatchObject({ code: "insufficient_points", available: 100, requested: 101, shortfall: 1 });
    expect((await balance(p.server, "ada")).available).toBe(100);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses pending points and less than the minimum redemption", async () => {
    const p = await createProgram({ pendingDays: 14, minRedemptionPoints: 50 });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    expect((await redeem(p.server, "ada", 60)).json.code).toBe("insufficient_points");
    expect((await redeem(p.server, "ada", 10)).json.code).toBe("below_minimum_redemption");
  });

  it("lets exactly 50 of 100 concurrent redemptions of 10 through against 500 points", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 50_000);
    const results = await Promise.all(Array.from({ length: 100 }, () => redeem(p.server, "ada", 10)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(50);
    expect(results.filter((r) => r.status === 422 && r.json.code === "insufficient_points")).toHaveLength(50);
    const b = await balance(p.server, "ada");
    expect(b.available).toBe(0);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("holds", () => {
  async function heldMember(settings = {}) {
    const p = await createProgram(settings);
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const hold = await redeem(p.server, "ada", 40, { mode: "hold", ttlSeconds: 600 });
    expect(hold.status).toBe(201);
    expect(hold.json.status).toBe("held");
    expect(hold.json.balance).toMatchObject({ available: 60, held: 40 });
    return { p, id: hold.json.id as string };
  }

  it("captures a hold once", async () => {
    const { p, id } = await heldMember();
    const captured = await call(`/v1/redemptions/${id}/capture`, { key: p.server, method: "POST" });
    expect(captured.status).toBe(200);
    expect(captured.json.status).toBe("captured");
    expect(captured.json.balance).toMatchObject({ available: 60, held: 0 });
    const again = await call(`/v1/redemptions/${id}/capture`, { key: p.server, method: "POST" });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("redemption_not_capturable");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("cancels a hold and gives the points back; a cancelled hold can't be captured", async () => {
    const { p, id } = await heldMember();
    const cancelled = await call(`/v1/redemptions/${id}/cancel`, { key: p.server, method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    expect(cancelled.json.balance).toMatchObject({ available: 100, held: 0 });
    expect((await call(`/v1/redemptions/${id}/capture`, { key: p.server, method: "POST" })).json.code).toBe("redemption_not_capturable");
    expect((await call(`/v1/redemptions/${id}/cancel`, { key: p.server, method: "POST" })).json.code).toBe("redemption_not_cancellable");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("reverses a captured redemption back into its lots", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const captured = await redeem(p.server, "ada", 30);
    const reversed = await call(`/v1/redemptions/${captured.json.id}/cancel`, { key: p.server, method: "POST" });
    expect(reversed.json.status).toBe("reversed");
    expect(reversed.json.balance.available).toBe(100);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("refund", () => {
  it("takes back unspent points from the order's lot, in proportion", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-9" });
    const half = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-9", amount: { amount: 5000, currency: "EUR" } } });
    expect(half.status).toBe(201);
    expect(half.json).toMatchObject({ pointsClawedBack: 50, fromLot: 50, addedToDebt: 0 });
    expect(half.json.balance.available).toBe(50);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("turns spent points into debt, which later earnings pay off first", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    await redeem(p.server, "ada", 80);
    const full = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-1", amount: { amount: 10_000, currency: "EUR" } } });
    expect(full.json).toMatchObject({ pointsClawedBack: 100, fromLot: 20, addedToDebt: 80 });
    expect(full.json.balance).toMatchObject({ available: 0, debt: 80 });
    await expectLedgerConsistent(p.programId, p.server);
    const later = await accrue(p.server, "ada", 5_000);
    expect(later.json).toMatchObject({ points: 50, debtPaid: 50 });
    expect(later.json.balance).toMatchObject({ available: 0, debt: 30 });
    const more = await accrue(p.server, "ada", 5_000);
    expect(more.json.balance).toMatchObject({ available: 20, debt: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("adds partial refunds up to exactly the points of a full one, and no further", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 999, { orderId: "o-odd" }); // 9 points
    const parts = [333, 333, 333];
    let clawed = 0;
    for (const amount of parts) {
      const res = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-odd", amount: { amount, currency: "EUR" } } });
      clawed += res.json.pointsClawedBack;
    }
    expect(clawed).toBe(9);
    const over = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-odd", amount: { amount: 1, currency: "EUR" } } });
    expect(over.status).toBe(422);
    expect(over.json.code).toBe("refund_exceeds_order");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an order the member never earned on", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "nope", amount: { amount: 1, currency: "EUR" } } });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("order_not_found");
  });
});
