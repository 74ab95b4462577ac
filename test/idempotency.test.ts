// Idempotency-Key: replays, reuse with another body, and a burst of the same key.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "./helpers";
import { databaseFingerprint } from "./reliability/support";

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

describe("idempotency of refusals", () => {
  const eur = (amount: number) => ({ amount, currency: "EUR" });

  it("replays records an older version kept as HTTP answers, status and body exactly", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 5_000);
    const created = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 20 }, idempotencyKey: "old-ok" });
    const refused = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 80 }, idempotencyKey: "old-no" });
    expect([created.status, refused.status]).toEqual([201, 422]);
    // Rewritten as an older version stored them: the HTTP status and the body it sent.
    const legacy = env.DB.prepare("UPDATE idempotency_keys SET status = ?, body = ? WHERE program_id = ? AND key = ?");
    await legacy.bind(201, JSON.stringify(created.json), p.programId, "old-ok").run();
    await legacy.bind(422, JSON.stringify(refused.json), p.programId, "old-no").run();
    for (const [key, first, points] of [["old-ok", created, 20], ["old-no", refused, 80]] as const) {
      const again = await call("/v1/members/ada/redemptions", { key: p.server, body: { points }, idempotencyKey: key });
      expect(again.status, key).toBe(first.status);
      expect(again.headers.get("content-type"), key).toBe(first.headers.get("content-type"));
      expect(again.headers.get("idempotent-replayed"), key).toBe("true");
      expect(again.json, key).toEqual(first.json);
    }
    expect((await balance(p.server, "ada")).available).toBe(30);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("replays a refusal for its key and body, even after the member could afford it", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 5_000);
    const first = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 80 }, idempotencyKey: "k1" });
    expect(first.status).toBe(422);
    expect(first.json).toMatchObject({ code: "insufficient_points", available: 50, requested: 80 });
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    await accrue(p.server, "ada", 5_000);
    const again = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 80 }, idempotencyKey: "k1" });
    expect(again.status).toBe(422);
    expect(again.headers.get("content-type")).toContain("application/problem+json");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // The first answer as it was sent, its requestId included; X-Request-Id names the retry.
    expect(again.json).toEqual(first.json);
    expect(again.json.requestId).toBe(first.headers.get("x-request-id"));
    expect(again.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));

    const other = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 81 }, idempotencyKey: "k1" });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("idempotency_key_reused");
    // A stored refusal holds nothing back: the same request under a new key posts.
    const fresh = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 80 }, idempotencyKey: "k2" });
    expect(fresh.status).toBe(201);
    expect((await balance(p.server, "ada")).available).toBe(20);
    const redemptions = await env.DB.prepare("SELECT COUNT(*) AS n FROM redemptions WHERE program_id = ?").bind(p.programId).first("n");
    expect(redemptions).toBe(1);
    await expectLedgerConsistent(p.programId, p.server);
  });

  type Refusal = {
    code: string;
    /** Brings the member to where the request is refused; returns the request's path and body. */
    setup: (p: TestProgram) => Promise<{ path: string; body?: unknown }>;
    /** What would let the same request through if it were run again. */
    change?: (p: TestProgram) => Promise<unknown>;
  };
  const refusals: Refusal[] = [
    {
      code: "below_minimum_redemption",
      setup: async (p) => {
        await patchSettings(p, { minRedemptionPoints: 50 });
        return { path: "/v1/members/ada/redemptions", body: { points: 10 } };
      },
      change: (p) => patchSettings(p, { minRedemptionPoints: 1 }),
    },
    {
      code: "currency_mismatch",
      setup: async () => ({ path: "/v1/members/ada/accruals", body: { orderId: "o-usd", amount: { amount: 1_000, currency: "USD" } } }),
    },
    {
      code: "refund_exceeds_order",
      setup: async (p) => {
        await accrue(p.server, "ada", 5_000, { orderId: "o-paid" });
        await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-paid", amount: eur(4_000) } });
        return { path: "/v1/members/ada/refunds", body: { orderId: "o-paid", amount: eur(2_000) } };
      },
    },
    {
      code: "order_already_accrued",
      setup: async (p) => {
        await accrue(p.server, "ada", 5_000, { orderId: "o-twice" });
        return { path: "/v1/members/ada/accruals", body: { orderId: "o-twice", amount: eur(5_000) } };
      },
    },
    {
      code: "redemption_not_capturable",
      setup: async (p) => {
        const { id } = (await redeem(p.server, "ada", 10)).json;
        return { path: `/v1/redemptions/${id}/capture` };
      },
    },
    {
      code: "redemption_not_cancellable",
      setup: async (p) => {
        const { id } = (await redeem(p.server, "ada", 10, { mode: "hold" })).json;
        await call(`/v1/redemptions/${id}/cancel`, { key: p.server, method: "POST" });
        return { path: `/v1/redemptions/${id}/cancel` };
      },
    },
    {
      code: "unknown_tier",
      setup: async () => ({ path: "/v1/members/ada/tier", body: { tier: "gold" } }),
      change: (p) => patchSettings(p, { tiers: [{ name: "gold", threshold: 1_000, multiplierPercent: 150 }] }),
    },
  ];

  it.each(refusals)("replays $code with the first answer's status and body", async ({ code, setup, change }) => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const { path, body } = await setup(p);
    const send = () => call(path, { key: p.server, method: "POST", body, idempotencyKey: `refused-${code}` });
    const first = await send();
    expect(first.json.code).toBe(code);
    expect([409, 422]).toContain(first.status);
    await change?.(p);
    const before = await databaseFingerprint();
    const again = await send();
    expect(again.status).toBe(first.status);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(first.json);
    expect(await databaseFingerprint(), "a replayed refusal writes nothing").toEqual(before);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("answers a burst of one refused request alike and keeps one record", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 1_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call("/v1/members/ada/redemptions", { key: p.server, body: { points: 25 }, idempotencyKey: "burst-refused" })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([422]));
    for (const r of results) expect(r.json).toEqual(results[0]!.json);
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    const records = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE program_id = ? AND key = ?").bind(p.programId, "burst-refused").first("n");
    expect(records).toBe(1);
  });

  it("does not store what the request may yet become: a validation error or a missing order", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    // A 400 from the route: the key is still free.
    const invalid = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: -5 }, idempotencyKey: "k-invalid" });
    expect(invalid.status).toBe(400);
    await accrue(p.server, "ada", 10_000);
    const valid = await call("/v1/members/ada/redemptions", { key: p.server, body: { points: 5 }, idempotencyKey: "k-invalid" });
    expect(valid.status).toBe(201);
    expect(valid.headers.get("idempotent-replayed")).toBeNull();

    // A 400 from the member's object (a grant that ends in the past) is not stored either.
    const past = await call("/v1/members/ada/tier", { key: p.server, body: { tier: null, until: "2001-01-01T00:00:00Z" }, idempotencyKey: "k-tier" });
    expect(past.status).toBe(400);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const granted = await call("/v1/members/ada/tier", { key: p.server, body: { tier: null, until: future }, idempotencyKey: "k-tier" });
    expect(granted.status).toBe(200);

    // A refund that arrives before its order: the same key posts once the order has earned.
    const refund = { orderId: "o-late", amount: eur(1_000) };
    const early = await call("/v1/members/ada/refunds", { key: p.server, body: refund, idempotencyKey: "k-refund" });
    expect(early.status).toBe(404);
    expect(early.json.code).toBe("order_not_found");
    await accrue(p.server, "ada", 1_000, { orderId: "o-late" });
    const late = await call("/v1/members/ada/refunds", { key: p.server, body: refund, idempotencyKey: "k-refund" });
    expect(late.status).toBe(201);
    expect(late.headers.get("idempotent-replayed")).toBeNull();
    await expectLedgerConsistent(p.programId, p.server);
  });
});

async function patchSettings(p: TestProgram, settings: Record<string, unknown>) {
  const res = await call("/v1/program", { method: "PATCH", key: p.admin, body: settings });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}
