// assertPlanInRange: a plan whose stored sums would leave safe integers is refused before anything is written.
import { describe, expect, it } from "vitest";
import { assertPlanInRange } from "../../src/ledger/limits";
import { BeyondSafeIntegers } from "../../src/ledger/money";
import { accrue } from "../../src/ledger/ops/accrue";
import { refund } from "../../src/ledger/ops/refund";
import { context, lot, member, order, redemption, state, taken } from "./build";

const MAX = Number.MAX_SAFE_INTEGER;
const order1000 = { orderId: "o-1", amount: { amount: 1000, currency: "EUR" }, channel: "online", occurredAt: "2026-03-10T11:00:00.000Z" };

// The member's object answers each of these with 422 amount_out_of_range.
describe("assertPlanInRange", () => {
  it.each([
    ["the lifetime earned", () => accrue(state({ member: member({ lifetimeEarned: MAX - 5 }) }), "ada", order1000, context()), /lifetime earned/],
    ["the qualifying points", () => accrue(state({ member: member({ lifetimeEarned: 0, qualifyingPoints: MAX - 5 }) }), "ada", order1000, context()), /qualifying points/],
    ["the debt", () => refund(state({ member: member({ debt: MAX - 5 }) }), "ada", order(), null, { orderId: "o-1", amount: { amount: 10_000, currency: "EUR" } }, context()), /debt/],
    ["the member's points in lots", () => accrue(state({ lots: [lot("big", MAX - 5)] }), "ada", order1000, context()), /the member's points/],
    ["the member's points in lots and holds", () => accrue(state({ holds: [redemption("red_h", [taken("big", MAX - 5)])] }), "ada", order1000, context()), /the member's points/],
  ])("refuses a plan that takes %s past 2^53", (_, build, what) => {
    expect(() => assertPlanInRange(build())).toThrow(BeyondSafeIntegers);
    expect(() => assertPlanInRange(build())).toThrow(what);
  });

  it.each([
    ["up to the largest safe integer", () => accrue(state({ member: member({ lifetimeEarned: MAX - 10, qualifyingPoints: 0 }), lots: [lot("big", MAX - 10)] }), "ada", order1000, context())],
    ["an ordinary accrual", () => accrue(state(), "ada", order1000, context())],
  ])("lets a plan through %s", (_, build) => {
    expect(() => assertPlanInRange(build())).not.toThrow();
  });
});
