// Refunds of orders the member's object keeps from their accrual or an earlier refund: the same answers and rows as a read from D1.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";

const refund = (key: string, orderId: string, amount: number) =>
  call("/v1/members/ada/refunds", { key, body: { orderId, amount: { amount, currency: "EUR" } } });

async function orderRow(programId: string, issuer: string, orderId: string) {
  return env.DB.prepare("SELECT refunded_amount AS refunded, clawed_back_points AS clawed FROM orders WHERE program_id = ?1 AND issuer = ?2 AND order_id = ?3")
    .bind(programId, issuer, orderId)
    .first<{ refunded: number; clawed: number }>();
}

describe("refunds of kept orders", () => {
  it("keeps each issuer's orders apart: a kept order of one key is not found by another", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    await accrue(p.partner, "ada", 4_000, { orderId: "o-1" });
    // The partner's o-1 earned 40 points; the server's 100: each refund takes from its own.
    expect((await refund(p.partner, "o-1", 4_000)).json).toMatchObject({ pointsClawedBack: 40, fromLot: 40 });
    expect((await refund(p.partner, "o-1", 1)).json.code).toBe("refund_exceeds_order");
    expect((await refund(p.server, "o-1", 5_000)).json).toMatchObject({ pointsClawedBack: 50, fromLot: 50 });
    await accrue(p.server, "ada", 1_000, { orderId: "o-server-only" });
    expect((await refund(p.partner, "o-server-only", 100)).json.code).toBe("order_not_found");
    expect(await orderRow(p.programId, "", "o-1")).toEqual({ refunded: 5_000, clawed: 50 });
    expect(await orderRow(p.programId, p.partnerId, "o-1")).toEqual({ refunded: 4_000, clawed: 40 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("writes the order's running totals refund after refund, and turns what was spent since into debt", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-2" }); // 100 points in the order's lot
    expect((await refund(p.server, "o-2", 2_500)).json).toMatchObject({ pointsClawedBack: 25, fromLot: 25, addedToDebt: 0 });
    // 75 left in the lot; 70 of them spent: the next 50 come 5 from the lot, 45 as debt.
    expect((await redeem(p.server, "ada", 70)).status).toBe(201);
    expect((await refund(p.server, "o-2", 5_000)).json).toMatchObject({ pointsClawedBack: 50, fromLot: 5, fromExpired: 0, addedToDebt: 45 });
    expect((await refund(p.server, "o-2", 2_500)).json).toMatchObject({ pointsClawedBack: 25, fromLot: 0, addedToDebt: 25 });
    expect(await orderRow(p.programId, "", "o-2")).toEqual({ refunded: 10_000, clawed: 100 });
    expect((await refund(p.server, "o-2", 1)).json.code).toBe("refund_exceeds_order");
    await expectLedgerConsistent(p.programId, p.server);
  });
});
