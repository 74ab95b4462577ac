// Manual adjustments: a credit is a new lot, a debit takes the soonest-expiring points, never below what is available.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "./helpers";

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
});

const adjust = (memberId: string, body: object, idempotencyKey?: string) =>
  call(`/v1/members/${encodeURIComponent(memberId)}/adjustments`, { key: p.admin, body, idempotencyKey });

describe("POST /v1/members/{memberId}/adjustments", () => {
  it("credits a new lot with the program's expiry, writes an adjust entry with the reason and the key, and a points.adjusted event", async () => {
    await enroll(p.server, "cs-credit");
    const res = await adjust("cs-credit", { points: 250, reason: "late parcel" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ memberId: "cs-credit", points: 250, reason: "late parcel", debtPaid: 0, allocations: [] });
    expect(res.json.lot.expiresAt).not.toBeNull();
    expect(res.json.balance.available).toBe(250);
    const history = await call("/v1/members/cs-credit/transactions", { key: p.admin });
    const entry = history.json.data.find((e: { id: string }) => e.id === res.json.adjustmentId);
    const keys = await call("/v1/keys", { key: p.admin });
    const adminKey = keys.json.data.find((k: { role: string }) => k.role === "admin");
    expect(entry).toMatchObject({ type: "adjust", points: 250, lotId: res.json.lot.id, details: { source: "manual", reason: "late parcel", keyId: adminKey.id } });
    const event = await env.DB.prepare("SELECT payload FROM outbox_events WHERE program_id = ? AND type = 'points.adjusted'").bind(p.programId).first<{ payload: string }>();
    expect(JSON.parse(event!.payload)).toMatchObject({ memberId: "cs-credit", adjustmentId: res.json.adjustmentId, points: 250, reason: "late parcel" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("credits with a given expiry, or one that never expires", async () => {
    await enroll(p.server, "cs-dates");
    const dated = await adjust("cs-dates", { points: 10, reason: "r", expiresAt: "2099-01-01T00:00:00Z" });
    expect(dated.json.lot.expiresAt).toBe("2099-01-01T00:00:00.000Z");
    const never = await adjust("cs-dates", { points: 10, reason: "r", expiresAt: null });
    expect(never.json.lot.expiresAt).toBeNull();
  });

  it("debits the soonest-expiring lots first", async () => {
    await enroll(p.server, "cs-debit");
    const late = await adjust("cs-debit", { points: 100, reason: "r", expiresAt: "2099-01-01T00:00:00Z" });
    const soon = await adjust("cs-debit", { points: 100, reason: "r", expiresAt: "2098-01-01T00:00:00Z" });
    const res = await adjust("cs-debit", { points: -150, reason: "duplicate order credited" });
    expect(res.status).toBe(201);
    expect(res.json.allocations).toEqual([
      { lotId: soon.json.lot.id, points: 100 },
      { lotId: late.json.lot.id, points: 50 },
    ]);
    expect(res.json.balance.available).toBe(50);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses a debit beyond the available points with insufficient_points, and writes nothing", async () => {
    await enroll(p.server, "cs-short");
    await accrue(p.server, "cs-short", 1000);
    const before = await balance(p.server, "cs-short");
    const res = await adjust("cs-short", { points: -(before.available + 1), reason: "r" });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: "insufficient_points", available: before.available });
    expect(await balance(p.server, "cs-short")).toEqual(before);
    const entries = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE program_id = ? AND member_id = 'cs-short' AND type = 'adjust'").bind(p.programId).first<number>("n");
    expect(entries).toBe(0);
  });

  it("replays a retry with the same Idempotency-Key and posts once", async () => {
    await enroll(p.server, "cs-retry");
    const first = await adjust("cs-retry", { points: 40, reason: "r" }, "adj-retry-1");
    const again = await adjust("cs-retry", { points: 40, reason: "r" }, "adj-retry-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.adjustmentId).toBe(first.json.adjustmentId);
    expect((await balance(p.server, "cs-retry")).available).toBe(40);
    const other = await adjust("cs-retry", { points: 41, reason: "r" }, "adj-retry-1");
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("idempotency_key_reused");
  });

  it("replays a refused debit under its key", async () => {
    await enroll(p.server, "cs-refused");
    const first = await adjust("cs-refused", { points: -5, reason: "r" }, "adj-refused-1");
    expect(first.status).toBe(422);
    await adjust("cs-refused", { points: 10, reason: "r" });
    const again = await adjust("cs-refused", { points: -5, reason: "r" }, "adj-refused-1");
    expect(again.status).toBe(422);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("pays debt first with a credit", async () => {
    await enroll(p.server, "cs-debt");
    const earned = await accrue(p.server, "cs-debt", 10_000, { orderId: "cs-debt-order" });
    expect(earned.status).toBe(201);
    // Spend everything, then refund the order: the clawback becomes debt.
    const points = earned.json.points as number;
    await env.DB.prepare("UPDATE lots SET available_at = '2000-01-01T00:00:00.000Z' WHERE program_id = ? AND member_id = 'cs-debt'").bind(p.programId).run();
    const spent = await call("/v1/members/cs-debt/redemptions", { key: p.server, body: { points } });
    expect(spent.status, JSON.stringify(spent.json)).toBe(201);
    const refund = await call("/v1/members/cs-debt/refunds", { key: p.server, body: { orderId: "cs-debt-order", amount: { amount: 10_000, currency: "EUR" } } });
    expect(refund.status).toBe(201);
    const debt = (await balance(p.server, "cs-debt")).debt as number;
    expect(debt).toBeGreaterThan(0);
    const credit = await adjust("cs-debt", { points: debt + 5, reason: "r" });
    expect(credit.json).toMatchObject({ debtPaid: debt });
    expect(credit.json.balance).toMatchObject({ debt: 0, available: 5 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it.each([
    [{ points: 0, reason: "r" }, "points"],
    [{ points: 5 }, "reason"],
    [{ points: 5, reason: "  " }, "reason"],
    [{ points: 5, reason: "r", extra: 1 }, "(body)"],
    [{ points: 5, reason: "r", expiresAt: "2000-01-01T00:00:00Z" }, "expiresAt"],
    [{ points: -5, reason: "r", expiresAt: "2099-01-01T00:00:00Z" }, "expiresAt"],
  ])("refuses %j with 400 validation_failed", async (body, path) => {
    await enroll(p.server, "cs-bad");
    await adjust("cs-bad", { points: 10, reason: "seed" });
    const res = await adjust("cs-bad", body);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
    expect(JSON.stringify(res.json.errors ?? [])).toContain(path === "(body)" ? "" : path);
  });

  it("answers 404 for a member the program does not have", async () => {
    const res = await adjust("cs-nobody", { points: 5, reason: "r" });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});
