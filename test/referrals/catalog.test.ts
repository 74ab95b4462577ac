// Referral rewards from the catalog: a side given a claim with its coupon instead of points, at no cost, with the
// reward's stock honoured; what could not be given is kept on the referral; the settings name only rewards offered.
import { describe, expect, it } from "vitest";
import { call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { events, runAt } from "../job-helpers";
import { createReward, expectClaimsMatchRedemptions, fiveOff } from "../rewards/support";

let counter = 0;
const fresh = (name: string) => `${name}-${++counter}`;

async function programWithRewards(stock: number | null = null) {
  const p = await createProgram({ referrals: { enabled: true, grantOn: { type: "enrollment" } } });
  const reward = await createReward(p, { ...fiveOff, stock });
  return { p, reward };
}

function patchReferrals(p: TestProgram, referrals: Record<string, unknown>) {
  return call("/v1/program", { method: "PATCH", key: p.admin, body: { referrals } });
}

/** A referrer and a new member enrolled with their code, then the job's pass over the referral. */
async function referAndAdvance(p: TestProgram) {
  const referrer = fresh("referrer");
  await enroll(p.server, referrer, { email: `${referrer}@example.com` });
  const code = (await call(`/v1/members/${referrer}/referral`, { key: p.server })).json.code;
  const referee = fresh("referee");
  await enroll(p.server, referee, { email: `${referee}@example.com`, referralCode: code });
  await runAt(p.programId, "advance-referrals", Date.now());
  const [referral] = (await call(`/v1/members/${referrer}/referrals`, { key: p.server })).json.data;
  return { referrer, referee, referral };
}

const coupons = async (p: TestProgram, memberId: string) => (await call(`/v1/members/${memberId}/coupons`, { key: p.server })).json.data;

describe("a catalog reward as a referral's reward", () => {
  it("gives each side a claim with its coupon, for no points, shown on the referral", async () => {
    const { p, reward } = await programWithRewards();
    const patched = await patchReferrals(p, { refereeRewardId: reward.id, referrerRewardId: reward.id });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    const { referrer, referee, referral } = await referAndAdvance(p);
    expect(referral).toMatchObject({
      status: "completed",
      referrerPoints: 0,
      refereePoints: 0,
      referrerReward: { rewardId: reward.id, claimId: expect.stringMatching(/^clm_/) },
      refereeReward: { rewardId: reward.id, claimId: expect.stringMatching(/^clm_/) },
      unfulfilled: [],
    });
    for (const memberId of [referrer, referee]) {
      const [coupon] = await coupons(p, memberId);
      expect(coupon).toMatchObject({ rewardId: reward.id, status: "issued" });
      expect((await call(`/v1/members/${memberId}/balance`, { key: p.server })).json.available).toBe(0);
      const checkout = await call(`/v1/coupons/${coupon.code}`, { key: p.server });
      expect(checkout.json).toMatchObject({ valid: true, type: "fixed_discount", value: { amount: 500, currency: "EUR" } });
    }
    expect(await events(p.programId, "referral.completed")).toEqual([
      expect.objectContaining({ referralId: referral.id, referrerPoints: 0, refereePoints: 0, referrerRewardId: reward.id, refereeRewardId: reward.id }),
    ]);
    await expectClaimsMatchRedemptions(p.programId);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("issues one coupon per side however often the job runs", async () => {
    const { p, reward } = await programWithRewards();
    await patchReferrals(p, { refereeRewardId: reward.id });
    const { referee } = await referAndAdvance(p);
    await runAt(p.programId, "advance-referrals", Date.now());
    await runAt(p.programId, "advance-referrals", Date.now());
    expect(await coupons(p, referee)).toHaveLength(1);
  });

  it("takes a unit of the reward's stock, and records on the referral what an exhausted stock could not give", async () => {
    const { p, reward } = await programWithRewards(1);
    await patchReferrals(p, { refereeRewardId: reward.id });
    const first = await referAndAdvance(p);
    expect(first.referral.refereeReward.claimId).toMatch(/^clm_/);
    const second = await referAndAdvance(p);
    expect(second.referral).toMatchObject({
      status: "completed",
      refereeReward: { rewardId: reward.id, claimId: null },
      unfulfilled: [{ role: "referee", rewardId: reward.id, reason: "out_of_stock", at: expect.any(String) }],
    });
    expect(await coupons(p, second.referee)).toEqual([]);
    // Recorded once: a later run neither gives nor records again.
    await runAt(p.programId, "advance-referrals", Date.now());
    const [again] = (await call(`/v1/members/${second.referrer}/referrals`, { key: p.server })).json.data;
    expect(again.unfulfilled).toHaveLength(1);
    // The first grant's unit was confirmed after its batch: nothing is left reserved.
    const stock = await call(`/v1/rewards/${reward.id}`, { key: p.admin });
    expect(stock.json.inventory).toMatchObject({ stock: 1, left: 0, reserved: 0, claimed: 1 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("records a reward archived after the settings named it as unfulfilled, and gives no coupon", async () => {
    const { p, reward } = await programWithRewards();
    await patchReferrals(p, { refereeRewardId: reward.id });
    expect((await call(`/v1/rewards/${reward.id}/archive`, { method: "POST", key: p.admin })).status).toBe(200);
    const { referee, referral } = await referAndAdvance(p);
    expect(referral).toMatchObject({ refereeReward: { rewardId: reward.id, claimId: null }, unfulfilled: [{ role: "referee", reason: "archived" }] });
    expect(await coupons(p, referee)).toEqual([]);
  });

  it("cancels a given coupon with no points back (it cost none) and its unit back in stock", async () => {
    const { p, reward } = await programWithRewards(2);
    await patchReferrals(p, { refereeRewardId: reward.id });
    const { referee } = await referAndAdvance(p);
    const [coupon] = await coupons(p, referee);
    const cancelled = await call(`/v1/coupons/${coupon.code}/cancel`, { method: "POST", key: p.server });
    expect(cancelled.status, JSON.stringify(cancelled.json)).toBe(200);
    expect(cancelled.json).toMatchObject({ status: "cancelled", points: 0, redemptionId: null, balance: { available: 0 } });
    expect((await call(`/v1/rewards/${reward.id}`, { key: p.admin })).json.inventory).toMatchObject({ left: 2, reserved: 0, claimed: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("keeps points for the side that names no reward", async () => {
    const { p, reward } = await programWithRewards();
    await patchReferrals(p, { refereeRewardId: reward.id, referrerPoints: 300 });
    const { referrer, referral } = await referAndAdvance(p);
    expect(referral).toMatchObject({ referrerPoints: 300, referrerReward: null, refereeReward: { rewardId: reward.id } });
    expect((await call(`/v1/members/${referrer}/balance`, { key: p.server })).json.available).toBe(300);
  });
});

describe("settings naming a referral reward", () => {
  it.each([
    ["an unknown reward", () => "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2", "referral_reward_not_offered", "referrals.refereeRewardId"],
  ])("refuse %s with 422 and the field's path", async (_, rewardId, code, path) => {
    const { p } = await programWithRewards();
    const res = await patchReferrals(p, { refereeRewardId: rewardId() });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code, errors: [expect.objectContaining({ path })] });
  });

  it("refuse an archived reward, and points with a reward for the same side", async () => {
    const { p, reward } = await programWithRewards();
    expect((await call(`/v1/rewards/${reward.id}/archive`, { method: "POST", key: p.admin })).status).toBe(200);
    const archived = await patchReferrals(p, { referrerRewardId: reward.id });
    expect(archived.status).toBe(422);
    expect(archived.json).toMatchObject({ code: "referral_reward_not_offered", errors: [{ path: "referrals.referrerRewardId" }] });
    const live = await createReward(p);
    const both = await patchReferrals(p, { referrerRewardId: live.id, referrerPoints: 100 });
    expect(both.status).toBe(422);
    expect(both.json).toMatchObject({ code: "invalid_settings", errors: [{ path: "referrals.referrerPoints" }] });
    const malformed = await patchReferrals(p, { refereeRewardId: "five-off" });
    expect(malformed.status).toBe(422);
    expect((await call("/v1/program", { key: p.admin })).json.settings.referrals).toMatchObject({ referrerRewardId: null, refereeRewardId: null });
  });
});
