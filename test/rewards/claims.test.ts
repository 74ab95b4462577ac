// Claims and coupons: points taken as a redemption, the coupon issued in the same batch, used once, cancelled, expired by the job.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, expectLedgerConsistent, type TestProgram } from "../helpers";
import { runAt } from "../job-helpers";
import { claim, createCause, createReward, expectClaimsMatchRedemptions, fiveOff, memberWith } from "./support";

let p: TestProgram;
let other: TestProgram;

beforeAll(async () => {
  p = await createProgram({ tiers: [{ name: "gold", threshold: 100_000 }] });
  other = await createProgram();
});

const DAY = 86_400_000;

function lotsOf(programId: string, memberId: string) {
  return env.DB.prepare("SELECT id, remaining FROM lots WHERE program_id = ? AND member_id = ? ORDER BY id").bind(programId, memberId).all<{ id: string; remaining: number }>();
}

describe("claiming a reward", () => {
  it("takes the points as a captured redemption and issues a coupon in the same batch", async () => {
    const reward = await createReward(p, fiveOff);
    await memberWith(p, "claimer", 800);
    const res = await claim(p, "claimer", reward.id);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ memberId: "claimer", rewardId: reward.id, status: "issued", points: 500, value: { amount: 500, currency: "EUR" }, coupon: { source: "generated" } });
    expect(res.json.balance.available).toBe(300);
    const redemption = await call(`/v1/redemptions/${res.json.redemptionId}`, { key: p.server });
    expect(redemption.json).toMatchObject({ status: "captured", points: 500 });
    const expires = Date.parse(res.json.coupon.expiresAt) - Date.parse(res.json.createdAt);
    expect(expires).toBe(30 * DAY);
    await expectLedgerConsistent(p.programId, p.server);
    await expectClaimsMatchRedemptions(p.programId);
  });

  it("takes the points from the lots that expire first", async () => {
    const q = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    const reward = await createReward(q, { ...fiveOff, costPoints: 150 });
    await memberWith(q, "lots", 100);
    // Earned later, but on an older order: it expires first.
    const older = new Date(Date.now() - 30 * DAY).toISOString();
    expect((await accrue(q.server, "lots", 10_000, { occurredAt: older })).status).toBe(201);
    const [recent, early] = (await lotsOf(q.programId, "lots")).results;
    expect((await claim(q, "lots", reward.id)).status).toBe(201);
    const after = Object.fromEntries((await lotsOf(q.programId, "lots")).results.map((l) => [l.id, l.remaining]));
    expect(after[early!.id]).toBe(0);
    expect(after[recent!.id]).toBe(50);
    await expectLedgerConsistent(q.programId, q.server);
  });

  it("replays the first answer for the same Idempotency-Key, and takes the points once", async () => {
    const reward = await createReward(p, { ...fiveOff, stock: 5 });
    await memberWith(p, "retrier", 1000);
    const first = await claim(p, "retrier", reward.id, { idempotencyKey: "claim-once" });
    const again = await claim(p, "retrier", reward.id, { idempotencyKey: "claim-once" });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.id).toBe(first.json.id);
    expect((await balance(p.server, "retrier")).available).toBe(500);
    expect((await call(`/v1/rewards/${reward.id}`, { key: p.admin })).json.inventory).toMatchObject({ left: 4, reserved: 0, claimed: 1 });
  });

  it.each([
    ["insufficient_points", 422, async () => ({ reward: await createReward(p, { ...fiveOff, costPoints: 5000 }), points: 100 })],
    ["reward_not_available", 422, async () => ({ reward: await createReward(p, { ...fiveOff, tiers: ["gold"] }), points: 1000 })],
    ["reward_not_available", 422, async () => ({ reward: await createReward(p, { ...fiveOff, validUntil: "2020-01-01T00:00:00Z" }), points: 1000 })],
    ["reward_not_available", 422, async () => ({ reward: await createReward(p, { ...fiveOff, planIds: ["prime"] }), points: 1000 })],
  ])("refuses with %s, takes nothing and gives the unit back", async (code, status, setup) => {
    const { reward, points } = await setup();
    const memberId = `refused-${reward.id}`;
    await memberWith(p, memberId, points);
    const res = await claim(p, memberId, reward.id);
    expect(res.status).toBe(status);
    expect(res.json.code).toBe(code);
    expect((await balance(p.server, memberId)).available).toBe(points);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("keeps to the per-member limit, and a stock unit goes back on a refusal", async () => {
    const reward = await createReward(p, { ...fiveOff, costPoints: 10, stock: 10, limit: { count: 2, per: "month" } });
    await memberWith(p, "limited", 1000);
    expect((await claim(p, "limited", reward.id)).status).toBe(201);
    expect((await claim(p, "limited", reward.id)).status).toBe(201);
    const third = await claim(p, "limited", reward.id);
    expect(third.status).toBe(422);
    expect(third.json.code).toBe("reward_limit_reached");
    expect((await call(`/v1/rewards/${reward.id}`, { key: p.admin })).json.inventory).toMatchObject({ left: 8, reserved: 0, claimed: 2 });
  });

  it("refuses an archived reward, an unknown one, another program's, and a member that does not exist", async () => {
    const reward = await createReward(p, fiveOff);
    await memberWith(p, "archivist", 1000);
    await call(`/v1/rewards/${reward.id}/archive`, { method: "POST", key: p.admin, idempotencyKey: null });
    const archived = await claim(p, "archivist", reward.id);
    expect(archived.json).toMatchObject({ code: "reward_not_available", reason: "archived" });
    // An archived reward out of stock says it is archived: nothing was reserved for it.
    const soldOut = await createReward(p, { ...fiveOff, stock: 0 });
    await call(`/v1/rewards/${soldOut.id}/archive`, { method: "POST", key: p.admin, idempotencyKey: null });
    expect((await claim(p, "archivist", soldOut.id)).json).toMatchObject({ code: "reward_not_available", reason: "archived" });
    const unknown = await claim(p, "archivist", "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2");
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe("reward_not_found");
    const live = await createReward(p, fiveOff);
    await memberWith(other, "archivist", 1000);
    const foreign = await claim(other, "archivist", live.id);
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe("reward_not_found");
    const ghost = await claim(p, "ghost", live.id);
    expect(ghost.status).toBe(404);
    expect(ghost.json.code).toBe("member_not_found");
    expect((await claim(p, "archivist", "not-a-reward")).status).toBe(400);
  });

  it("is refused to partner keys", async () => {
    const reward = await createReward(p, fiveOff);
    await memberWith(p, "partnered", 1000);
    expect((await claim(p, "partnered", reward.id, { key: p.partner })).status).toBe(403);
  });
});

