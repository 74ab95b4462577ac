// Referrals through the API: codes, enrollment with a code, the fraud table, rewards by the job, clawback after a refund.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type Settings, type TestProgram } from "../helpers";
import { memberLedgerOf } from "../../src/members/member-ledger";
import { programRef, entriesOf, events, runAt } from "../job-helpers";

const DAY = 86_400_000;
const referralSettings = (overrides: Record<string, unknown> = {}): Settings => ({
  pendingDays: 14,
  referrals: { enabled: true, referrerPoints: 1000, refereePoints: 500, grantOn: { type: "first_order", minAmount: 5000 }, ...overrides },
});

let memberCounter = 0;
const fresh = (name: string) => `${name}-${++memberCounter}`;

async function codeOf(p: TestProgram, memberId: string): Promise<string> {
  const res = await call(`/v1/members/${encodeURIComponent(memberId)}/referral`, { key: p.server });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.code;
}

async function referralsOf(p: TestProgram, memberId: string) {
  const res = await call(`/v1/members/${encodeURIComponent(memberId)}/referrals`, { key: p.server });
  expect(res.status).toBe(200);
  return res.json.data as Record<string, any>[];
}

/** A referrer with a code, and a new member enrolled with it. */
async function referred(p: TestProgram, body: Record<string, unknown> = {}, referrerBody: Record<string, unknown> = {}) {
  const referrer = fresh("referrer");
  await enroll(p.server, referrer, { email: `${referrer}@example.com`, ...referrerBody });
  const code = await codeOf(p, referrer);
  const referee = fresh("referee");
  await enroll(p.server, referee, { email: `${referee}@example.com`, referralCode: code, ...body });
  const [referral] = await referralsOf(p, referrer);
  return { referrer, referee, code, referral: referral! };
}

describe("GET /v1/members/{memberId}/referral", () => {
  it("creates the member's code on first ask, keeps it, and fills the share link", async () => {
    const p = await createProgram(referralSettings({ shareLinkTemplate: "https://shop.example/invite?c={code}" }));
    await enroll(p.server, "ada");
    const first = await call("/v1/members/ada/referral", { key: p.server });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ memberId: "ada", code: expect.stringMatching(/^[2-9A-HJKMNP-TV-Z]{10}$/), shareLink: `https://shop.example/invite?c=${first.json.code}`, referredBy: null });
    const again = await call("/v1/members/ada/referral", { key: p.admin });
    expect(again.json.code).toBe(first.json.code);
  });

  it("gives concurrent first asks the one code", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    const answers = await Promise.all(Array.from({ length: 6 }, () => call("/v1/members/ada/referral", { key: p.server })));
    expect(new Set(answers.map((a) => a.json.code)).size).toBe(1);
  });

  it("answers 404 for a member that does not exist, and writes no code", async () => {
    const p = await createProgram(referralSettings());
    const res = await call("/v1/members/nobody/referral", { key: p.server });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
    const codes = await env.DB.prepare("SELECT COUNT(*) AS n FROM referral_codes WHERE program_id = ?").bind(p.programId).first<{ n: number }>();
    expect(codes!.n).toBe(0);
  });

  it("refuses with 422 referrals_disabled in a program without referrals", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await call("/v1/members/ada/referral", { key: p.server });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("referrals_disabled");
  });

  it("shows the referee who referred them", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee, referral } = await referred(p);
    const res = await call(`/v1/members/${referee}/referral`, { key: p.server });
    expect(res.json.referredBy).toEqual({ referralId: referral.id, referrerId: referrer, status: "pending" });
  });
});

describe("referral settings", () => {
  it("are off by default and validated when patched", async () => {
    const p = await createProgram();
    expect((await call("/v1/program", { key: p.admin })).json.settings.referrals).toEqual({
      enabled: false,
      refereePoints: 0,
      referrerPoints: 0,
      refereeRewardId: null,
      referrerRewardId: null,
      grantOn: { type: "first_order", minAmount: 0 },
      shareLinkTemplate: "https://shop.example/r/{code}",
      capPerReferrer: null,
      minReferrerAgeDays: 0,
    });
    for (const referrals of [{ shareLinkTemplate: "https://shop.example/r/" }, { referrerPoints: -1 }, { grantOn: { type: "someday" } }]) {
      const res = await call("/v1/program", { method: "PATCH", key: p.admin, body: { referrals } });
      expect(res.status, JSON.stringify(referrals)).toBe(422);
      expect(res.json.code).toBe("invalid_settings");
    }
  });
});

