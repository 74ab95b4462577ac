// Guests' orders, the KPI report (JSON and CSV), cohorts and acquisition costs through the HTTP API.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, redeem, type TestProgram } from "../helpers";
import { addDaysTo, localDay, nextPeriod, periodOf, previousPeriod, type Interval } from "../../src/kpis/calendar";

const EUR = (amount: number) => ({ amount, currency: "EUR" });
const today = () => localDay(new Date(), "UTC");
const guestOrder = (key: string, orderId: string, amount: number, extra: Record<string, unknown> = {}) =>
  call("/v1/orders", { key, body: { customerRef: "guest-a", orderId, amount: EUR(amount), ...extra } });

describe("POST /v1/orders", () => {
  let p: TestProgram;
  beforeAll(async () => {
    p = await createProgram();
  });

  it("records a guest's order that earns nothing, and replays it for the same key", async () => {
    const first = await call("/v1/orders", { key: p.server, idempotencyKey: "guest-1", body: { customerRef: "guest-a", orderId: "g-1", amount: EUR(2500), channel: "store" } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ orderId: "g-1", customerRef: "guest-a", amount: EUR(2500), channel: "store", day: today() });
    const again = await call("/v1/orders", { key: p.server, idempotencyKey: "guest-1", body: { customerRef: "guest-a", orderId: "g-1", amount: EUR(2500), channel: "store" } });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(first.json);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM kpi_orders WHERE program_id = ?").bind(p.programId).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM lots WHERE program_id = ?").bind(p.programId).first<{ n: number }>())!.n).toBe(0);
  });

  it("refuses the same key with another body, and an orderId already recorded", async () => {
    const reused = await call("/v1/orders", { key: p.server, idempotencyKey: "guest-1", body: { customerRef: "guest-a", orderId: "g-1", amount: EUR(99) } });
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe("idempotency_key_reused");
    const twice = await guestOrder(p.server, "g-1", 2500);
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe("order_already_recorded");
    expect((await accrue(p.server, "member-1", 1000, { orderId: "m-1" })).status).toBe(404);
    await enroll(p.server, "member-1");
    expect((await accrue(p.server, "member-1", 1000, { orderId: "m-1" })).status).toBe(201);
    const memberOrder = await guestOrder(p.server, "m-1", 1000);
    expect(memberOrder.status).toBe(409);
    expect(memberOrder.json.code).toBe("order_already_recorded");
  });

  it("never fails a member's accrual or refund over a guest's order of the same id", async () => {
    expect((await guestOrder(p.server, "shared-id", 800)).status).toBe(201);
    expect((await accrue(p.server, "member-1", 5_000, { orderId: "shared-id" })).status).toBe(201);
    const refund = await call("/v1/members/member-1/refunds", { key: p.server, body: { orderId: "shared-id", amount: EUR(5_000) } });
    expect(refund.status).toBe(201);
    const guest = await env.DB.prepare("SELECT customer, amount, refunded_amount AS refunded FROM kpi_orders WHERE program_id = ? AND order_id = 'shared-id'").bind(p.programId).first();
    expect(guest).toEqual({ customer: "g:guest-a", amount: 800, refunded: 0 });
  });

  it.each([
    ["no customerRef", { orderId: "x", amount: EUR(1) }, 400, "validation_failed"],
    ["a zero amount", { customerRef: "c", orderId: "x", amount: EUR(0) }, 400, "validation_failed"],
    ["an unknown field", { customerRef: "c", orderId: "x", amount: EUR(1), points: 5 }, 400, "validation_failed"],
    ["another currency", { customerRef: "c", orderId: "x", amount: { amount: 1, currency: "USD" } }, 422, "currency_mismatch"],
    ["a future occurredAt", { customerRef: "c", orderId: "x", amount: EUR(1), occurredAt: "2999-01-01T00:00:00Z" }, 422, "occurred_in_future"],
    ["an occurredAt before the window", { customerRef: "c", orderId: "x", amount: EUR(1), occurredAt: "2001-01-01T00:00:00Z" }, 422, "occurred_before_window"],
  ])("refuses %s", async (_, body, status, code) => {
    const res = await call("/v1/orders", { key: p.server, body });
    expect(res.status).toBe(status);
    expect(res.json.code).toBe(code);
  });

  it("refunds a guest's order up to its amount, once per refundId, and not a member's order", async () => {
    expect((await guestOrder(p.server, "g-2", 1000)).status).toBe(201);
    const refund = await call("/v1/orders/g-2/refunds", { key: p.server, body: { refundId: "rf-1", amount: EUR(400) } });
    expect(refund.status).toBe(201);
    expect(refund.json).toMatchObject({ orderId: "g-2", refundId: "rf-1", amount: EUR(400), refundedAmount: EUR(400), day: today() });
    const again = await call("/v1/orders/g-2/refunds", { key: p.server, body: { refundId: "rf-1", amount: EUR(100) } });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("refund_already_recorded");
    const tooMuch = await call("/v1/orders/g-2/refunds", { key: p.server, body: { refundId: "rf-2", amount: EUR(601) } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.json.code).toBe("refund_exceeds_order");
    const member = await call("/v1/orders/m-1/refunds", { key: p.server, body: { refundId: "rf-3", amount: EUR(1) } });
    expect(member.status).toBe(404);
    expect(member.json.code).toBe("order_not_found");
    // A partner key is an issuer of its own: the program's order is not its to refund.
    const partner = await call("/v1/orders/g-2/refunds", { key: p.partner, body: { refundId: "rf-4", amount: EUR(1) } });
    expect(partner.status).toBe(404);
  });

  it("takes guests' orders in the bulk endpoint, posting each once", async () => {
    const items = [
      { type: "order", customerRef: "guest-b", orderId: "bulk-g-1", amount: EUR(700) },
      { type: "order", customerRef: "guest-b", orderId: "g-1", amount: EUR(700) },
      { type: "accrual", memberId: "member-1", orderId: "bulk-m-1", amount: EUR(300) },
    ];
    const res = await call("/v1/transactions/batch", { key: p.server, body: { items }, idempotencyKey: null });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["posted", "error", "posted"]);
    expect(res.json.results[0]).toMatchObject({ type: "order", customerRef: "guest-b", result: { orderId: "bulk-g-1", amount: EUR(700) } });
    expect(res.json.results[1].error.code).toBe("order_already_recorded");
    const resent = await call("/v1/transactions/batch", { key: p.server, body: { items }, idempotencyKey: null });
    expect(resent.json.results.map((r: { status: string }) => r.status)).toEqual(["duplicate", "error", "duplicate"]);
  });
});

