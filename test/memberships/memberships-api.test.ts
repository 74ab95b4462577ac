// Membership plans, memberships and benefits through the API, and the lapse job run twice.
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { events, runAt } from "../job-helpers";

const prime = { name: "Prime", price: { amount: 4900, currency: "EUR" }, term: "year", benefits: { earningMultiplierPercent: 200, freeShipping: true, earlyAccessDays: 2, exclusiveRewards: true } };
const PAID_UNTIL = "2030-01-01T00:00:00.000Z";

async function createPlan(p: TestProgram, body: object = prime) {
  const res = await call("/v1/membership-plans", { key: p.admin, body });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

async function start(p: TestProgram, memberId: string, planId: string, paidUntil = PAID_UNTIL, idempotencyKey?: string) {
  return call(`/v1/members/${encodeURIComponent(memberId)}/memberships`, { key: p.server, body: { planId, paidUntil, externalRef: "sub_77" }, idempotencyKey });
}

describe("membership plans", () => {
  it("are created with default benefits, read, listed and paged", async () => {
    const p = await createProgram();
    const plain = await createPlan(p, { name: "VIP", price: { amount: 0, currency: "EUR" }, term: "month" });
    expect(plain).toMatchObject({
      id: expect.stringMatching(/^mpl_/),
      name: "VIP",
      term: "month",
      benefits: { earningMultiplierPercent: 100, freeShipping: false, earlyAccessDays: 0, exclusiveRewards: false },
      renews: true,
      archivedAt: null,
    });
    const second = await createPlan(p);
    expect((await call(`/v1/membership-plans/${plain.id}`, { key: p.server })).json).toEqual(plain);
    const page = await call("/v1/membership-plans?limit=1", { key: p.server });
    expect(page.json.data.map((x: { id: string }) => x.id)).toEqual([plain.id]);
    const next = await call(`/v1/membership-plans?limit=1&cursor=${page.json.nextCursor}`, { key: p.server });
    expect(next.json).toEqual({ data: [second], nextCursor: null });
    expect((await call(`/v1/membership-plans?cursor=${page.json.nextCursor}&includeArchived=true`, { key: p.server })).json.code).toBe("invalid_cursor");
  });

  it("change by a merge patch exactly what it names", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    const res = await call(`/v1/membership-plans/${plan.id}`, { method: "PATCH", key: p.admin, body: { name: "Prime+", benefits: { earlyAccessDays: 7 } } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ...plan, name: "Prime+", benefits: { ...plan.benefits, earlyAccessDays: 7 }, updatedAt: expect.any(String) });
    expect(res.json.updatedAt > plan.updatedAt).toBe(true);
  });

  it("are archived once, kept for the memberships that hold them, and listed only when asked", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    expect((await start(p, "ada", plan.id)).status).toBe(201);
    const archived = await call(`/v1/membership-plans/${plan.id}/archive`, { key: p.admin, method: "POST" });
    expect(archived.status).toBe(200);
    expect(archived.json.archivedAt).toEqual(expect.any(String));
    const again = await call(`/v1/membership-plans/${plan.id}/archive`, { key: p.admin, method: "POST" });
    expect(again.json).toEqual(archived.json);
    expect((await call("/v1/membership-plans", { key: p.admin })).json.data).toEqual([]);
    expect((await call("/v1/membership-plans?includeArchived=true", { key: p.admin })).json.data).toEqual([archived.json]);
    await enroll(p.server, "bob");
    const refused = await start(p, "bob", plan.id);
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe("membership_plan_archived");
    expect((await call("/v1/members/ada/benefits", { key: p.server })).json.freeShipping).toBe(true);
  });

  it.each([
    ["an unknown term", { ...prime, term: "week" }],
    ["a multiplier below 100", { ...prime, benefits: { earningMultiplierPercent: 50 } }],
    ["a price that is not integer minor units", { ...prime, price: { amount: 49.9, currency: "EUR" } }],
    ["an unknown currency", { ...prime, price: { amount: 4900, currency: "XXY" } }],
    ["an unknown field", { ...prime, colour: "gold" }],
    ["no name", { price: prime.price, term: "year" }],
  ])("refuse %s with 400", async (_, body) => {
    const p = await createProgram();
    const res = await call("/v1/membership-plans", { key: p.admin, body });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("answer 404 for a plan that is missing or another program's", async () => {
    const a = await createProgram();
    const b = await createProgram();
    const plan = await createPlan(a);
    for (const [key, id] of [[a.server, "mpl_missing"], [b.server, plan.id]] as const) {
      const res = await call(`/v1/membership-plans/${id}`, { key });
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("membership_plan_not_found");
    }
    await enroll(b.server, "ada");
    expect((await start(b, "ada", plan.id)).json.code).toBe("membership_plan_not_found");
    expect((await call(`/v1/membership-plans/${plan.id}`, { method: "PATCH", key: a.admin, body: { name: null } })).status).toBe(400);
    expect((await call(`/v1/membership-plans/${plan.id}`, { method: "PATCH", key: b.admin, body: { name: "Mine" } })).json.code).toBe("membership_plan_not_found");
    expect((await call(`/v1/membership-plans/${plan.id}/archive`, { method: "POST", key: b.admin })).json.code).toBe("membership_plan_not_found");
    expect((await call(`/v1/membership-plans/${plan.id}`, { key: a.server })).json.archivedAt).toBeNull();
  });
});

describe("POST /v1/members/{memberId}/memberships", () => {
  it("starts a membership, and a retry with the same key replays it", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    const first = await start(p, "ada", plan.id, PAID_UNTIL, "start-ada-1");
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ id: expect.stringMatching(/^mbr_/), memberId: "ada", planId: plan.id, status: "active", paidUntil: PAID_UNTIL, externalRef: "sub_77", cancelAtTermEnd: false });
    const replay = await start(p, "ada", plan.id, PAID_UNTIL, "start-ada-1");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).toEqual(first.json);
    const reused = await start(p, "ada", plan.id, "2031-01-01T00:00:00Z", "start-ada-1");
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe("idempotency_key_reused");
    expect((await call("/v1/members/ada/memberships", { key: p.server })).json.data).toEqual([first.json]);
  });

  it("refuses a second membership of a plan in force with 409", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    const first = await start(p, "ada", plan.id);
    const second = await start(p, "ada", plan.id);
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: "membership_exists", membershipId: first.json.id });
  });

  it("refuses what cannot start", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    const past = await start(p, "ada", plan.id, "2020-01-01T00:00:00Z", "start-in-the-past");
    expect(past.status).toBe(422);
    expect(past.json.code).toBe("paid_until_not_later");
    // A business refusal is the key's answer, replayed as first sent.
    const replayed = await start(p, "ada", plan.id, "2020-01-01T00:00:00Z", "start-in-the-past");
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.json).toEqual(past.json);
    expect((await start(p, "nobody", plan.id)).json.code).toBe("member_not_found");
    expect((await start(p, "ada", "mpl_missing")).json.code).toBe("membership_plan_not_found");
    const noKey = await call("/v1/members/ada/memberships", { key: p.server, body: { planId: plan.id, paidUntil: PAID_UNTIL }, idempotencyKey: null });
    expect(noKey.status).toBe(400);
    const badDate = await call("/v1/members/ada/memberships", { key: p.server, body: { planId: plan.id, paidUntil: "next year" } });
    expect(badDate.status).toBe(400);
    expect((await call("/v1/members/ada/memberships", { key: p.server })).json.data).toEqual([]);
    expect((await call("/v1/members/nobody/memberships", { key: p.server })).json.code).toBe("member_not_found");
  });
});

