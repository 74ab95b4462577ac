// Point expiry and expiry warnings through the jobs, at injected times (all UTC).
import { describe, expect, it } from "vitest";
import { accrue, balance, createProgram, enroll, expectLedgerConsistent, redeem, type Settings } from "./helpers";
import { entriesOf, events, rows, runAt, seedLots } from "./job-helpers";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function lotRemaining(lotId: string) {
  const [lot] = await rows<{ remaining: number }>("SELECT remaining FROM lots WHERE id = ?", lotId);
  return lot!.remaining;
}

describe("expiry policies", () => {
  // [policy, earnedAt, the instant its points expire]
  const cases: [string, Settings["expiry"], string, string][] = [
    ["rolling 365 days across a leap day", { policy: "rolling", days: 365 }, "2024-02-29T12:00:00Z", "2025-02-28T12:00:00.000Z"],
    ["rolling 1 day across new year", { policy: "rolling", days: 1 }, "2024-12-31T23:00:00Z", "2025-01-01T23:00:00.000Z"],
    ["end of month, earned on the 31st", { policy: "period_end", period: "month", plusPeriods: 0 }, "2024-01-31T23:30:00Z", "2024-02-01T00:00:00.000Z"],
    ["end of month, earned on a leap day", { policy: "period_end", period: "month", plusPeriods: 0 }, "2024-02-29T10:00:00Z", "2024-03-01T00:00:00.000Z"],
    ["end of the following month, across new year", { policy: "period_end", period: "month", plusPeriods: 1 }, "2024-12-15T08:00:00Z", "2025-02-01T00:00:00.000Z"],
    ["end of quarter, the last second of Q1", { policy: "period_end", period: "quarter", plusPeriods: 0 }, "2024-03-31T23:59:59Z", "2024-04-01T00:00:00.000Z"],
    ["end of year, earned on a leap day", { policy: "period_end", period: "year", plusPeriods: 0 }, "2024-02-29T00:00:00Z", "2025-01-01T00:00:00.000Z"],
    ["end of the following year, the last second of a year", { policy: "period_end", period: "year", plusPeriods: 1 }, "2024-12-31T23:59:59Z", "2026-01-01T00:00:00.000Z"],
  ];

  it.each(cases)("%s: the lot expires at its instant, not a millisecond before", async (_name, expiry, earnedAt, expiresAt) => {
    // Orders dated years back, which the program's window has to let in.
    const p = await createProgram({ expiry, maxBackdateDays: 3650 });
    await enroll(p.server, "ada");
    const earned = await accrue(p.server, "ada", 10_000, { occurredAt: earnedAt });
    expect(earned.json.lot.expiresAt).toBe(expiresAt);
    const lotId = earned.json.lot.id as string;

    const early = await runAt(p.programId, "expire-points", Date.parse(expiresAt) - 1);
    expect(early).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0, errors: 0 });
    expect(await lotRemaining(lotId)).toBe(100);

    const due = await runAt(p.programId, "expire-points", expiresAt);
    expect(due).toMatchObject({ status: "done", itemsDone: 1, itemsLeft: 0, errors: 0 });
    expect(await lotRemaining(lotId)).toBe(0);
    const [expired] = await entriesOf(p.programId, "expire");
    expect(expired).toMatchObject({ member_id: "ada", points: -100, lot_id: lotId, occurred_at: expiresAt });
    expect(expired!.details).toMatchObject({ reason: "lot_expired", expiresAt });
    const [announced] = await events(p.programId, "points.expired");
    expect(announced).toMatchObject({ memberId: "ada", points: 100, lots: [{ lotId, points: 100, expiredAt: expiresAt }] });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("never: nothing expires, however late", async () => {
    const p = await createProgram({ expiry: { policy: "never" }, maxBackdateDays: 3650 });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { occurredAt: "2020-01-01T00:00:00Z" });
    expect(await runAt(p.programId, "expire-points", "2099-01-01T00:00:00Z")).toMatchObject({ itemsDone: 0, itemsLeft: 0 });
    expect((await balance(p.server, "ada")).available).toBe(100);
  });

  it("inactivity: every point goes N days after the last activity, and activity resets the clock", async () => {
    const p = await createProgram({ expiry: { policy: "inactivity", days: 30 } });
    await seedLots(p.programId, { members: 1, lotsEach: 3, points: 50, earnedAt: "2026-01-01T00:00:00.000Z", expiresAt: null, prefix: "idle" });
    await seedLots(p.programId, { members: 1, lotsEach: 2, points: 50, earnedAt: iso(Date.now() - 10 * DAY), expiresAt: null, prefix: "busy" });

    expect((await runAt(p.programId, "expire-points", "2026-01-30T23:59:59.999Z")).itemsDone).toBe(0);
    const first = await runAt(p.programId, "expire-points", "2026-01-31T00:00:00.000Z");
    expect(first).toMatchObject({ status: "done", itemsDone: 3, itemsLeft: 0 });
    const idle = await entriesOf(p.programId, "expire", "idle0000");
    expect(idle.map((e) => e.points)).toEqual([-50, -50, -50]);
    expect(idle[0]!.details).toMatchObject({ reason: "inactivity", expiresAt: "2026-01-31T00:00:00.000Z" });
    expect(await entriesOf(p.programId, "expire", "busy0000")).toEqual([]);

    // A redemption is activity: the clock starts again from it.
    expect((await redeem(p.server, "busy0000", 10)).status).toBe(201);
    const [member] = await rows<{ last_activity_at: string }>(
      "SELECT last_activity_at FROM members WHERE program_id = ? AND member_id = 'busy0000'",
      p.programId,
    );
    const restarted = Date.parse(member!.last_activity_at);
    expect((await runAt(p.programId, "expire-points", restarted + 30 * DAY - 1)).itemsDone).toBe(0);
    expect((await runAt(p.programId, "expire-points", restarted + 30 * DAY)).itemsDone).toBe(2);
    expect((await entriesOf(p.programId, "expire", "busy0000")).reduce((sum, e) => sum + e.points, 0)).toBe(-90);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("expiry and spending", () => {
  it("spends the soonest-expiring lot first, then expires only what is left", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    const now = Date.now();
    const early = await accrue(p.server, "ada", 10_000, { occurredAt: iso(now - 300 * DAY) });
    const late = await accrue(p.server, "ada", 10_000, { occurredAt: iso(now - 200 * DAY) });
    expect((await redeem(p.server, "ada", 150)).status).toBe(201);

    expect(await runAt(p.programId, "expire-points", early.json.lot.expiresAt)).toMatchObject({ itemsDone: 0 });
    expect(await runAt(p.programId, "expire-points", late.json.lot.expiresAt)).toMatchObject({ itemsDone: 1 });
    const expired = await entriesOf(p.programId, "expire");
    expect(expired.map((e) => [e.lot_id, e.points])).toEqual([[late.json.lot.id, -50]]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("leaves an open hold's points alone, and expires them when the hold lapses after its lot expired", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    const now = Date.now();
    const earned = await accrue(p.server, "ada", 10_000, { occurredAt: iso(now - 365 * DAY + 3_600_000) });
    const lotExpiry = Date.parse(earned.json.lot.expiresAt);
    const hold = await redeem(p.server, "ada", 40, { mode: "hold", ttlSeconds: 7_200 });
    expect(hold.status).toBe(201);

    const expiry = await runAt(p.programId, "expire-points", lotExpiry);
    expect(expiry.itemsDone).toBe(1);
    expect((await entriesOf(p.programId, "expire")).map((e) => e.points)).toEqual([-60]);
    const [held] = await rows<{ status: string }>("SELECT status FROM redemptions WHERE id = ?", hold.json.id);
    expect(held!.status).toBe("held");
    await expectLedgerConsistent(p.programId);

    // Housekeeping lapses the hold its alarm missed; its points return to a lot that has expired.
    const lapse = await runAt(p.programId, "housekeeping", Date.parse(hold.json.holdExpiresAt) + 1);
    expect(lapse.itemsDone).toBeGreaterThanOrEqual(1);
    const expired = await entriesOf(p.programId, "expire");
    expect(expired.map((e) => [e.points, e.details.reason])).toEqual([
      [-60, "lot_expired"],
      [-40, "returned_to_expired_lot"],
    ]);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 0, held: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("expiry warnings", () => {
  it("sends one points.expiring per member and date, with the points, never twice", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 }, expiryWarning: { daysBefore: 14 } });
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const now = Date.now();
    const first = iso(now - 300 * DAY);
    const a1 = await accrue(p.server, "ada", 10_000, { occurredAt: first });
    await accrue(p.server, "ada", 5_000, { occurredAt: first });
    const a3 = await accrue(p.server, "ada", 2_000, { occurredAt: iso(now - 200 * DAY) });
    await accrue(p.server, "bob", 3_000, { occurredAt: first });
    const firstDate = Date.parse(a1.json.lot.expiresAt);
    const secondDate = Date.parse(a3.json.lot.expiresAt);

    expect((await runAt(p.programId, "warn-expiring", firstDate - 14 * DAY - 1)).itemsDone).toBe(0);
    const due = await runAt(p.programId, "warn-expiring", firstDate - 14 * DAY);
    expect(due).toMatchObject({ status: "done", itemsDone: 2, errors: 0 });
    const again = await Promise.all([
      runAt(p.programId, "warn-expiring", firstDate - 10 * DAY),
      runAt(p.programId, "warn-expiring", firstDate - 10 * DAY),
    ]);
    expect(again.map((r) => r.itemsDone)).toEqual([0, 0]);
    expect(await events(p.programId, "points.expiring")).toEqual([
      expect.objectContaining({ memberId: "ada", points: 150, expiresAt: iso(firstDate) }),
      expect.objectContaining({ memberId: "bob", points: 30, expiresAt: iso(firstDate) }),
    ]);

    expect((await runAt(p.programId, "warn-expiring", secondDate - 14 * DAY)).itemsDone).toBe(1);
    expect(await events(p.programId, "points.expiring")).toEqual([
      expect.objectContaining({ memberId: "ada", points: 150, expiresAt: iso(firstDate) }),
      expect.objectContaining({ memberId: "ada", points: 20, expiresAt: iso(secondDate) }),
      expect.objectContaining({ memberId: "bob", points: 30, expiresAt: iso(firstDate) }),
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("under the inactivity policy warns of the day all points go", async () => {
    const p = await createProgram({ expiry: { policy: "inactivity", days: 30 }, expiryWarning: { daysBefore: 7 } });
    await seedLots(p.programId, { members: 2, lotsEach: 2, points: 25, earnedAt: "2026-05-01T00:00:00.000Z", expiresAt: null });
    expect((await runAt(p.programId, "warn-expiring", "2026-05-23T23:59:59.999Z")).itemsDone).toBe(0);
    expect((await runAt(p.programId, "warn-expiring", "2026-05-24T00:00:00.000Z")).itemsDone).toBe(2);
    expect((await runAt(p.programId, "warn-expiring", "2026-05-25T00:00:00.000Z")).itemsDone).toBe(0);
    expect(await events(p.programId, "points.expiring")).toEqual([
      expect.objectContaining({ memberId: "m0000", points: 50, expiresAt: "2026-05-31T00:00:00.000Z" }),
      expect.objectContaining({ memberId: "m0001", points: 50, expiresAt: "2026-05-31T00:00:00.000Z" }),
    ]);
    await expectLedgerConsistent(p.programId);
  });
});