describe("coupons at the checkout", () => {
  async function issued(options: Record<string, unknown> = {}, memberId = `coupon-${Math.random().toString(36).slice(2)}`) {
    const reward = await createReward(p, { ...fiveOff, ...options });
    await memberWith(p, memberId, 1000);
    const res = await claim(p, memberId, reward.id);
    expect(res.status).toBe(201);
    return { reward, memberId, claim: res.json, code: res.json.coupon.code as string };
  }

  it("says what a coupon gives, however the code is typed", async () => {
    const { code, claim: c, reward } = await issued({ name: "10 %", type: "percent_discount", value: null, percent: 10, maxDiscount: { amount: 2000, currency: "EUR" } });
    const res = await call(`/v1/coupons/${code}`, { key: p.server });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      code,
      valid: true,
      status: "issued",
      type: "percent_discount",
      value: null,
      percent: 10,
      maxDiscount: { amount: 2000, currency: "EUR" },
      sku: null,
      attributes: {},
      currency: "EUR",
      expiresAt: c.coupon.expiresAt,
      rewardId: reward.id,
      memberId: c.memberId,
      claimId: c.id,
      orderId: null,
      usedAt: null,
    });
    const typed = code.toLowerCase().replace(/(.{4})/g, "$1-").replace(/0/g, "o");
    expect((await call(`/v1/coupons/${encodeURIComponent(typed)}`, { key: p.server })).json.code).toBe(code);
  });

  it("tells a mistyped code from an unknown one", async () => {
    const { code } = await issued();
    const i = 3;
    const typo = code.slice(0, i) + (code[i] === "A" ? "B" : "A") + code.slice(i + 1);
    const mistyped = await call(`/v1/coupons/${typo}`, { key: p.server });
    expect(mistyped.status).toBe(422);
    expect(mistyped.json.code).toBe("coupon_code_invalid");
    const unknown = await call("/v1/coupons/SHOP-NOT-THERE", { key: p.server });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe("coupon_not_found");
    // Another program's coupon is unknown here.
    const foreign = await call(`/v1/coupons/${code}`, { key: other.server });
    expect(foreign.status).toBe(404);
  });

  it("is used once; the same order again answers the use, another order is refused", async () => {
    const { code } = await issued();
    const used = await call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: "order-1" } });
    expect(used.status).toBe(200);
    expect(used.json).toMatchObject({ valid: false, status: "used", orderId: "order-1" });
    const same = await call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: "order-1" } });
    expect(same.status).toBe(200);
    expect(same.headers.get("idempotent-replayed")).toBe("true");
    const second = await call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: "order-2" } });
    expect(second.status).toBe(409);
    expect(second.json.code).toBe("coupon_already_used");
    const cancel = await call(`/v1/coupons/${code}/cancel`, { method: "POST", key: p.server });
    expect(cancel.status).toBe(409);
    expect(cancel.json.code).toBe("coupon_already_used");
    expect((await call(`/v1/coupons/${code}/redeem`, { key: p.server, body: {} })).status).toBe(400);
  });

  it("of 20 racing uses, exactly one succeeds", async () => {
    const { code } = await issued();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: `race-${i}` } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.json.code === "coupon_already_used")).toBe(true);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
  });

  it("cancelled before use, gives the points back to the lots they came from, and the unit back to stock", async () => {
    const { code, memberId, reward } = await issued({ stock: 3 });
    const before = await balance(p.server, memberId);
    const cancelled = await call(`/v1/coupons/${code}/cancel`, { method: "POST", key: p.server, idempotencyKey: "cancel-1" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    expect(cancelled.json.balance.available).toBe(before.available + 500);
    const replay = await call(`/v1/coupons/${code}/cancel`, { method: "POST", key: p.server, idempotencyKey: "cancel-1" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await balance(p.server, memberId)).available).toBe(1000);
    const lots = (await lotsOf(p.programId, memberId)).results;
    expect(lots.map((l) => l.remaining)).toEqual([1000]);
    const redemption = await call(`/v1/redemptions/${cancelled.json.redemptionId}`, { key: p.server });
    expect(redemption.json.status).toBe("reversed");
    expect((await call(`/v1/rewards/${reward.id}`, { key: p.admin })).json.inventory).toMatchObject({ left: 3, claimed: 0 });
    const use = await call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: "late" } });
    expect(use.status).toBe(409);
    expect(use.json.code).toBe("coupon_cancelled");
    expect((await call(`/v1/coupons/${code}`, { key: p.server })).json).toMatchObject({ valid: false, status: "cancelled" });
    await expectLedgerConsistent(p.programId, p.server);
    await expectClaimsMatchRedemptions(p.programId);
  });

  it("reversing a claim's redemption directly cancels its unused coupon with it; a used coupon's or a donation's is refused", async () => {
    const open = await issued();
    const reversed = await call(`/v1/redemptions/${open.claim.redemptionId}/cancel`, { method: "POST", key: p.server });
    expect(reversed.status).toBe(200);
    expect(reversed.json.status).toBe("reversed");
    expect((await call(`/v1/coupons/${open.code}`, { key: p.server })).json).toMatchObject({ valid: false, status: "cancelled" });
    const spent = await issued();
    await call(`/v1/coupons/${spent.code}/redeem`, { key: p.server, body: { orderId: "spent" } });
    const refused = await call(`/v1/redemptions/${spent.claim.redemptionId}/cancel`, { method: "POST", key: p.server });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe("coupon_already_used");
    const cause = await createCause(p, "Direct reversal");
    const donation = await createReward(p, { name: "gift", type: "donation", costPoints: 100, value: { amount: 100, currency: "EUR" }, causeId: cause.id });
    await memberWith(p, "donor-direct", 1000);
    const given = await claim(p, "donor-direct", donation.id);
    const kept = await call(`/v1/redemptions/${given.json.redemptionId}/cancel`, { method: "POST", key: p.server });
    expect(kept.status).toBe(409);
    expect(kept.json.code).toBe("redemption_not_cancellable");
    await expectLedgerConsistent(p.programId, p.server);
    await expectClaimsMatchRedemptions(p.programId);
  });

  it("a use racing a cancel: exactly one of them wins, and the points add up", async () => {
    for (let round = 0; round < 5; round++) {
      const { code, memberId } = await issued();
      const [use, cancel] = await Promise.all([
        call(`/v1/coupons/${code}/redeem`, { key: p.server, body: { orderId: `rc-${round}` } }),
        call(`/v1/coupons/${code}/cancel`, { method: "POST", key: p.server }),
      ]);
      expect([use.status, cancel.status].filter((s) => s === 200), `round ${round}`).toHaveLength(1);
      const points = (await balance(p.server, memberId)).available;
      expect(points).toBe(use.status === 200 ? 500 : 1000);
    }
    await expectLedgerConsistent(p.programId, p.server);
    await expectClaimsMatchRedemptions(p.programId);
  });

  it("throttles look-ups by unknown codes per key, known codes included once over", async () => {
    const q = await createProgram();
    const reward = await createReward(q, fiveOff);
    await memberWith(q, "t", 1000);
    const { json } = await claim(q, "t", reward.id);
    let throttled = null;
    for (let i = 0; i < 40 && !throttled; i++) {
      const res = await call(`/v1/coupons/UNKNOWN-${i}`, { key: q.server });
      if (res.status === 429) throttled = res;
      else expect(res.status).toBe(404);
    }
    expect(throttled?.json.code).toBe("too_many_coupon_lookups");
    expect(throttled?.headers.get("retry-after")).toBe("60");
    expect((await call(`/v1/coupons/${json.coupon.code}`, { key: q.server })).status).toBe(429);
    // Another key of the program is not held back.
    expect((await call(`/v1/coupons/${json.coupon.code}`, { key: q.admin })).status).toBe(200);
  });
});