describe("enrolling with a referral code", () => {
  it("records a pending referral, listed for the referrer, and keeps only hashes of fingerprints", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee, referral } = await referred(p, { deviceFingerprint: "storefront-device-hash-1", paymentFingerprint: "storefront-card-hash-1" });
    expect(referral).toMatchObject({ referrerId: referrer, refereeId: referee, status: "pending", fraudFlags: [], trigger: "first_order", referrerPoints: 1000, refereePoints: 500, orderId: null, refereeRewarded: false });
    const stored = await env.DB.prepare("SELECT hash FROM member_fingerprints WHERE program_id = ? AND member_id = ?").bind(p.programId, referee).all<{ hash: string }>();
    expect(stored.results).toHaveLength(2);
    for (const { hash } of stored.results) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toContain("storefront");
    }
    expect((await balance(p.server, referee)).available).toBe(0);
  });

  it("accepts the code as people type it (case, spaces, dashes)", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    const code = await codeOf(p, "ada");
    await enroll(p.server, "bob", { referralCode: ` ${code.slice(0, 5).toLowerCase()}-${code.slice(5)} ` });
    expect((await referralsOf(p, "ada"))[0]).toMatchObject({ refereeId: "bob", status: "pending" });
  });

  it("refuses an unknown code with 422 and enrolls no one", async () => {
    const p = await createProgram(referralSettings());
    const res = await call("/v1/members/newbie", { method: "PUT", key: p.server, body: { referralCode: "ZZZZZZZZZZ" } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("referral_code_not_found");
    expect(res.json.errors).toEqual([{ path: "referralCode", message: "unknown code" }]);
    expect((await call("/v1/members/newbie", { key: p.server })).status).toBe(404);
  });

  it("refuses a code in a program without referrals, and enrolls no one", async () => {
    const p = await createProgram();
    const res = await call("/v1/members/newbie", { method: "PUT", key: p.server, body: { referralCode: "ZZZZZZZZZZ" } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("referrals_disabled");
    expect((await call("/v1/members/newbie", { key: p.server })).status).toBe(404);
  });

  it.each([
    ["an empty code", { referralCode: "" }],
    ["a code that is not a string", { referralCode: 42 }],
    ["a too short fingerprint", { deviceFingerprint: "abc" }],
    ["an unknown field", { referrer: "ada" }],
  ])("answers 400 for %s", async (_, body) => {
    const p = await createProgram(referralSettings());
    const res = await call("/v1/members/newbie", { method: "PUT", key: p.server, body });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("does not know another program's codes", async () => {
    const a = await createProgram(referralSettings());
    const b = await createProgram(referralSettings());
    await enroll(a.server, "ada");
    const code = await codeOf(a, "ada");
    const res = await call("/v1/members/bob", { method: "PUT", key: b.server, body: { referralCode: code } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("referral_code_not_found");
  });

  it("records nothing new when the same member sends the same code again", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee, code } = await referred(p);
    await enroll(p.server, referee, { referralCode: code });
    expect(await referralsOf(p, referrer)).toHaveLength(1);
  });
});

describe("the fraud rules through the API", () => {
  async function expectRejected(p: TestProgram, referrer: string, flags: string[]) {
    const [latest] = await referralsOf(p, referrer);
    expect(latest).toMatchObject({ status: "rejected", fraudFlags: flags });
    const rejected = (await events(p.programId, "referral.rejected")).filter((e) => e.referralId === latest!.id);
    expect(rejected).toEqual([expect.objectContaining({ referrerId: referrer, refereeId: latest!.refereeId, fraudFlags: flags })]);
    return latest!;
  }

  it("flags a member referring themself", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    const code = await codeOf(p, "ada");
    await enroll(p.server, "ada", { referralCode: code });
    await expectRejected(p, "ada", ["self_referral"]);
  });

  it("flags the same email after folding case, dots and +tags", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada", { email: "Ada.Lovelace@gmail.com" });
    await enroll(p.server, "ada-again", { email: "adalovelace+promo@googlemail.com", referralCode: await codeOf(p, "ada") });
    await expectRejected(p, "ada", ["same_email"]);
  });

  it("flags the same device", async () => {
    const p = await createProgram(referralSettings());
    const { referrer } = await referred(p, { deviceFingerprint: "device-hash-1" }, { deviceFingerprint: "device-hash-1" });
    await expectRejected(p, referrer, ["same_device"]);
  });

  it("flags the same payment method", async () => {
    const p = await createProgram(referralSettings());
    const { referrer } = await referred(p, { paymentFingerprint: "card-hash-1" }, { paymentFingerprint: "card-hash-1" });
    await expectRejected(p, referrer, ["same_payment"]);
  });

  it("flags a loop: A referred B, then B's code for A", async () => {
    const p = await createProgram(referralSettings());
    const { referrer: a, referee: b } = await referred(p);
    await enroll(p.server, a, { referralCode: await codeOf(p, b) });
    await expectRejected(p, b, ["referral_loop"]);
  });

  it("flags a second referrer for a member who has one", async () => {
    const p = await createProgram(referralSettings());
    const { referee } = await referred(p);
    await enroll(p.server, "carol");
    await enroll(p.server, referee, { referralCode: await codeOf(p, "carol") });
    await expectRejected(p, "carol", ["already_referred"]);
  });

  it("flags a referrer younger than the minimum account age", async () => {
    const p = await createProgram(referralSettings({ minReferrerAgeDays: 30 }));
    const { referrer } = await referred(p);
    await expectRejected(p, referrer, ["referrer_too_new"]);
  });

  it("flags a referrer at the cap of rewarded referrals per period", async () => {
    const p = await createProgram(referralSettings({ capPerReferrer: { count: 1, period: "month" }, grantOn: { type: "enrollment" } }));
    const { referrer, code } = await referred(p);
    expect((await referralsOf(p, referrer))[0]!.status).toBe("completed");
    await enroll(p.server, fresh("second"), { referralCode: code });
    await expectRejected(p, referrer, ["referrer_cap_reached"]);
  });

  it("flags a shopper who had earned points before the code", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    await enroll(p.server, "regular");
    expect((await accrue(p.server, "regular", 1000)).status).toBe(201);
    await enroll(p.server, "regular", { referralCode: await codeOf(p, "ada") });
    await expectRejected(p, "ada", ["referee_not_new"]);
  });

  it("counts rewards made before the cap was set, by when they were made", async () => {
    const p = await createProgram(referralSettings({ grantOn: { type: "enrollment" } }));
    const { referrer, code } = await referred(p);
    const patched = await call("/v1/program", { method: "PATCH", key: p.admin, body: { referrals: { capPerReferrer: { count: 1, period: "year" } } } });
    expect(patched.status).toBe(200);
    expect(patched.json.settings.referrals).toMatchObject({ enabled: true, referrerPoints: 1000, capPerReferrer: { count: 1, period: "year" } });
    await enroll(p.server, fresh("second"), { referralCode: code });
    await expectRejected(p, referrer, ["referrer_cap_reached"]);
  });

  it("lists every rule broken at once", async () => {
    const p = await createProgram(referralSettings({ minReferrerAgeDays: 1 }));
    await enroll(p.server, "ada", { email: "ada@example.com", deviceFingerprint: "device-hash-9" });
    await enroll(p.server, "bob", { email: "ADA+x@example.com", deviceFingerprint: "device-hash-9", referralCode: await codeOf(p, "ada") });
    await expectRejected(p, "ada", ["same_email", "same_device", "referrer_too_new"]);
  });

  it("never rewards a rejected referral, whatever the referee orders", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada", { email: "ada@example.com" });
    await enroll(p.server, "bob", { email: "ada+2@example.com", referralCode: await codeOf(p, "ada") });
    expect((await accrue(p.server, "bob", 10_000)).status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    await runAt(p.programId, "advance-referrals", Date.now() + 30 * DAY);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 0, pending: 0 });
    expect((await balance(p.server, "bob")).pending).toBe(100);
    expect((await referralsOf(p, "ada"))[0]).toMatchObject({ status: "rejected", refereeRewarded: false });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("lets the operator list the rejected referrals of the program", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    await enroll(p.server, "ada", { referralCode: await codeOf(p, "ada") });
    await referred(p);
    const rejected = await call("/v1/referrals?status=rejected", { key: p.admin });
    expect(rejected.status).toBe(200);
    expect(rejected.json.data.map((r: { fraudFlags: string[] }) => r.fraudFlags)).toEqual([["self_referral"]]);
    const all = await call("/v1/referrals?limit=1", { key: p.admin });
    expect(all.json.data).toHaveLength(1);
    const next = await call(`/v1/referrals?limit=1&cursor=${all.json.nextCursor}`, { key: p.admin });
    expect(next.json.data).toHaveLength(1);
    expect(next.json.data[0].id).not.toBe(all.json.data[0].id);
    expect((await call(`/v1/referrals?cursor=${all.json.nextCursor}&status=rejected`, { key: p.admin })).json.code).toBe("invalid_cursor");
    expect((await call("/v1/referrals?status=unknown", { key: p.admin })).status).toBe(400);
  });
});

