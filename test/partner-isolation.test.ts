// What a partner key can see of a member the whole coalition serves: its own orders and redemptions and the
// member's balance, never another partner's ids, lots, orders or the debt another partner's refund created.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";
import { runAt } from "./job-helpers";
import { verified, webhookReceiver } from "./webhooks-receiver";

const receiver = webhookReceiver();
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A coalition of the program and two partners, A and B, each with its key. */
async function coalition(settings = {}) {
  const p = await createProgram(settings);
  const partner = await call("/v1/partners", { key: p.admin, body: { name: "Brand B" }, idempotencyKey: null });
  const key = await call(`/v1/programs/${p.programId}/keys`, { key: env.ADMIN_TOKEN, body: { role: "partner", name: "b", partnerId: partner.json.id }, idempotencyKey: null });
  expect(key.status).toBe(201);
  return { p, a: { id: p.partnerId, key: p.partner }, b: { id: partner.json.id as string, key: key.json.key as string } };
}

/** Everything a partner key can read about the member's ledger. */
async function partnerReads(key: string, memberId: string) {
  const own = await call("/v1/partner/transactions", { key });
  const member = await call(`/v1/members/${encodeURIComponent(memberId)}/transactions`, { key });
  expect(own.status).toBe(200);
  expect(member.status).toBe(200);
  return { own: own.json.data as Record<string, any>[], member: member.json.data as Record<string, any>[] };
}

describe("what a partner sees of another partner's activity", () => {
  it("sees neither the other's lots in its own redemptions nor the other's redemption in its own lots' expiry", async () => {
    const { p, a, b } = await coalition({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "ada");
    // A's points expire in an hour, so they are taken first; B's are newer.
    const fromA = await accrue(a.key, "ada", 10_000, { orderId: "a-order", occurredAt: iso(Date.now() - 365 * DAY + 3_600_000) });
    const fromB = await accrue(b.key, "ada", 10_000, { orderId: "b-order" });
    const hold = await redeem(b.key, "ada", 150, { mode: "hold", ttlSeconds: 7_200, orderId: "b-checkout" });
    expect(hold.status).toBe(201);
    // The hold lapses after A's lot expired: its 100 points of A's come back as expired, on A's lot.
    await runAt(p.programId, "housekeeping", Date.parse(hold.json.holdExpiresAt) + 1);

    const seenByB = await partnerReads(b.key, "ada");
    const seenByA = await partnerReads(a.key, "ada");
    for (const view of [seenByB.own, seenByB.member]) {
      const text = JSON.stringify(view);
      expect(text).not.toContain(fromA.json.lot.id);
      expect(text).not.toContain("a-order");
      expect(text).not.toContain(a.id);
      const held = view.find((e) => e.type === "hold")!;
      // B still sees how its own lot gave, and how much came from lots it did not issue.
      expect(held.details.allocations).toEqual([
        { lotId: null, points: 100 },
        { lotId: fromB.json.lot.id, points: 50 },
      ]);
    }
    for (const view of [seenByA.own, seenByA.member]) {
      const text = JSON.stringify(view);
      expect(text).not.toContain(hold.json.id);
      expect(text).not.toContain("b-checkout");
      expect(text).not.toContain(b.id);
      const expired = view.find((e) => e.type === "expire" && e.details.reason === "returned_to_expired_lot")!;
      // A sees its lot's points expire, not whose redemption held them.
      expect(expired).toMatchObject({ points: -100, lotId: fromA.json.lot.id, partnerId: a.id, redemptionId: null, orderId: null, channel: null });
      expect(expired.details).toEqual({ reason: "returned_to_expired_lot" });
    }
    // The operator sees it all.
    const all = (await call("/v1/members/ada/transactions", { key: p.admin })).json.data as Record<string, any>[];
    expect(all.find((e) => e.type === "expire" && e.details.reason === "returned_to_expired_lot")).toMatchObject({ redemptionId: hold.json.id, details: { redeemer: b.id } });
    expect(all.find((e) => e.type === "hold")!.details.allocations).toEqual([
      { lotId: fromA.json.lot.id, points: 100 },
      { lotId: fromB.json.lot.id, points: 50 },
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("does not see debt that another partner's refund created, in its answers, history or webhooks", async () => {
    const { p, a, b } = await coalition({ enrollOnAccrual: true });
    const endpoint = await call("/v1/webhook-endpoints", { key: b.key, body: { url: receiver.url("b-earned"), eventTypes: ["points.earned"] } });
    expect(endpoint.status).toBe(201);
    expect((await accrue(a.key, "bo", 10_000, { orderId: "a-spent" })).status).toBe(201);
    expect((await redeem(p.server, "bo", 100)).status).toBe(201);
    const refund = await call("/v1/members/bo/refunds", { key: a.key, body: { orderId: "a-spent", amount: { amount: 10_000, currency: "EUR" } } });
    expect(refund.json.addedToDebt).toBe(100);

    const payB = { orderId: "b-pays", amount: { amount: 5_000, currency: "EUR" } };
    const earned = await call("/v1/members/bo/accruals", { key: b.key, idempotencyKey: "b-pays-1", body: payB });
    expect(earned.status).toBe(201);
    expect(earned.json).toMatchObject({ orderId: "b-pays", points: 50 });
    expect(earned.json).not.toHaveProperty("debtPaid");
    const replay = await call("/v1/members/bo/accruals", { key: b.key, idempotencyKey: "b-pays-1", body: payB });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).not.toHaveProperty("debtPaid");
    expect(earned.json.balance).not.toHaveProperty("debt");
    expect((await call("/v1/members/bo/balance", { key: p.server })).json.debt, "the storefront sees it").toBe(50);
    const balanceForB = await call("/v1/members/bo/balance", { key: b.key });
    expect(balanceForB.json).toMatchObject({ available: 0, lifetimeEarned: 150 });
    expect(balanceForB.json).not.toHaveProperty("debt");
    const batch = await call("/v1/transactions/batch", { key: b.key, idempotencyKey: null, body: { items: [{ type: "accrual", memberId: "bo", orderId: "b-batch", amount: { amount: 10_000, currency: "EUR" } }] } });
    expect(batch.json.results[0].status).toBe("posted");
    expect(batch.json.results[0].result).not.toHaveProperty("debtPaid");
    expect(batch.json.results[0].result.balance).not.toHaveProperty("debt");
    const redeemedAtB = await redeem(b.key, "bo", 10);
    expect(redeemedAtB.status).toBe(201);
    expect(redeemedAtB.json.balance).not.toHaveProperty("debt");

    const seenByB = await partnerReads(b.key, "bo");
    for (const view of [seenByB.own, seenByB.member]) {
      for (const e of view.filter((x) => x.type === "earn")) expect(e.details).not.toHaveProperty("debtPaid");
      expect(JSON.stringify(view)).not.toContain("a-spent");
    }
    const [webhook] = await receiver.waitFor("b-earned", 1);
    const body = verified(endpoint.json.secret, webhook!);
    expect(body.data).toMatchObject({ orderId: "b-pays", points: 50 });
    expect(body.data).not.toHaveProperty("debtPaid");

    // The operator and the storefront see where the points went.
    const all = (await call("/v1/members/bo/transactions", { key: p.server })).json.data as Record<string, any>[];
    expect(all.find((e) => e.orderId === "b-pays")!.details.debtPaid).toBe(50);
    expect(all.find((e) => e.orderId === "b-batch")!.details.debtPaid).toBe(50);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
