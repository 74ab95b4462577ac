// Data protection: export of everything held, erasure that keeps every sum, refusal afterwards, re-enrollment by setting.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "../helpers";
import { periodOf } from "../../src/ledger/periods";
import { claim, createReward, fiveOff } from "../rewards/support";
import { database } from "../../src/db/client";
import { foldPendingKpis } from "../../src/kpis/fold";

const KPI_TABLES = ["kpi_orders", "kpi_refunds", "kpi_days", "kpi_customers", "kpi_customer_periods", "kpi_period_counts", "kpi_cohorts", "kpi_rule_days", "kpi_earn_cohorts", "kpi_totals"];
const NOW_PERIOD = periodOf(new Date(), "month");

let p: TestProgram;
let other: TestProgram;
let counter = 0;
const fresh = (name: string) => `${name}-${++counter}`;

beforeAll(async () => {
  p = await createProgram({ referrals: { enabled: true, referrerPoints: 100, refereePoints: 50, grantOn: { type: "enrollment" } } });
  other = await createProgram();
});

/** Every aggregate a sum is made of, as text: equal before and after means nothing moved. */
async function checksums(t: TestProgram) {
  const db = env.DB;
  const one = async (sql: string) => JSON.stringify((await db.prepare(sql).bind(t.programId).all()).results);
  const sums = {
    lots: await one("SELECT count(*), sum(points), sum(remaining) FROM lots WHERE program_id = ?1"),
    entries: await one("SELECT type, count(*), sum(points), sum(held_points) FROM entries WHERE program_id = ?1 GROUP BY type ORDER BY type"),
    orders: await one("SELECT count(*), sum(amount), sum(refunded_amount), sum(clawed_back_points) FROM orders WHERE program_id = ?1"),
    redemptions: await one("SELECT status, count(*), sum(points) FROM redemptions WHERE program_id = ?1 GROUP BY status ORDER BY status"),
    members: await one("SELECT member_id, qualifying_points, lifetime_earned, debt, tier FROM members WHERE program_id = ?1 ORDER BY member_id"),
    settlement: JSON.stringify((await call(`/v1/settlements/${NOW_PERIOD}`, { key: t.admin })).json),
  } as Record<string, string>;
  // The members' pending KPI figures folded first, so the rollups hold every change up to now.
  await foldPendingKpis(database(env.DB), t.programId, new Date().toISOString());
  for (const table of KPI_TABLES) sums[table] = await one(`SELECT * FROM ${table} WHERE program_id = ?1 ORDER BY 1, 2, 3`);
  return sums;
}

/** A member with one of everything: profile, birthday, points, a captured redemption, a used coupon, a referral both ways. */
async function fullMember(t: TestProgram) {
  const referrer = fresh("referrer");
  await enroll(t.server, referrer, { email: `${referrer}@example.com`, name: "Rita Referrer" });
  const code = (await call(`/v1/members/${referrer}/referral`, { key: t.server })).json.code as string;
  const memberId = fresh("ada");
  await enroll(t.server, memberId, {
    email: "ada@example.com",
    name: "Ada Lovelace",
    attributes: { city: "London" },
    birthday: { month: 12, day: 10, year: 1990 },
    referralCode: code,
    deviceFingerprint: "device-hash-0001",
  });
  expect((await accrue(t.server, memberId, 200_000)).status).toBe(201);
  expect((await redeem(t.server, memberId, 100)).status).toBe(201);
  const reward = await createReward(t, { ...fiveOff, name: fresh("reward") });
  const coupon = await claim(t, memberId, reward.id);
  expect(coupon.status, JSON.stringify(coupon.json)).toBe(201);
  const used = await call(`/v1/coupons/${encodeURIComponent(coupon.json.coupon.code)}/redeem`, { key: t.server, body: { orderId: fresh("coupon-order") } });
  expect(used.status, JSON.stringify(used.json)).toBe(200);
  return { memberId, referrer };
}

const erase = (t: TestProgram, memberId: string, key = t.admin) => call(`/v1/members/${encodeURIComponent(memberId)}`, { method: "DELETE", key });