describe("rewards on the referee's first order", () => {
  it("wait for an order at or above the amount, then credit both; the referrer's points stay pending until the order's window ends", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee } = await referred(p);
    expect((await accrue(p.server, referee, 4999)).status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]!.status).toBe("pending");

    const order = await accrue(p.server, referee, 6000, { orderId: `qualifying-${referee}` });
    expect(order.status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    const [qualified] = await referralsOf(p, referrer);
    expect(qualified).toMatchObject({ status: "qualified", orderId: `qualifying-${referee}`, rewardAvailableAt: order.json.lot.availableAt, refereeRewarded: true });
    expect(await balance(p.server, referrer)).toMatchObject({ available: 0, pending: 1000 });
    expect((await balance(p.server, referee)).available).toBe(500);

    // Run again: nothing is credited twice.
    await runAt(p.programId, "advance-referrals", Date.now());
    expect(await balance(p.server, referrer)).toMatchObject({ available: 0, pending: 1000 });
    expect((await entriesOf(p.programId, "earn", referrer)).map((e) => e.points)).toEqual([1000]);

    const afterWindow = Date.parse(order.json.lot.availableAt) + 1000;
    await runAt(p.programId, "advance-referrals", afterWindow);
    await runAt(p.programId, "advance-referrals", afterWindow + DAY);
    expect((await referralsOf(p, referrer))[0]!.status).toBe("completed");
    const completed = await events(p.programId, "referral.completed");
    expect(completed).toEqual([expect.objectContaining({ referralId: qualified!.id, referrerId: referrer, refereeId: referee, referrerPoints: 1000, refereePoints: 500 })]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("are cancelled for the referrer when the order is refunded within its window (clawback)", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee } = await referred(p);
    const order = await accrue(p.server, referee, 8000, { orderId: `refunded-${referee}` });
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await balance(p.server, referrer)).pending).toBe(1000);

    // A partial refund that keeps the order above the amount changes nothing.
    const partial = await call(`/v1/members/${referee}/refunds`, { key: p.server, body: { orderId: `refunded-${referee}`, amount: { amount: 2000, currency: "EUR" } } });
    expect(partial.status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]!.status).toBe("qualified");

    const rest = await call(`/v1/members/${referee}/refunds`, { key: p.server, body: { orderId: `refunded-${referee}`, amount: { amount: 6000, currency: "EUR" } } });
    expect(rest.status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]!.status).toBe("cancelled");
    expect(await balance(p.server, referrer)).toMatchObject({ available: 0, pending: 0, debt: 0 });
    const clawbacks = await entriesOf(p.programId, "clawback", referrer);
    expect(clawbacks).toEqual([expect.objectContaining({ points: -1000, details: expect.objectContaining({ fromLot: 1000, addedToDebt: 0 }) })]);

    // Cancelled stays cancelled, and no completion is ever sent for it.
    await runAt(p.programId, "advance-referrals", Date.parse(order.json.lot.availableAt) + DAY);
    expect((await referralsOf(p, referrer))[0]!.status).toBe("cancelled");
    expect(await events(p.programId, "referral.completed")).toEqual([]);
    expect(await entriesOf(p.programId, "clawback", referrer)).toHaveLength(1);
    // The program's own issue (referral lots) and clawbacks reconcile in the settlement statement.
    const period = new Date().toISOString().slice(0, 7);
    expect((await call(`/v1/settlements/${period}`, { key: p.admin })).status).toBe(200);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("are kept when the refund comes after the window", async () => {
    // No pending days: the order's window is over as soon as it is posted, so the refund below comes after it.
    const p = await createProgram({ ...referralSettings(), pendingDays: 0 });
    const { referrer, referee } = await referred(p);
    await accrue(p.server, referee, 8000, { orderId: `late-refund-${referee}` });
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]!.status).toBe("qualified");
    const refund = await call(`/v1/members/${referee}/refunds`, { key: p.server, body: { orderId: `late-refund-${referee}`, amount: { amount: 8000, currency: "EUR" } } });
    expect(refund.status).toBe(201);
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]!.status).toBe("completed");
    expect(await balance(p.server, referrer)).toMatchObject({ available: 1000, pending: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("reject, by the cap counted in the referrer's object, the referral past the cap when both became due together", async () => {
    const p = await createProgram(referralSettings({ capPerReferrer: { count: 1, period: "year" } }));
    await enroll(p.server, "ada");
    const code = await codeOf(p, "ada");
    await enroll(p.server, "bob", { referralCode: code });
    await enroll(p.server, "carol", { referralCode: code });
    expect((await referralsOf(p, "ada")).map((r) => r.status)).toEqual(["pending", "pending"]);
    await accrue(p.server, "bob", 6000);
    await accrue(p.server, "carol", 6000);
    await runAt(p.programId, "advance-referrals", Date.now());
    const statuses = (await referralsOf(p, "ada")).map((r) => [r.status, r.fraudFlags]);
    expect(statuses.sort()).toEqual([["qualified", []], ["rejected", ["referrer_cap_reached"]]].sort());
    expect((await balance(p.server, "ada")).pending).toBe(1000);
    const rewarded = [(await balance(p.server, "bob")).available, (await balance(p.server, "carol")).available].sort();
    expect(rewarded).toEqual([0, 500]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("a referral left half-way", () => {
  it("is finished by the job: the referee is credited once the referrer's object has rewarded it", async () => {
    const p = await createProgram(referralSettings());
    const { referrer, referee, referral } = await referred(p);
    await accrue(p.server, referee, 6000);
    // Only the referrer's step, as if the referee's object had been unreachable right after.
    const { settings } = await programRef(p.programId);
    const step = await memberLedgerOf(env, p.programId, referrer).creditReferral({ programId: p.programId, memberId: referrer, settings, partnerId: null, idempotency: null }, referral.id);
    expect(step).toMatchObject({ ok: true, value: { step: "rewarded", status: "qualified" } });
    expect((await referralsOf(p, referrer))[0]).toMatchObject({ status: "qualified", refereeRewarded: false });
    expect((await balance(p.server, referee)).available).toBe(0);
    await runAt(p.programId, "advance-referrals", Date.now());
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await referralsOf(p, referrer))[0]).toMatchObject({ status: "qualified", refereeRewarded: true });
    expect((await balance(p.server, referee)).available).toBe(500);
    expect((await balance(p.server, referrer)).pending).toBe(1000);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("rewards on enrollment", () => {
  it("credit both members at once and complete the referral", async () => {
    const p = await createProgram(referralSettings({ grantOn: { type: "enrollment" } }));
    await enroll(p.server, "ada");
    const code = await codeOf(p, "ada");
    const res = await call("/v1/members/bob", { method: "PUT", key: p.server, body: { referralCode: code } });
    expect(res.status).toBe(201);
    expect(res.json.balance.available).toBe(500);
    expect((await balance(p.server, "ada")).available).toBe(1000);
    expect((await referralsOf(p, "ada"))[0]).toMatchObject({ status: "completed", refereeRewarded: true });
    expect(await events(p.programId, "referral.completed")).toHaveLength(1);
    // The job finds nothing left to do.
    await runAt(p.programId, "advance-referrals", Date.now());
    expect((await balance(p.server, "ada")).available).toBe(1000);
    expect(await events(p.programId, "referral.completed")).toHaveLength(1);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("GET /v1/members/{memberId}/referrals", () => {
  it("pages newest first and refuses a cursor of another member's list", async () => {
    const p = await createProgram(referralSettings());
    await enroll(p.server, "ada");
    await enroll(p.server, "eve");
    const code = await codeOf(p, "ada");
    for (const m of ["m1", "m2", "m3"]) await enroll(p.server, m, { referralCode: code });
    const first = await call("/v1/members/ada/referrals?limit=2", { key: p.server });
    expect(first.json.data.map((r: { refereeId: string }) => r.refereeId)).toEqual(["m3", "m2"]);
    const second = await call(`/v1/members/ada/referrals?limit=2&cursor=${first.json.nextCursor}`, { key: p.server });
    expect(second.json).toMatchObject({ data: [expect.objectContaining({ refereeId: "m1" })], nextCursor: null });
    const foreign = await call(`/v1/members/eve/referrals?cursor=${first.json.nextCursor}`, { key: p.server });
    expect(foreign.status).toBe(400);
    expect(foreign.json.code).toBe("invalid_cursor");
    expect((await call("/v1/members/nobody/referrals", { key: p.server })).json.code).toBe("member_not_found");
    expect((await call("/v1/members/ada/referrals?limit=0", { key: p.server })).status).toBe(400);
  });
});