describe("the coupon expiry job", () => {
  it("expires unused coupons past validity, returns points as the reward says, and changes nothing on a second run", async () => {
    const q = await createProgram();
    const keep = await createReward(q, { ...fiveOff, couponValidDays: 1, stock: 5 });
    const back = await createReward(q, { ...fiveOff, couponValidDays: 1, onExpiry: "return_points" });
    const long = await createReward(q, { ...fiveOff, couponValidDays: 90 });
    await memberWith(q, "exp", 2000);
    const kept = (await claim(q, "exp", keep.id)).json;
    const returned = (await claim(q, "exp", back.id)).json;
    const used = (await claim(q, "exp", back.id)).json;
    const valid = (await claim(q, "exp", long.id)).json;
    await call(`/v1/coupons/${used.coupon.code}/redeem`, { key: q.server, body: { orderId: "used-in-time" } });
    expect((await balance(q.server, "exp")).available).toBe(0);
    const later = Date.now() + 2 * DAY;
    const run = await runAt(q.programId, "expire-coupons", later);
    expect(run).toMatchObject({ status: "done", itemsDone: 2, errors: 0 });
    const status = async (code: string) => (await call(`/v1/coupons/${code}`, { key: q.server })).json.status;
    expect(await status(kept.coupon.code)).toBe("expired");
    expect(await status(returned.coupon.code)).toBe("expired");
    expect(await status(used.coupon.code)).toBe("used");
    expect(await status(valid.coupon.code)).toBe("issued");
    expect((await balance(q.server, "exp")).available).toBe(500);
    expect((await call(`/v1/rewards/${keep.id}`, { key: q.admin })).json.inventory).toMatchObject({ left: 5, claimed: 0 });
    const dump = async () => (await env.DB.prepare("SELECT id, status, updated_at FROM reward_claims WHERE program_id = ? ORDER BY id").bind(q.programId).all()).results;
    const afterFirst = await dump();
    const second = await runAt(q.programId, "expire-coupons", later + 1000);
    expect(second).toMatchObject({ status: "done", itemsDone: 0 });
    expect(await dump()).toEqual(afterFirst);
    expect((await balance(q.server, "exp")).available).toBe(500);
    await expectLedgerConsistent(q.programId, q.server);
    await expectClaimsMatchRedemptions(q.programId);
  });
});