describe("GET /v1/members/{memberId}/export", () => {
  it("holds everything about a member with one of everything", async () => {
    const { memberId, referrer } = await fullMember(p);
    const res = await call(`/v1/members/${memberId}/export`, { key: p.admin });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const doc = res.json;
    expect(doc.profile).toMatchObject({ email: "ada@example.com", name: "Ada Lovelace", attributes: { city: "London" }, birthday: { month: 12, day: 10, year: 1990 }, erasedAt: null });
    expect(doc.lots.length).toBeGreaterThan(0);
    expect(doc.entries.length).toBeGreaterThanOrEqual(3);
    expect(doc.orders).toHaveLength(1);
    expect(doc.redemptions.length).toBeGreaterThanOrEqual(2);
    expect(doc.coupons).toHaveLength(1);
    expect(doc.referralsAsReferee).toHaveLength(1);
    expect(doc.referralsAsReferee[0]).toMatchObject({ referrerId: referrer, refereeId: memberId });
    expect(doc.fingerprints).toHaveLength(1);
    expect(doc.webhookEvents.map((e: { type: string }) => e.type)).toContain("member.enrolled");
    expect(doc.truncated).toEqual([]);
    const asReferrer = await call(`/v1/members/${referrer}/export`, { key: p.admin });
    expect(asReferrer.json.referralsAsReferrer).toHaveLength(1);
    expect(asReferrer.json.referralCode).toHaveLength(1);
  });

  it("holds the member's segments, statistics and the operator's changes to them", async () => {
    const t = await createProgram();
    const segment = await call("/v1/segments", { key: t.admin, body: { name: "store shoppers", conditions: { channels: ["store"] } } });
    expect(segment.status).toBe(201);
    const memberId = fresh("segmented");
    await enroll(t.server, memberId, { email: "s@example.com" });
    expect((await accrue(t.server, memberId, 2_000, { channel: "store" })).status).toBe(201);
    const adjusted = await call(`/v1/members/${memberId}/adjustments`, { key: t.admin, body: { points: 25, reason: "late parcel" }, idempotencyKey: fresh("adjust") });
    expect(adjusted.status, JSON.stringify(adjusted.json)).toBe(201);
    await enroll(t.server, `${memberId}-other`, {});
    await call(`/v1/members/${memberId}-other/adjustments`, { key: t.admin, body: { points: 5, reason: "someone else" }, idempotencyKey: fresh("adjust") });

    const doc = (await call(`/v1/members/${memberId}/export`, { key: t.admin })).json;
    expect(doc.segments).toEqual([segment.json.id]);
    expect(doc.segmentMemberships).toMatchObject([{ segmentId: segment.json.id, name: "store shoppers" }]);
    expect(doc.statistics).toMatchObject([{ memberId, orderCount: 1, storeOrders: 1, lifetimeSpend: 2_000 }]);
    expect(doc.auditEntries.map((a: { resource: string; action: string }) => [a.resource, a.action])).toEqual([[`member:${memberId}:adjustment`, "create"]]);
  });

  it("is the admin's only, and never crosses programs", async () => {
    const memberId = fresh("private");
    await enroll(p.server, memberId, { email: "p@example.com" });
    expect((await call(`/v1/members/${memberId}/export`, { key: p.server })).status).toBe(403);
    expect((await call(`/v1/members/${memberId}/export`, { key: other.admin })).json.code).toBe("member_not_found");
    expect((await erase(other, memberId)).status).toBe(404);
    expect((await call(`/v1/members/${memberId}`, { key: p.server })).json.email).toBe("p@example.com");
  });
});

