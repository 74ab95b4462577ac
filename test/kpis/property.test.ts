// Property: for random small programs (members and guests, orders across days, refunds, redemptions),
// the KPIs the API reads from its rollups equal the same KPIs computed here, naively, from what was sent.
// More runs: FC_RUNS=100 npx vitest run test/kpis/property.test.ts
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, createProgram } from "../helpers";

const TIME_ZONE = "America/New_York";
const RUNS = Number(env.FC_RUNS ?? 12);
const DAY_MS = 86_400_000;

const localDayOf = (instant: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant));

type Interval = "day" | "week" | "month";

/** Period keys written out from the calendar, independently of src/kpis/calendar.ts. */
function periodKey(day: string, interval: Interval): string {
  if (interval === "day") return day;
  if (interval === "month") return day.slice(0, 7);
  const d = new Date(`${day}T12:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY_MS).toISOString().slice(0, 10);
}

const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("order" as const),
      customer: fc.integer({ min: 0, max: 5 }),
      amount: fc.integer({ min: 100, max: 9000 }),
      daysBack: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 70 })),
      channel: fc.constantFrom("online", "store"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refund" as const), order: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("redeem" as const), customer: fc.integer({ min: 0, max: 2 }), points: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("enroll" as const), customer: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("claim" as const), customer: fc.integer({ min: 0, max: 2 }), donation: fc.boolean(), cancel: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("activity" as const), customer: fc.integer({ min: 0, max: 2 }), type: fc.constantFrom("review", "survey"), moderated: fc.constantFrom("no", "confirm", "reject") }),
  },
);

/** The rewards every program of the property offers: a fixed discount and a donation, 5 points each. */
const REWARD_POINTS = 5;
const DONATION_AMOUNT = 250;
const REDEMPTION_VALUE = { points: 3, amount: 2 };

/** Customers 0-2 are members, 3-5 guests. */
const isMember = (customer: number) => customer < 3;
const name = (customer: number) => (isMember(customer) ? `m${customer}` : `guest-${customer}`);

interface SentOrder {
  customer: number;
  orderId: string;
  amount: number;
  refunded: number;
  day: string;
  points: number;
}

describe("KPIs from rollups", () => {
  it("equal the KPIs computed from the raw facts, for random small programs", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), fc.constantFrom<Interval>("day", "week", "month"), async (ops, interval) => {
        run++;
        const p = await createProgram({ timeZone: TIME_ZONE, enrollOnAccrual: true, redemptionValue: REDEMPTION_VALUE });
        const cause = await call("/v1/causes", { key: p.admin, body: { name: "Trees" } });
        const discount = await call("/v1/rewards", { key: p.admin, body: { name: "3 off", type: "fixed_discount", costPoints: REWARD_POINTS, value: { amount: 300, currency: "EUR" } } });
        const donation = await call("/v1/rewards", {
          key: p.admin,
          body: { name: "A tree", type: "donation", costPoints: REWARD_POINTS, value: { amount: DONATION_AMOUNT, currency: "EUR" }, causeId: cause.json.id },
        });
        expect([cause.status, discount.status, donation.status], JSON.stringify(donation.json)).toEqual([201, 201, 201]);
        let rewardPoints = 0;
        let donations = 0;
        const activities: { type: string }[] = [];
        const now = Date.now();
        const today = localDayOf(now);
        const orders: SentOrder[] = [];
        const refunds: { customer: number; amount: number; day: string }[] = [];
        const redemptions: { customer: number; points: number; day: string }[] = [];
        const enrolledOn = new Map<number, string>();
        let n = 0;
        for (const op of ops) {
          if (op.op === "order") {
            const orderId = `r${run}-o${++n}`;
            const occurred = now - op.daysBack * DAY_MS - (op.daysBack ? 3_600_000 * (n % 20) : 0);
            const occurredAt = new Date(occurred).toISOString();
            const amount = { amount: op.amount, currency: "EUR" };
            const res = isMember(op.customer)
              ? await call(`/v1/members/${name(op.customer)}/accruals`, { key: p.server, body: { orderId, amount, channel: op.channel, occurredAt } })
              : await call("/v1/orders", { key: p.server, body: { customerRef: name(op.customer), orderId, amount, channel: op.channel, occurredAt } });
            expect(res.status, JSON.stringify(res.json)).toBe(201);
            if (isMember(op.customer) && !enrolledOn.has(op.customer)) enrolledOn.set(op.customer, today);
            orders.push({ customer: op.customer, orderId, amount: op.amount, refunded: 0, day: localDayOf(occurred), points: isMember(op.customer) ? res.json.points : 0 });
          } else if (op.op === "refund") {
            if (orders.length === 0) continue;
            const order = orders[op.order % orders.length]!;
            const left = order.amount - order.refunded;
            if (left === 0) continue;
            const amount = Math.max(1, Math.floor((left * op.part) / 100));
            const body = { amount: { amount, currency: "EUR" } };
            const res = isMember(order.customer)
              ? await call(`/v1/members/${name(order.customer)}/refunds`, { key: p.server, body: { orderId: order.orderId, ...body } })
              : await call(`/v1/orders/${order.orderId}/refunds`, { key: p.server, body: { refundId: `rf${++n}`, ...body } });
            expect(res.status, JSON.stringify(res.json)).toBe(201);
            order.refunded += amount;
            refunds.push({ customer: order.customer, amount, day: today });
          } else if (op.op === "redeem") {
            const res = await call(`/v1/members/${name(op.customer)}/redemptions`, { key: p.server, body: { points: op.points } });
            if (res.status === 201) redemptions.push({ customer: op.customer, points: op.points, day: today });
          } else if (op.op === "claim") {
            const rewardId = (op.donation ? donation : discount).json.id;
            const res = await call(`/v1/members/${name(op.customer)}/rewards/${rewardId}/claims`, { method: "POST", key: p.server });
            if (res.status !== 201) continue;
            redemptions.push({ customer: op.customer, points: REWARD_POINTS, day: today });
            if (op.donation) donations++;
            else if (op.cancel) {
              const cancelled = await call(`/v1/coupons/${res.json.coupon.code}/cancel`, { method: "POST", key: p.server });
              expect(cancelled.status, JSON.stringify(cancelled.json)).toBe(200);
              redemptions.push({ customer: op.customer, points: -REWARD_POINTS, day: today });
            } else rewardPoints += REWARD_POINTS;
          } else if (op.op === "activity") {
            const posted = await call(`/v1/members/${name(op.customer)}/activities`, {
              key: p.server,
              body: { type: op.type, reference: `r${run}-a${++n}`, ...(op.moderated === "no" ? {} : { status: "pending" }) },
            });
            if (posted.status !== 201) continue;
            if (op.moderated !== "no") {
              const settled = await call(`/v1/members/${name(op.customer)}/activities/${posted.json.id}/${op.moderated}`, { method: "POST", key: p.server });
              expect(settled.status, JSON.stringify(settled.json)).toBe(200);
            }
            if (op.moderated !== "reject") activities.push({ type: op.type });
          } else {
            const res = await call(`/v1/members/${name(op.customer)}`, { method: "PUT", key: p.server, body: {} });
            expect([200, 201]).toContain(res.status);
            if (res.status === 201) enrolledOn.set(op.customer, today);
          }
        }

        const from = localDayOf(now - 75 * DAY_MS);
        const report = await call(`/v1/kpis?from=${from}&to=${today}&interval=${interval}`, { key: p.admin });
        expect(report.status, JSON.stringify(report.json)).toBe(200);

        // ---- the naive computation, from the facts sent
        const periods: { period: string }[] = report.json.periods;
        const keys = periods.map((q) => q.period);
        const groups = { members: (c: number) => isMember(c), nonMembers: (c: number) => !isMember(c), all: () => true } as const;
        const firstDay = new Map<number, string>();
        for (const o of orders) if (!firstDay.has(o.customer) || o.day < firstDay.get(o.customer)!) firstDay.set(o.customer, o.day);
        const buyersIn = (key: string) => new Set(orders.filter((o) => periodKey(o.day, interval) === key).map((o) => o.customer));
        const previousKey = (key: string) => {
          const i = keys.indexOf(key);
          if (i > 0) return keys[i - 1]!;
          // The period before the first: step back one day from its first day.
          const first = periods[0] as unknown as { from: string };
          return periodKey(new Date(Date.parse(`${first.from}T12:00:00Z`) - DAY_MS).toISOString().slice(0, 10), interval);
        };
        for (const period of periods as any[]) {
          const key = period.period;
          for (const [g, inGroup] of Object.entries(groups)) {
            const mine = orders.filter((o) => inGroup(o.customer) && periodKey(o.day, interval) === key);
            const refunded = refunds.filter((r) => inGroup(r.customer) && periodKey(r.day, interval) === key).reduce((s, r) => s + r.amount, 0);
            const buyers = [...buyersIn(key)].filter(inGroup);
            const before = [...buyersIn(previousKey(key))].filter(inGroup);
            const retained = buyers.filter((c) => before.includes(c));
            const fresh = buyers.filter((c) => periodKey(firstDay.get(c)!, interval) === key);
            const repeaters = buyers.filter((c) => mine.filter((o) => o.customer === c).length >= 2);
            const revenue = mine.reduce((s, o) => s + o.amount, 0) - refunded;
            expect(period.orders[g], `${key} ${g} orders`).toBe(mine.length);
            expect(period.revenue[g], `${key} ${g} revenue`).toBe(revenue);
            expect(period.customers[g], `${key} ${g} customers`).toBe(buyers.length);
            expect(period.retentionRate[g], `${key} ${g} retention`).toMatchObject({ numerator: retained.length, denominator: before.length });
            expect(period.simpleRetentionRate[g], `${key} ${g} simple retention`).toMatchObject({ numerator: buyers.length - fresh.length, denominator: buyers.length });
            expect(period.repeatPurchaseRate[g].numerator, `${key} ${g} repeaters`).toBe(repeaters.length);
            expect(period.averageOrderValue[g], `${key} ${g} aov`).toMatchObject({ numerator: revenue, denominator: mine.length });
          }
          const active = new Set([
            ...orders.filter((o) => isMember(o.customer) && periodKey(o.day, interval) === key).map((o) => o.customer),
            ...redemptions.filter((r) => periodKey(r.day, interval) === key).map((r) => r.customer),
          ]);
          expect(period.activeMembers, `${key} active members`).toBe(active.size);
          expect(period.enrollments, `${key} enrollments`).toBe([...enrolledOn.values()].filter((d) => periodKey(d, interval) === key).length);
          expect(period.points.issued, `${key} issued`).toBe(orders.filter((o) => periodKey(o.day, interval) === key).reduce((s, o) => s + o.points, 0));
          expect(period.points.redeemed, `${key} redeemed`).toBe(redemptions.filter((r) => periodKey(r.day, interval) === key).reduce((s, r) => s + r.points, 0));
        }
        // Claims, donations and activities all happen today: in the last period.
        const last = (periods as any[]).at(-1);
        const valueOf = (points: number) => Math.floor((points * REDEMPTION_VALUE.amount) / REDEMPTION_VALUE.points);
        const plainPoints = redemptions.filter((r) => periodKey(r.day, interval) === last.period).reduce((s, r) => s + r.points, 0) - rewardPoints - donations * REWARD_POINTS;
        expect(last.programCost, "program cost").toEqual({
          redeemedValue: valueOf(plainPoints),
          rewards: valueOf(rewardPoints),
          donations: donations * DONATION_AMOUNT,
          total: valueOf(plainPoints) + valueOf(rewardPoints) + donations * DONATION_AMOUNT,
        });
        const ofType = (type: string) => activities.filter((a) => a.type === type).length;
        expect(last.activities, "activities").toEqual({
          total: activities.length,
          byType: ["review", "survey"].filter((t) => ofType(t) > 0).map((type) => ({ type, count: ofType(type) })),
        });
        expect(last.surveyResponseRate, "survey response rate").toMatchObject({ numerator: ofType("survey"), denominator: last.activeMembers });
        // Every order and refund lies inside the range asked for, so the periods add up to all of them.
        const total = (periods as any[]).reduce((s, q) => s + q.revenue.all, 0);
        expect(total).toBe(orders.reduce((s, o) => s + o.amount - o.refunded, 0));
      }),
      { numRuns: RUNS },
    );
  });
});