describe("donations", () => {
  it("record the money value per claim, total it per period (JSON and CSV), and show it on the statement", async () => {
    const q = await createProgram();
    const cause = await createCause(q, "Trees, planted");
    const trees = await createReward(q, { name: "Plant a tree", type: "donation", costPoints: 100, value: { amount: 250, currency: "EUR" }, causeId: cause.id });
    await memberWith(q, "giver", 1000);
    await memberWith(q, "other-giver", 1000);
    const gift = await claim(q, "giver", trees.id);
    expect(gift.status).toBe(201);
    expect(gift.json).toMatchObject({ status: "donated", coupon: null, causeId: cause.id, value: { amount: 250, currency: "EUR" } });
    await claim(q, "giver", trees.id);
    await claim(q, "other-giver", trees.id);
    const period = new Date().toISOString().slice(0, 7);
    const res = await call(`/v1/causes/${cause.id}/donations?period=${period}`, { key: q.admin });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      causeId: cause.id,
      name: "Trees, planted",
      currency: "EUR",
      periods: [{ period, claims: 3, points: 300, amount: { amount: 750, currency: "EUR" } }],
      total: { amount: 750, currency: "EUR" },
    });
    const all = await call(`/v1/causes/${cause.id}/donations`, { key: q.admin });
    expect(all.json.total.amount).toBe(750);
    const none = await call(`/v1/causes/${cause.id}/donations?period=2020-01`, { key: q.admin });
    expect(none.json).toMatchObject({ periods: [], total: { amount: 0 } });
    for (const csv of [
      await call(`/v1/causes/${cause.id}/donations?period=${period}&format=csv`, { key: q.admin }),
      await call(`/v1/causes/${cause.id}/donations?period=${period}`, { key: q.admin, headers: { accept: "text/csv" } }),
    ]) {
      expect(csv.headers.get("content-type")).toContain("text/csv");
      expect(csv.json).toBe(`cause_id,name,period,claims,points,amount,currency\r\n${cause.id},"Trees, planted",${period},3,300,750,EUR\r\n`);
    }
    expect((await call(`/v1/causes/${cause.id}/donations?period=December`, { key: q.admin })).status).toBe(400);
    const statement = await call(`/v1/settlements/${period}`, { key: q.admin });
    expect(statement.status).toBe(200);
    expect(statement.json.donations).toEqual([{ causeId: cause.id, name: "Trees, planted", claims: 3, points: 300, value: { amount: 750, currency: "EUR" } }]);
    const partnerView = await call(`/v1/settlements/${period}`, { key: q.partner });
    expect(partnerView.json.donations).toEqual([]);
    const statementCsv = await call(`/v1/settlements/${period}`, { key: q.admin, headers: { accept: "text/csv" } });
    expect(statementCsv.json).toContain(`donation,${cause.id},"Trees, planted",3,300,750,EUR`);
    await expectLedgerConsistent(q.programId, q.server);
    await expectClaimsMatchRedemptions(q.programId);
  });
});