describe("renew and cancel", () => {
  async function held(p: TestProgram) {
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    return (await start(p, "ada", plan.id)).json;
  }

  it("renew to a later paidUntil, never an earlier one", async () => {
    const p = await createProgram();
    const m = await held(p);
    const renewed = await call(`/v1/members/ada/memberships/${m.id}/renew`, { key: p.server, body: { paidUntil: "2031-01-01T00:00:00Z" } });
    expect(renewed.status).toBe(200);
    expect(renewed.json).toMatchObject({ id: m.id, paidUntil: "2031-01-01T00:00:00.000Z", status: "active" });
    const earlier = await call(`/v1/members/ada/memberships/${m.id}/renew`, { key: p.server, body: { paidUntil: "2030-06-01T00:00:00Z" } });
    expect(earlier.status).toBe(422);
    expect(earlier.json.code).toBe("paid_until_not_later");
    const missing = await call("/v1/members/ada/memberships/mbr_missing/renew", { key: p.server, body: { paidUntil: "2032-01-01T00:00:00Z" } });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("membership_not_found");
  });

  it("cancel at the term's end (still active) or at once, and not twice", async () => {
    const p = await createProgram();
    const m = await held(p);
    const atEnd = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: {} });
    expect(atEnd.json).toMatchObject({ status: "active", cancelAtTermEnd: true, endedAt: null });
    const now = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" } });
    expect(now.json).toMatchObject({ status: "cancelled", endedAt: expect.any(String) });
    const again = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" } });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("membership_not_active");
    expect((await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "someday" } })).status).toBe(400);
    expect((await call("/v1/members/ada/benefits", { key: p.server })).json.memberships).toEqual([]);
  });

  it("replay a retried cancel with its key, and refuse the key for another body", async () => {
    const p = await createProgram();
    const m = await held(p);
    const first = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" }, idempotencyKey: "cancel-1" });
    const retry = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" }, idempotencyKey: "cancel-1" });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.json).toEqual(first.json);
    const other = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "term_end" }, idempotencyKey: "cancel-1" });
    expect(other.json.code).toBe("idempotency_key_reused");
  });

  it("belong to their member: another member's id is not found", async () => {
    const p = await createProgram();
    const m = await held(p);
    await enroll(p.server, "bob");
    const res = await call(`/v1/members/bob/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" } });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("membership_not_found");
  });
});

describe("membership events", () => {
  it("say each start, renewal and cancellation once, in the change's own batch, and not again on a retry or a refusal", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    const m = (await start(p, "ada", plan.id, PAID_UNTIL, "start-ev-1")).json;
    await start(p, "ada", plan.id, PAID_UNTIL, "start-ev-1");
    // Refused (already held): nothing committed, nothing said.
    expect((await start(p, "ada", plan.id)).status).toBe(409);
    const renew = () => call(`/v1/members/ada/memberships/${m.id}/renew`, { key: p.server, body: { paidUntil: "2031-01-01T00:00:00Z" }, idempotencyKey: "renew-ev-1" });
    expect((await renew()).status).toBe(200);
    expect((await renew()).headers.get("idempotent-replayed")).toBe("true");
    const badRenew = await call(`/v1/members/ada/memberships/${m.id}/renew`, { key: p.server, body: { paidUntil: "2030-06-01T00:00:00Z" } });
    expect(badRenew.json).toMatchObject({ code: "paid_until_not_later", errors: [{ path: "paidUntil" }] });
    await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "term_end" } });
    const now = (await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" } })).json;

    expect(await events(p.programId, "membership.started")).toEqual([
      { memberId: "ada", membershipId: m.id, planId: plan.id, paidUntil: PAID_UNTIL, externalRef: "sub_77", occurredAt: m.startedAt, recordedAt: m.startedAt },
    ]);
    expect(await events(p.programId, "membership.renewed")).toEqual([
      expect.objectContaining({ memberId: "ada", membershipId: m.id, planId: plan.id, previousPaidUntil: PAID_UNTIL, paidUntil: "2031-01-01T00:00:00.000Z" }),
    ]);
    expect(await events(p.programId, "membership.cancelled")).toEqual([
      expect.objectContaining({ membershipId: m.id, at: "term_end", paidUntil: "2031-01-01T00:00:00.000Z", endsAt: "2031-01-01T00:00:00.000Z" }),
      expect.objectContaining({ membershipId: m.id, at: "now", endsAt: now.endedAt }),
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("the lapse job", () => {
  it("lapses memberships not renewed past paidUntil with one membership.lapsed each, however often it runs", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    await enroll(p.server, "carol");
    const ada = (await start(p, "ada", plan.id, "2029-01-01T00:00:00Z")).json;
    const bob = (await start(p, "bob", plan.id, "2029-01-01T00:00:00Z")).json;
    await call(`/v1/members/bob/memberships/${bob.id}/cancel`, { key: p.server, body: { at: "term_end" } });
    const carol = (await start(p, "carol", plan.id, "2029-06-01T00:00:00Z")).json;

    await runAt(p.programId, "lapse-memberships", "2028-12-31T23:59:59Z");
    expect(await events(p.programId, "membership.lapsed")).toEqual([]);

    const first = await runAt(p.programId, "lapse-memberships", "2029-01-02T00:00:00Z");
    const second = await runAt(p.programId, "lapse-memberships", "2029-01-02T00:00:00Z");
    expect(first).toMatchObject({ status: "done", itemsDone: 2, errors: 0 });
    expect(second).toMatchObject({ status: "done", itemsDone: 0, errors: 0 });
    const lapsed = await events(p.programId, "membership.lapsed");
    expect(lapsed).toEqual([
      expect.objectContaining({ memberId: "ada", membershipId: ada.id, planId: plan.id, paidUntil: "2029-01-01T00:00:00.000Z", reason: "not_renewed", occurredAt: "2029-01-01T00:00:00.000Z" }),
      expect.objectContaining({ memberId: "bob", membershipId: bob.id, reason: "cancelled" }),
    ]);
    const statuses = (await call("/v1/members/ada/memberships", { key: p.server })).json.data.map((m: { status: string; endedAt: string }) => [m.status, m.endedAt]);
    expect(statuses).toEqual([["lapsed", "2029-01-01T00:00:00.000Z"]]);
    expect((await call("/v1/members/carol/memberships", { key: p.server })).json.data[0]).toMatchObject({ id: carol.id, status: "active" });
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("GET /v1/members/{memberId}/benefits", () => {
  it("joins the tier's multiplier and the memberships' benefits for the checkout", async () => {
    const p = await createProgram({ tiers: [{ name: "gold", threshold: 100, multiplierPercent: 150 }] });
    const plan = await createPlan(p);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 20_000)).status).toBe(201);
    const before = await call("/v1/members/ada/benefits", { key: p.server });
    expect(before.json).toMatchObject({ tier: { name: "gold", multiplierPercent: 150 }, earningMultiplierPercent: 150, freeShipping: false, memberships: [] });
    const m = (await start(p, "ada", plan.id)).json;
    const after = await call("/v1/members/ada/benefits", { key: p.partner });
    expect(after.status).toBe(200);
    expect(after.json).toEqual({
      memberId: "ada",
      asOf: expect.any(String),
      tier: { name: "gold", multiplierPercent: 150 },
      memberships: [{ membershipId: m.id, planId: plan.id, planName: "Prime", paidUntil: PAID_UNTIL }],
      earningMultiplierPercent: 300,
      tierMultiplierPercent: 150,
      membershipMultiplierPercent: 200,
      freeShipping: true,
      earlyAccessDays: 2,
      exclusiveRewardPlanIds: [plan.id],
    });
  });

  it("answers 404 for a member that does not exist, in this program", async () => {
    const a = await createProgram();
    const b = await createProgram();
    await enroll(a.server, "ada");
    const res = await call("/v1/members/ada/benefits", { key: b.server });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});

describe("a membership's earning multiplier", () => {
  it("multiplies what an order earns while the membership is in force, as its own line, and stops when it ends", async () => {
    const p = await createProgram();
    const plan = await createPlan(p, { ...prime, benefits: { ...prime.benefits, earningMultiplierPercent: 150 } });
    await enroll(p.server, "ada");
    const before = await accrue(p.server, "ada", 10_000);
    expect(before.json.points).toBe(100);
    const m = (await start(p, "ada", plan.id)).json;
    const during = await accrue(p.server, "ada", 10_000);
    expect(during.status).toBe(201);
    expect(during.json.points).toBe(150);
    expect(during.json.breakdown).toEqual([
      { rule: "base", points: 100 },
      { rule: "membership_multiplier", points: 50, multiplierPercent: 150 },
    ]);
    // Rounded once on the whole earning: 33 points x 1.5 = 49.5, floored.
    expect((await accrue(p.server, "ada", 3_300)).json.points).toBe(49);
    const cancelled = await call(`/v1/members/ada/memberships/${m.id}/cancel`, { key: p.server, body: { at: "now" } });
    expect(cancelled.status, JSON.stringify(cancelled.json)).toBe(200);
    const after = await accrue(p.server, "ada", 10_000);
    expect(after.json.points).toBe(100);
    await expectLedgerConsistent(p.programId);
  });
});

describe("rewards for a plan's members", () => {
  it("are claimable only while the member holds the plan", async () => {
    const p = await createProgram();
    const plan = await createPlan(p);
    const reward = await call("/v1/rewards", {
      key: p.admin,
      body: { name: "members only", type: "fixed_discount", costPoints: 50, value: { amount: 500, currency: "EUR" }, planIds: [plan.id] },
      idempotencyKey: null,
    });
    expect(reward.status, JSON.stringify(reward.json)).toBe(201);
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 50_000);
    const line = async () => (await call("/v1/members/ada/rewards", { key: p.server })).json.data.find((l: any) => l.reward.id === reward.json.id);
    expect((await line()).unavailable.map((u: any) => u.reason)).toEqual(["plan_required"]);
    const refused = await call(`/v1/members/ada/rewards/${reward.json.id}/claims`, { method: "POST", key: p.server });
    expect(refused.json.code).toBe("reward_not_available");
    expect((await start(p, "ada", plan.id)).status).toBe(201);
    expect((await line()).claimable).toBe(true);
    const claimed = await call(`/v1/members/ada/rewards/${reward.json.id}/claims`, { method: "POST", key: p.server });
    expect(claimed.status, JSON.stringify(claimed.json)).toBe(201);
    await expectLedgerConsistent(p.programId);
  });
});
