// The inactivity policy between the deadline and the expiry job's next run:
// points that have expired must not be counted, spent or brought back by new
// activity just because the job has not swept them yet. (Found by the
// property test; time is injected through the member's object.)
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LedgerCall } from "../../src/members/member-ledger";
import { call, createProgram, expectLedgerConsistent } from "../helpers";
import { DAY } from "./ledger-model";
import { memberLedger } from "./support";

const T0 = Date.UTC(2040, 0, 1);

async function idleMember() {
  const p = await createProgram({ expiry: { policy: "inactivity", days: 30 } }, "Inactivity");
  const settings = (await call("/v1/program", { key: p.admin })).json.settings;
  let n = 0;
  const at = (now: number, idempotent = true): LedgerCall => ({
    programId: p.programId,
    memberId: "ada",
    settings,
    partnerId: null,
    idempotency: idempotent ? { scope: "server:", key: `k-${++n}`, requestHash: `h-${n}` } : null,
    now,
  });
  const ledger = () => memberLedger(p.programId, "ada");
  expect((await ledger().enroll(at(T0), {})).ok).toBe(true);
  const order = (orderId: string, now: number) => ({ orderId, amount: { amount: 20_000, currency: "EUR" }, channel: "online", occurredAt: new Date(now).toISOString() });
  expect(await ledger().accrue(at(T0), order("o-1", T0))).toMatchObject({ ok: true, value: { points: 200 } });
  return { p, at, ledger, order, deadline: T0 + 30 * DAY };
}

async function expiredPoints(programId: string) {
  return env.DB.prepare("SELECT COALESCE(SUM(points), 0) AS points FROM entries WHERE program_id = ? AND type = 'expire'").bind(programId).first<number>("points");
}

describe("inactivity expiry before the job has run", () => {
  it("counts an idle member's points as gone at the deadline, not when the job comes by", async () => {
    const { p, at, ledger, deadline } = await idleMember();
    expect(await ledger().getBalance(at(deadline - 1, false))).toMatchObject({ ok: true, value: { available: 200 } });
    expect(await ledger().getBalance(at(deadline, false))).toMatchObject({ ok: true, value: { available: 0, pending: 0 } });
    expect(await expiredPoints(p.programId)).toBe(-200);
    await expectLedgerConsistent(p.programId);
  });

  it("refuses to spend points that expired by inactivity", async () => {
    const { p, at, ledger, deadline } = await idleMember();
    const spend = await ledger().redeem(at(deadline + DAY), { mode: "capture", points: 50, channel: "online" });
    expect(spend).toMatchObject({ ok: false, error: { code: "insufficient_points", data: { available: 0 } } });
    await expectLedgerConsistent(p.programId);
  });

  it("does not bring expired points back when the idle member earns again", async () => {
    const { p, at, ledger, order, deadline } = await idleMember();
    const later = deadline + DAY;
    expect(await ledger().accrue(at(later), order("o-2", later))).toMatchObject({ ok: true, value: { points: 200, balance: { available: 200 } } });
    // The job's run afterwards finds nothing left to take, and the history says where the first 200 went.
    expect(await ledger().expirePoints(at(later, false))).toMatchObject({ ok: true, value: { lots: 0 } });
    expect(await ledger().getBalance(at(later, false))).toMatchObject({ ok: true, value: { available: 200, lifetimeEarned: 400 } });
    expect(await expiredPoints(p.programId)).toBe(-200);
    await expectLedgerConsistent(p.programId);
  });

  it("still lets the expiry job count what it expires", async () => {
    const { p, at, ledger, deadline } = await idleMember();
    expect(await ledger().expirePoints(at(deadline, false))).toMatchObject({ ok: true, value: { lots: 1, points: 200 } });
    expect(await expiredPoints(p.programId)).toBe(-200);
    await expectLedgerConsistent(p.programId);
  });
});
