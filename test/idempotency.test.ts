// Idempotency-Key: replays, reuse with another body, and a burst of the same key.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";

describe("idempotency", () => {
  it("replays the first answer for the same key and body, and says so", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const body = { points: 30 };
    const first = await call("/v1/members/ada/redemptions", { key: p.server, body, idempotencyKey: "checkout-1" });
    const again = await call("/v1/members/ada/redemptions", { key: p.server, body, idempotencyKey: "checkout-1" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect((await balance(p.server, "ada")).available).toBe(70);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses the same key with a different body", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 30 }, idempotencyKey: "k" });
    const other = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 31 }, idempotencyKey: "k" });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("idempotency_key_reused");
    const otherMember = await call("/v1/members/bob/redemptions", { key: p.server, body: { points: 30 }, idempotencyKey: "k" });
    expect(otherMember.status).toBe(422);
    expect((await balance(p.server, "ada")).available).toBe(70);
  });

  it("scopes keys to the caller: a partner's key does not collide with the storefront's", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const a = await call("/v1/members/ada/accruals", { key: p.server, body: { orderId: "o-1", amount: { amount: 1000, currency: "EUR" } }, idempotencyKey: "same" });
    const b = await call("/v1/members/ada/accruals", { key: p.partner, body: { orderId: "o-1", amount: { amount: 1000, currency: "EUR" } }, idempotencyKey: "same" });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
  });

  it("requires the header on ledger POSTs", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 1 }, idempotencyKey: null });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
    expect(res.json.errors[0].path).toBe("idempotency-key");
  });

  it("posts once when the same key arrives 20 times at once, and all 20 answers agree", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call("/v1/members/ada/redemptions", { key: p.server, body: { points: 25 }, idempotencyKey: "burst" })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    for (const r of results) expect(r.json).toEqual(results[0]!.json);
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    expect((await balance(p.server, "ada")).available).toBe(75);
    const redemptions = await env.DB.prepare("SELECT COUNT(*) AS n FROM redemptions WHERE program_id = ?").bind(p.programId).first();
    expect(redemptions!.n).toBe(1);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("posts once when the same accrual key arrives 20 times at once", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const body = { orderId: "o-burst", amount: { amount: 5000, currency: "EUR" } };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call("/v1/members/ada/accruals", { key: p.server, body, idempotencyKey: "acc-burst" })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.json.accrualId)).size).toBe(1);
    expect((await balance(p.server, "ada")).available).toBe(50);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("answers a key used for one member and then another member at once exactly once", async () => {
    const p = await createProgram();
    for (const m of ["ada", "bob"]) {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
    }
    const [x, y] = await Promise.all(
      ["ada", "bob"].map((m) => call(`/v1/members/${m}/redemptions`, { key: p.server, body: { points: 10 }, idempotencyKey: "shared" })),
    );
    expect([x!.status, y!.status].sort()).toEqual([201, 422]);
    const total = (await balance(p.server, "ada")).available + (await balance(p.server, "bob")).available;
    expect(total).toBe(190);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
