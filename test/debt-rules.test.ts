// Debt and exactness rules: points that come back pay debt first, refunds take
// back what expired rather than making debt, and no stored sum leaves safe integers.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";
import { runAt } from "./job-helpers";
import { memberLedger } from "./reliability/support";
import { ProgramSettingsSchema } from "../src/ledger/settings";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const eur = (amount: number) => ({ amount, currency: "EUR" });

function refund(key: string, memberId: string, orderId: string, amount: number) {
  return call(`/v1/members/${memberId}/refunds`, { key, body: { orderId, amount: eur(amount) } });
}

function cancel(key: string, redemptionId: string) {
  return call(`/v1/redemptions/${redemptionId}/cancel`, { key, method: "POST" });
}

describe("points that come back to a member", () => {
  it("pay off the debt a refund made while they were held, when the hold is cancelled", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    const hold = await redeem(p.server, "ada", 100, { mode: "hold" });
    expect((await refund(p.server, "ada", "o-1", 10_000)).json).toMatchObject({ fromLot: 0, addedToDebt: 100 });
    const cancelled = await cancel(p.server, hold.json.id);
    expect(cancelled.json.status).toBe("cancelled");
    expect(cancelled.json.balance).toMatchObject({ available: 0, held: 0, debt: 0 });
    expect((await redeem(p.server, "ada", 100)).json).toMatchObject({ code: "insufficient_points", available: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("pay off debt when a captured redemption is reversed, and only the rest is spendable", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    const captured = await redeem(p.server, "ada", 100);
    expect((await refund(p.server, "ada", "o-1", 6_000)).json).toMatchObject({ pointsClawedBack: 60, addedToDebt: 60 });
    const reversed = await cancel(p.server, captured.json.id);
    expect(reversed.json.status).toBe("reversed");
    expect(reversed.json.balance).toMatchObject({ available: 40, debt: 0 });
    expect((await redeem(p.server, "ada", 41)).json.code).toBe("insufficient_points");
    expect((await redeem(p.server, "ada", 40)).status).toBe(201);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("pay off debt when a hold lapses by itself", async () => {
    const p = await createProgram();
    const settings = ProgramSettingsSchema.parse({});
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    const hold = await redeem(p.server, "ada", 100, { mode: "hold", ttlSeconds: 60 });
    await refund(p.server, "ada", "o-1", 10_000);
    const later = Date.parse(hold.json.holdExpiresAt) + 1_000;
    const lapsed = await memberLedger(p.programId, "ada").lapseHolds({ programId: p.programId, memberId: "ada", settings, partnerId: null, now: later });
    expect(lapsed).toEqual([hold.json.id]);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 0, held: 0, debt: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("pay from the points that would expire first, so the member keeps the ones that last", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    const soon = await accrue(p.server, "ada", 10_000, { orderId: "o-soon", occurredAt: iso(Date.now() - 10 * DAY) });
    const later = await accrue(p.server, "ada", 10_000, { orderId: "o-later" });
    const hold = await redeem(p.server, "ada", 200, { mode: "hold" });
    expect((await refund(p.server, "ada", "o-later", 10_000)).json).toMatchObject({ addedToDebt: 100 });
    const cancelled = await cancel(p.server, hold.json.id);
    expect(cancelled.json.balance).toMatchObject({ available: 100, debt: 0, nextExpiries: [{ points: 100, expiresAt: later.json.lot.expiresAt }] });
    const lots = await env.DB.prepare("SELECT id, remaining FROM lots WHERE program_id = ? ORDER BY earned_at").bind(p.programId).all();
    expect(lots.results).toEqual([
      { id: soon.json.lot.id, remaining: 0 },
      { id: later.json.lot.id, remaining: 100 },
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("pay debt even when their lot has expired meanwhile, rather than expiring", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    const settings = ProgramSettingsSchema.parse({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    const earned = await accrue(p.server, "ada", 10_000, { orderId: "o-1", occurredAt: iso(Date.now() - 30 * DAY + 60_000) });
    const hold = await redeem(p.server, "ada", 100, { mode: "hold", ttlSeconds: 7_200 });
    await refund(p.server, "ada", "o-1", 10_000);
    // The lot expires, then the hold lapses: its points settle the refund's claim, nothing is left to expire.
    const after = Date.parse(hold.json.holdExpiresAt) + 1_000;
    expect(after).toBeGreaterThan(Date.parse(earned.json.lot.expiresAt));
    await memberLedger(p.programId, "ada").lapseHolds({ programId: p.programId, memberId: "ada", settings, partnerId: null, now: after });
    const expired = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE program_id = ? AND type = 'expire'").bind(p.programId).first<{ n: number }>();
    expect(expired!.n).toBe(0);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 0, held: 0, debt: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("record which lot paid, so each issuer's flows still reconcile", async () => {
    const p = await createProgram({ expiry: { policy: "never" } });
    await enroll(p.server, "ada");
    await accrue(p.partner, "ada", 10_000, { orderId: "a-1" }); // 100 from the partner
    await accrue(p.server, "ada", 5_000, { orderId: "p-1" }); // 50 from the program
    const hold = await redeem(p.server, "ada", 150, { mode: "hold" });
    await refund(p.server, "ada", "p-1", 5_000); // 50 of debt
    await cancel(p.server, hold.json.id);
    const payments = await env.DB.prepare("SELECT partner_id, points, json_extract(details, '$.debtPaid') AS paid FROM entries WHERE program_id = ? AND type = 'debt_payment'")
      .bind(p.programId)
      .all();
    // The partner's lot was taken first (oldest), so it gets its points back first and pays the debt.
    expect(payments.results).toEqual([{ partner_id: p.partnerId, points: 0, paid: 50 }]);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 100, debt: 0 });
    const statement = await call(`/v1/settlements/${new Date().toISOString().slice(0, 7)}`, { key: p.admin });
    expect(statement.status, JSON.stringify(statement.json)).toBe(200);
    expect(statement.json.reconciliation.every((r: { ok: boolean }) => r.ok)).toBe(true);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("refunding points that expired", () => {
  it("takes them from what expired, with no debt, after the expiry job emptied the lot", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    const earned = await accrue(p.server, "ada", 10_000, { orderId: "o-1", occurredAt: iso(Date.now() - 31 * DAY) });
    expect((await runAt(p.programId, "expire-points", Date.now())).itemsDone).toBe(1);
    const refunded = await refund(p.server, "ada", "o-1", 10_000);
    expect(refunded.status).toBe(201);
    expect(refunded.json).toMatchObject({ pointsClawedBack: 100, fromLot: 0, fromExpired: 100, addedToDebt: 0 });
    expect(refunded.json.balance.debt).toBe(0);
    expect((await accrue(p.server, "ada", 5_000)).json).toMatchObject({ points: 50, debtPaid: 0 });
    expect(earned.json.lot.id).toBeTruthy();
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("gives the same answer before the job has come by", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1", occurredAt: iso(Date.now() - 31 * DAY) });
    const refunded = await refund(p.server, "ada", "o-1", 10_000);
    expect(refunded.json).toMatchObject({ pointsClawedBack: 100, addedToDebt: 0 });
    expect((await runAt(p.programId, "expire-points", Date.now())).itemsDone).toBe(0);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("takes what expired only once over partial refunds, and debt only for what was spent", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1", occurredAt: iso(Date.now() - 30 * DAY + 3_600_000) });
    expect((await redeem(p.server, "ada", 30)).status).toBe(201); // 30 spent, 70 left to expire
    await runAt(p.programId, "expire-points", Date.now() + 2 * 3_600_000);
    expect((await refund(p.server, "ada", "o-1", 5_000)).json).toMatchObject({ pointsClawedBack: 50, fromExpired: 50, addedToDebt: 0 });
    expect((await refund(p.server, "ada", "o-1", 5_000)).json).toMatchObject({ pointsClawedBack: 50, fromExpired: 20, addedToDebt: 30 });
    expect(await balance(p.server, "ada")).toMatchObject({ debt: 30 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("counts what a refund took back from expiry as clawed back, not as breakage, so settlement reconciles", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    await enroll(p.server, "ada");
    const earned = await accrue(p.partner, "ada", 10_000, { orderId: "a-1", occurredAt: iso(Date.now() - 31 * DAY) });
    await runAt(p.programId, "expire-points", Date.now());
    await refund(p.partner, "ada", "a-1", 10_000);
    const lineIn = async (period: string) => {
      const statement = await call(`/v1/settlements/${period}`, { key: p.admin });
      expect(statement.status, JSON.stringify(statement.json)).toBe(200);
      expect(statement.json.reconciliation.every((r: { ok: boolean }) => r.ok)).toBe(true);
      return statement.json.partners.find((l: { partnerId: string }) => l.partnerId === p.partnerId);
    };
    const nowPeriod = new Date().toISOString().slice(0, 7);
    const expiryPeriod = String(earned.json.lot.expiresAt).slice(0, 7);
    expect((await lineIn(nowPeriod)).clawedBack.points).toBe(100);
    // Breakage is what expired and stayed expired: over the periods it adds up to nothing, as when the
    // refund came before the job (the expiry counts where it happened, the take-back where the refund did).
    const periods = [...new Set([expiryPeriod, nowPeriod])];
    const breakage = await Promise.all(periods.map(async (period) => (await lineIn(period)).expired as number));
    expect(breakage.reduce((a, b) => a + b, 0)).toBe(0);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("sums beyond safe integers", () => {
  // A million points per cent, a million points per cent of value: each accrual fits, their sum does not.
  const huge = { earnRate: { points: 1_000_000, perAmount: 1 }, redemptionValue: { points: 1_000_000, amount: 1 } };

  it("refuses an accrual that would push the balance past 2^53, writing nothing", async () => {
    const p = await createProgram(huge);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 4_000_000_000)).status).toBe(201);
    expect((await accrue(p.server, "ada", 4_000_000_000)).status).toBe(201);
    const before = await balance(p.server, "ada");
    const third = await accrue(p.server, "ada", 4_000_000_000, { orderId: "o-third" });
    expect(third.status).toBe(422);
    expect(third.json.code).toBe("amount_out_of_range");
    expect(await balance(p.server, "ada")).toEqual(before);
    const orders = await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE program_id = ? AND order_id = 'o-third'").bind(p.programId).first<{ n: number }>();
    expect(orders!.n).toBe(0);
    expect((await redeem(p.server, "ada", 1)).json.balance.available).toBe(before.available - 1);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an accrual that would push lifetime earnings past 2^53, though the balance stays small", async () => {
    const p = await createProgram(huge);
    await enroll(p.server, "ada");
    for (const orderId of ["o-1", "o-2"]) {
      expect((await accrue(p.server, "ada", 4_000_000_000, { orderId })).status).toBe(201);
      expect((await refund(p.server, "ada", orderId, 4_000_000_000)).json).toMatchObject({ addedToDebt: 0 });
    }
    const before = await balance(p.server, "ada");
    expect(before).toMatchObject({ available: 0, lifetimeEarned: 8_000_000_000_000_000 });
    const third = await accrue(p.server, "ada", 4_000_000_000, { orderId: "o-3" });
    expect(third.json.code).toBe("amount_out_of_range");
    expect(await balance(p.server, "ada")).toEqual(before);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses, in a bulk file, only the item that would pass 2^53, and posts the rest", async () => {
    const p = await createProgram(huge);
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const item = (memberId: string, orderId: string) => ({ type: "accrual", memberId, orderId, amount: eur(4_000_000_000) });
    const items = [item("ada", "o-1"), item("ada", "o-2"), item("ada", "o-3"), item("bob", "o-4")];
    const res = await call("/v1/transactions/batch", { key: p.server, body: { items }, idempotencyKey: null });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["posted", "posted", "error", "posted"]);
    expect(res.json.results[2].error.code).toBe("amount_out_of_range");
    expect(await balance(p.server, "ada")).toMatchObject({ available: 8_000_000_000_000_000 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses to close a period whose program-wide sums pass 2^53, and closes nothing", async () => {
    const p = await createProgram(huge);
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 12));
    const period = lastMonth.toISOString().slice(0, 7);
    for (const memberId of ["ada", "bob", "cy"]) {
      await enroll(p.server, memberId);
      expect((await accrue(p.server, memberId, 4_000_000_000, { occurredAt: lastMonth.toISOString() })).status).toBe(201);
    }
    const closed = await call(`/v1/settlements/${period}/close`, { key: p.admin, method: "POST" });
    expect(closed.status).toBe(422);
    expect(closed.json.code).toBe("amount_out_of_range");
    const program = await env.DB.prepare("SELECT closed_through FROM programs WHERE id = ?").bind(p.programId).first<{ closed_through: string | null }>();
    expect(program!.closed_through).toBeNull();
    const frozen = await env.DB.prepare("SELECT COUNT(*) AS n FROM settlement_periods WHERE program_id = ?").bind(p.programId).first<{ n: number }>();
    expect(frozen!.n).toBe(0);
  });
});