describe("GET /v1/kpis", () => {
  let p: TestProgram;
  let other: TestProgram;
  const day = today();
  const month = day.slice(0, 7);
  beforeAll(async () => {
    p = await createProgram({ enrollOnAccrual: true, tiers: [{ name: "gold", threshold: 50 }] });
    other = await createProgram({ enrollOnAccrual: true });
    expect((await accrue(p.server, "ada", 10_000, { channel: "store" })).status).toBe(201);
    expect((await accrue(p.server, "ada", 2_000)).status).toBe(201);
    expect((await accrue(p.server, "bob", 4_000)).status).toBe(201);
    expect((await guestOrder(p.server, "k-g-1", 3_000)).status).toBe(201);
    expect((await call("/v1/orders", { key: p.server, body: { customerRef: "guest-z", orderId: "k-g-2", amount: EUR(1_000), channel: "app" } })).status).toBe(201);
    expect((await redeem(p.server, "ada", 30)).status).toBe(201);
    expect((await call("/v1/members/bob/refunds", { key: p.server, body: { orderId: (await env.DB.prepare("SELECT order_id AS o FROM orders WHERE program_id = ? AND member_id = 'bob'").bind(p.programId).first<{ o: string }>())!.o, amount: EUR(1_000) } })).status).toBe(201);
    expect((await call("/v1/orders/k-g-1/refunds", { key: p.server, body: { refundId: "k-r", amount: EUR(500) } })).status).toBe(201);
    expect((await accrue(other.server, "carla", 99_000)).status).toBe(201);
  });

  it("answers members, non-members and everyone side by side for the period", async () => {
    const res = await call(`/v1/kpis?from=${day}&to=${day}&interval=month`, { key: p.admin });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ interval: "month", currency: "EUR", timeZone: "UTC", channel: null, partner: null });
    expect(res.json.periods).toHaveLength(1);
    const k = res.json.periods[0];
    expect(k.period).toBe(month);
    expect(k.orders).toEqual({ members: 3, nonMembers: 2, all: 5 });
    expect(k.revenue).toEqual({ members: 15_000, nonMembers: 3_500, all: 18_500 });
    expect(k.refundedAmount).toEqual({ members: 1_000, nonMembers: 500, all: 1_500 });
    expect(k.customers).toEqual({ members: 2, nonMembers: 2, all: 4 });
    expect(k.newCustomers.all).toBe(4);
    expect(k.repeatPurchaseRate.members).toEqual({ numerator: 1, denominator: 2, basisPoints: 5000 });
    expect(k.purchaseFrequency.members).toEqual({ numerator: 3, denominator: 2, value: 1 });
    expect(k.averageOrderValue.all).toEqual({ numerator: 18_500, denominator: 5, value: 3_700 });
    expect(k.membersRevenueShare).toEqual({ numerator: 15_000, denominator: 18_500, basisPoints: 8108 });
    expect(k.enrollments).toBe(2);
    expect(k.activeMembers).toBe(2);
    expect(k.points).toEqual({ issued: 160, redeemed: 30, expired: 0, clawedBack: 10 });
    expect(k.redemptionRate.basisPoints).toBe(1875);
    expect(k.programCost).toEqual({ redeemedValue: 30, rewards: 0, donations: 0, total: 30 });
    // Nobody bought last month: no retention to speak of, and no lifetime from it.
    expect(k.retentionRate.all).toEqual({ numerator: 0, denominator: 0, basisPoints: null });
    expect(k.customerLifetimeValue.all.value).toBeNull();
    expect(res.json.pointsByRule).toEqual([{ campaignId: null, rule: "base", points: 160 }]);
    expect(res.json.now.liability).toMatchObject({ outstandingPoints: 120, pendingPoints: 0, availablePoints: 120, heldPoints: 0, value: 120, adjustedValue: 120 });
    expect(res.json.now.tiers).toEqual([{ tier: null, members: 1 }, { tier: "gold", members: 1 }]);
  });

  it("filters by channel and partner, leaving customer-based figures null", async () => {
    const store = await call(`/v1/kpis?from=${day}&to=${day}&channel=store`, { key: p.admin });
    expect(store.status).toBe(200);
    expect(store.json.periods[0].orders).toEqual({ members: 1, nonMembers: 0, all: 1 });
    expect(store.json.periods[0].customers).toBeNull();
    expect(store.json.periods[0].retentionRate).toBeNull();
    const partner = await call(`/v1/kpis?from=${day}&to=${day}&partner=${p.partnerId}`, { key: p.admin });
    expect(partner.json.periods[0].orders.all).toBe(0);
    const own = await call(`/v1/kpis?from=${day}&to=${day}&partner=program`, { key: p.admin });
    expect(own.json.periods[0].orders.all).toBe(5);
  });

  it("shows each program only its own orders", async () => {
    const res = await call(`/v1/kpis?from=${day}&to=${day}`, { key: other.admin });
    expect(res.json.periods[0].orders).toEqual({ members: 1, nonMembers: 0, all: 1 });
    expect(res.json.periods[0].revenue.all).toBe(99_000);
  });

  it("answers day and week intervals over whole periods", async () => {
    const days = await call(`/v1/kpis?from=${addDaysTo(day, -2)}&to=${day}&interval=day`, { key: p.admin });
    expect(days.json.periods.map((q: { period: string }) => q.period)).toEqual([addDaysTo(day, -2), addDaysTo(day, -1), day]);
    expect(days.json.periods[2].orders.all).toBe(5);
    const weeks = await call(`/v1/kpis?from=${day}&to=${day}&interval=week`, { key: p.admin });
    expect(weeks.json.periods[0].period).toBe(periodOf(day, "week"));
    expect(weeks.json.from).toBe(periodOf(day, "week"));
  });

  it("writes CSV with a row per period", async () => {
    const res = await call(`/v1/kpis?from=${addDaysTo(day, -1)}&to=${day}&interval=day`, { key: p.admin, headers: { accept: "text/csv" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (res.json as string).trim().split("\r\n");
    expect(lines).toHaveLength(3);
    const header = lines[0]!.split(",");
    const row = lines[2]!.split(",");
    expect(row[header.indexOf("period")]).toBe(day);
    expect(row[header.indexOf("orders_all")]).toBe("5");
    expect(row[header.indexOf("revenue_all")]).toBe("18500");
    expect(row[header.indexOf("members_revenue_share_bp")]).toBe("8108");
  });

  it.each([
    ["from after to", `from=${day}&to=${addDaysTo(day, -1)}`, 400, "validation_failed"],
    ["a malformed date", `from=2026-13-01&to=${day}`, 400, "validation_failed"],
    ["no range", "", 400, "validation_failed"],
    ["an unknown interval", `from=${day}&to=${day}&interval=year`, 400, "validation_failed"],
    ["an unknown channel", `from=${day}&to=${day}&channel=fax`, 400, "validation_failed"],
    ["more than 731 days", `from=${addDaysTo(day, -800)}&to=${day}`, 422, "kpi_range_too_long"],
    ["a segment, until segments exist", `from=${day}&to=${day}&segment=vip`, 422, "segments_not_available"],
  ])("refuses %s", async (_, query, status, code) => {
    const res = await call(`/v1/kpis?${query}`, { key: p.admin });
    expect(res.status).toBe(status);
    expect(res.json.code).toBe(code);
  });

  it("takes acquisition costs per month and channel, and answers CAC and LTV:CAC for the month", async () => {
    const set = await call("/v1/kpis/acquisition-costs", { key: p.admin, body: { month, amount: EUR(5_000) } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ month, channel: "all", amount: EUR(5_000) });
    const replaced = await call("/v1/kpis/acquisition-costs", { key: p.admin, body: { month, amount: EUR(4_000) } });
    expect(replaced.status).toBe(200);
    const list = await call(`/v1/kpis/acquisition-costs?from=${month}&to=${month}`, { key: p.admin });
    expect(list.json.items).toEqual([expect.objectContaining({ month, channel: "all", amount: EUR(4_000) })]);
    const other = await call(`/v1/kpis/acquisition-costs?from=${month}&to=${month}`, { key: p.admin.replace(/.$/, (last) => (last === "0" ? "1" : "0")) });
    expect(other.status).toBe(401);
    const k = (await call(`/v1/kpis?from=${day}&to=${day}`, { key: p.admin })).json.periods[0];
    expect(k.acquisitionCost).toBe(4_000);
    expect(k.customerAcquisitionCost).toEqual({ numerator: 4_000, denominator: 2, value: 2_000 });
    // Nobody churned yet: the lifetime, and with it LTV:CAC, is unknown.
    expect(k.ltvToCac).toEqual({ basisPoints: null });
    const bad = await call("/v1/kpis/acquisition-costs", { key: p.admin, body: { month: "2026-13", amount: EUR(1) } });
    expect(bad.status).toBe(400);
    const currency = await call("/v1/kpis/acquisition-costs", { key: p.admin, body: { month, amount: { amount: 1, currency: "USD" } } });
    expect(currency.status).toBe(422);
  });

  it("gives the cohort matrix by enrolment month", async () => {
    const res = await call(`/v1/kpis/cohorts?by=enrollment_month&from=${month}&to=${month}`, { key: p.admin });
    expect(res.status).toBe(200);
    expect(res.json.throughMonth).toBe(month);
    expect(res.json.cohorts).toEqual([
      expect.objectContaining({
        cohort: month,
        enrolled: 2,
        orders: 3,
        revenue: 15_000,
        months: [{ monthsSinceEnrollment: 0, month, activeMembers: 2, retentionRate: { numerator: 2, denominator: 2, basisPoints: 10000 }, orders: 3, revenue: 15_000 }],
      }),
    ]);
    const bad = await call(`/v1/kpis/cohorts?by=signup&from=${month}&to=${month}`, { key: p.admin });
    expect(bad.status).toBe(400);
    const long = await call(`/v1/kpis/cohorts?from=2020-01&to=2026-01`, { key: p.admin });
    expect(long.status).toBe(422);
  });
});

describe("referral conversions", () => {
  it("counts a rewarded referral as a conversion, and its points credit as no order", async () => {
    const p = await createProgram({ referrals: { enabled: true, referrerPoints: 100, refereePoints: 50, grantOn: { type: "enrollment" } } });
    await enroll(p.server, "rita");
    const code = (await call("/v1/members/rita/referral", { key: p.server })).json.code as string;
    await enroll(p.server, "ada", { referralCode: code });
    // The referral is rewarded by the job (or at once on enrolment): run it so the referrer's object decides.
    await call("/v1/jobs/advance-referrals/run", { key: p.admin, method: "POST" });
    const today = localDay(new Date(), "UTC");
    const report = await call(`/v1/kpis?from=${today}&to=${today}&interval=day`, { key: p.admin });
    expect(report.status, JSON.stringify(report.json)).toBe(200);
    const [period] = report.json.periods;
    expect(period.referralConversions).toBe(1);
    expect(period.points.issued).toBeGreaterThan(0);
    expect(period.orders.all).toBe(0);
    expect(period.activities).toEqual({ total: 0, byType: [] });
    const filtered = await call(`/v1/kpis?from=${today}&to=${today}&interval=day&channel=online`, { key: p.admin });
    expect(filtered.json.periods[0]).toMatchObject({ referralConversions: null, activities: null, surveyResponseRate: null });
  });
});

describe("the calendar", () => {
  it("names periods as the rollup triggers do in SQL", async () => {
    for (let i = 0; i < 60; i++) {
      const day = addDaysTo("2026-12-20", i * 3);
      const sql = await env.DB.prepare(
        "SELECT date(?1, '-6 days', 'weekday 1') AS week, date(?1, '-13 days', 'weekday 1') AS prevWeek, date(?1, '+1 day', 'weekday 1') AS nextWeek, strftime('%Y-%m', ?1, 'start of month', '-1 month') AS prevMonth, strftime('%Y-%m', ?1, 'start of month', '+1 month') AS nextMonth",
      )
        .bind(day)
        .first<Record<string, string>>();
      const week = periodOf(day, "week");
      const month = periodOf(day, "month");
      expect({ week, prevWeek: previousPeriod(week, "week"), nextWeek: nextPeriod(week, "week"), prevMonth: previousPeriod(month, "month"), nextMonth: nextPeriod(month, "month") }).toEqual(sql);
    }
    expect(localDay("2026-03-29T22:30:00Z", "Europe/Berlin")).toBe("2026-03-30");
    expect((["day", "week", "month"] as Interval[]).map((i) => periodOf("2026-03-01", i))).toEqual(["2026-03-01", "2026-02-23", "2026-03"]);
  });

  it("gives UTC days as the time zone database does, without asking it", () => {
    const intl = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
    // Around midnight of days through leap years and the turn of centuries, and instants as strings with offsets.
    for (const start of [Date.UTC(1999, 11, 31), Date.UTC(2024, 1, 28), Date.UTC(2099, 11, 31)]) {
      for (let ms = start - 1000; ms < start + 3 * 86_400_000; ms += 3_599_999) {
        expect(localDay(new Date(ms), "UTC")).toBe(intl.format(new Date(ms)));
      }
    }
    expect(localDay("2026-03-29T23:30:00-02:00", "UTC")).toBe("2026-03-30");
    expect(localDay(new Date(Date.UTC(10_000, 0, 1)), "UTC")).toBe(intl.format(new Date(Date.UTC(10_000, 0, 1))));
  });
});