describe("DELETE /v1/members/{memberId}", () => {
  it("removes what is personal and moves no sum", async () => {
    const { memberId } = await fullMember(p);
    const before = await checksums(p);
    const res = await erase(p, memberId);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.memberId).toBe(memberId);
    expect(await checksums(p)).toEqual(before);
    const row = await env.DB.prepare("SELECT * FROM members WHERE program_id = ? AND member_id = ?").bind(p.programId, memberId).first<Record<string, unknown>>();
    expect(row).toMatchObject({ email: null, name: null, attributes: "{}", birthday_month: null, birthday_day: null, birthday_year: null, erased_at: res.json.erasedAt });
    const left = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE program_id = ? AND member_id = ?`).bind(p.programId, memberId).first<{ n: number }>())!.n;
    expect(await left("member_fingerprints")).toBe(0);
    expect(await left("referral_codes")).toBe(0);
    expect(await left("card_scans")).toBe(0);
    // The referral stays, between two pseudonymous ids.
    expect((await env.DB.prepare("SELECT count(*) AS n FROM referrals WHERE program_id = ? AND referee_id = ?").bind(p.programId, memberId).first<{ n: number }>())!.n).toBe(1);
    const erased = await env.DB.prepare("SELECT payload FROM outbox_events WHERE program_id = ? AND member_id = ? AND type = 'member.erased'").bind(p.programId, memberId).all<{ payload: string }>();
    expect(erased.results).toHaveLength(1);
    expect(Object.keys(JSON.parse(erased.results[0]!.payload)).sort()).toEqual(["memberId", "occurredAt", "recordedAt"]);
    await expectLedgerConsistent(p.programId);
  });

  it("answers a second erasure alike, and the member is gone for every later request", async () => {
    const memberId = fresh("twice");
    await enroll(p.server, memberId, { email: "t@example.com" });
    expect((await accrue(p.server, memberId, 1000)).status).toBe(201);
    const first = await erase(p, memberId);
    const second = await erase(p, memberId);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    const events = await env.DB.prepare("SELECT count(*) AS n FROM outbox_events WHERE program_id = ? AND member_id = ? AND type = 'member.erased'").bind(p.programId, memberId).first<{ n: number }>();
    expect(events!.n).toBe(1);
    for (const res of [
      await call(`/v1/members/${memberId}`, { key: p.server }),
      await call(`/v1/members/${memberId}/balance`, { key: p.server }),
      await accrue(p.server, memberId, 1000),
      await redeem(p.server, memberId, 1),
      await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body: { email: "again@example.com" } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("member_not_found");
    }
    expect((await erase(p, fresh("never"))).status).toBe(404);
  });

  it("lets the id enroll again when the program allows it", async () => {
    const q = await createProgram({ privacy: { allowReenrollAfterErasure: true } });
    const memberId = fresh("back");
    await enroll(q.server, memberId, { email: "old@example.com" });
    expect((await accrue(q.server, memberId, 1000)).status).toBe(201);
    expect((await erase(q, memberId)).status).toBe(200);
    expect((await call(`/v1/members/${memberId}`, { key: q.server })).status).toBe(404);
    const again = await call(`/v1/members/${memberId}`, { method: "PUT", key: q.server, body: { email: "new@example.com" } });
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    expect(again.json).toMatchObject({ memberId, email: "new@example.com" });
    expect((await call(`/v1/members/${memberId}/balance`, { key: q.server })).status).toBe(200);
    expect((await call(`/v1/members/${memberId}/export`, { key: q.admin })).json.profile.erasedAt).toBeNull();
  });

  it("waits for open holds and unused coupons, then erases", async () => {
    const memberId = fresh("holder");
    await enroll(p.server, memberId, { email: "h@example.com" });
    expect((await accrue(p.server, memberId, 200_000)).status).toBe(201);
    const hold = await redeem(p.server, memberId, 100, { mode: "hold" });
    expect(hold.status).toBe(201);
    const reward = await createReward(p, { ...fiveOff, name: fresh("reward") });
    const coupon = await claim(p, memberId, reward.id);
    expect(coupon.status).toBe(201);
    const refused = await erase(p, memberId);
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe("member_erasure_blocked");
    expect((await call(`/v1/members/${memberId}`, { key: p.server })).json.email).toBe("h@example.com");
    expect((await call(`/v1/redemptions/${hold.json.id}/cancel`, { key: p.server, body: {} })).status).toBe(200);
    expect((await call(`/v1/coupons/${encodeURIComponent(coupon.json.coupon.code)}/cancel`, { method: "POST", key: p.server })).status).toBe(200);
    const before = await checksums(p);
    expect((await erase(p, memberId)).status).toBe(200);
    expect(await checksums(p)).toEqual(before);
  });
});

describe("marketing consent", () => {
  it("is recorded at enrollment and on update, with when and how, exported, and erased", async () => {
    const memberId = fresh("consent");
    const enrolled = await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body: { email: "c@example.com", marketingConsent: { granted: true, source: "checkout" } } });
    expect(enrolled.status).toBe(201);
    expect(enrolled.json.marketingConsent).toMatchObject({ granted: true, source: "checkout" });
    const untouched = await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body: { name: "C" } });
    expect(untouched.json.marketingConsent).toEqual(enrolled.json.marketingConsent);
    const withdrawn = await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body: { marketingConsent: { granted: false } } });
    expect(withdrawn.json.marketingConsent).toMatchObject({ granted: false, source: "api" });
    const exported = await call(`/v1/members/${memberId}/export`, { key: p.admin });
    expect(exported.json.marketingConsent).toEqual(withdrawn.json.marketingConsent);
    expect((await call(`/v1/members/${memberId}`, { key: p.server })).json.marketingConsent).toEqual(withdrawn.json.marketingConsent);
    expect((await erase(p, memberId)).status).toBe(200);
    expect((await call(`/v1/members/${memberId}/export`, { key: p.admin })).json.marketingConsent).toBeNull();
  });

  it("is null for a member who never said", async () => {
    const memberId = fresh("silent");
    expect((await enroll(p.server, memberId)).marketingConsent).toBeNull();
  });
});
