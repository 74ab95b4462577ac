// The KPIs from rollup rows, as plain functions: rows in, figures out. Ratios are exact fractions
// with a floored integer beside them (basis points for rates, minor units or counts for quotients).
import { lotExpiresAt } from "../ledger/expiry";
import type { ProgramSettings } from "../ledger/settings";
import { addMonths, nextPeriod, periodDays, periodOf, previousPeriod, type Interval } from "./calendar";

export interface Rate {
  numerator: number;
  denominator: number;
  /** floor(numerator x 10000 / denominator); null when the denominator is 0. */
  basisPoints: number | null;
}

export interface Quotient {
  numerator: number;
  denominator: number;
  /** floor(numerator / denominator); null when the denominator is 0. */
  value: number | null;
}

export interface Split<T> {
  members: T;
  nonMembers: T;
  all: T;
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return (n % d !== 0n && (n < 0n) !== (d < 0n)) ? q - 1n : q;
}

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, basisPoints: denominator === 0 ? null : Number(floorDiv(BigInt(numerator) * 10000n, BigInt(denominator))) };
}

export function quotient(numerator: number, denominator: number): Quotient {
  return { numerator, denominator, value: denominator === 0 ? null : Number(floorDiv(BigInt(numerator), BigInt(denominator))) };
}

/** The rollup figures of one day and member flag, summed over the channels and partners asked for. */
export interface DayFigures {
  day: string;
  isMember: boolean;
  orders: number;
  revenue: number;
  refunds: number;
  refundedAmount: number;
  newCustomers: number;
  enrollments: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsClawedBack: number;
  tierMoves: number;
  rewardPoints: number;
  donationPoints: number;
  donationAmount: number;
}

/** A count of a day that has no channel: 'referral_conversions', 'activity:<type>'. */
export interface DayCount {
  day: string;
  name: string;
  value: number;
}

/** The activity type whose count, over active members, is the survey response rate. */
export const SURVEY_ACTIVITY = "survey";

export interface PeriodCount {
  kind: "buy" | "active";
  period: string;
  isMember: boolean;
  customers: number;
  retained: number;
  repeaters: number;
}

export interface AcquisitionCost {
  month: string;
  channel: string;
  amount: number;
}

type Sums = Omit<DayFigures, "day" | "isMember">;
const ZERO: Sums = { orders: 0, revenue: 0, refunds: 0, refundedAmount: 0, newCustomers: 0, enrollments: 0, pointsIssued: 0, pointsRedeemed: 0, pointsExpired: 0, pointsClawedBack: 0, tierMoves: 0, rewardPoints: 0, donationPoints: 0, donationAmount: 0 };

function add(a: Sums, b: Sums): Sums {
  const out = { ...a };
  for (const key of Object.keys(ZERO) as (keyof Sums)[]) out[key] += b[key];
  return out;
}

function split<T>(members: T, nonMembers: T, all: T): Split<T> {
  return { members, nonMembers, all };
}

export interface KpiPeriod {
  period: string;
  from: string;
  to: string;
  orders: Split<number>;
  grossRevenue: Split<number>;
  refundedAmount: Split<number>;
  revenue: Split<number>;
  refunds: Split<number>;
  newCustomers: Split<number>;
  customers: Split<number> | null;
  returningCustomers: Split<number> | null;
  retentionRate: Split<Rate> | null;
  simpleRetentionRate: Split<Rate> | null;
  repeatPurchaseRate: Split<Rate> | null;
  purchaseFrequency: Split<Quotient> | null;
  averageOrderValue: Split<Quotient>;
  membersRevenueShare: Rate;
  customerLifetimeValue: Split<Clv> | null;
  acquisitionCost: number | null;
  customerAcquisitionCost: Quotient | null;
  ltvToCac: { basisPoints: number | null } | null;
  enrollments: number;
  activeMembers: number | null;
  tierMoves: number;
  points: { issued: number; redeemed: number; expired: number; clawedBack: number };
  redemptionRate: Rate;
  breakageRate: Rate;
  programCost: { redeemedValue: number; rewards: number; donations: number; total: number };
  membersIncrementalRevenue: number | null;
  /** null with a channel or partner filter: referrals and activities belong to no channel. */
  referralConversions: number | null;
  activities: { total: number; byType: { type: string; count: number }[] } | null;
  surveyResponseRate: Rate | null;
}

export interface Clv {
  /** Revenue per customer in the period: AOV x purchase frequency. */
  revenuePerCustomer: Quotient;
  /** Expected lifetime in periods: 1 / churn, churn = 1 - retention. */
  expectedLifetime: Quotient;
  /** floor(revenue per customer x expected lifetime); null when churn is 0 or a count is 0. */
  value: number | null;
}

function clv(revenue: number, customers: number, previous: number, retained: number): Clv {
  const churned = previous - retained;
  const value = customers === 0 || churned <= 0 ? null : Number(floorDiv(BigInt(revenue) * BigInt(previous), BigInt(customers) * BigInt(churned)));
  return { revenuePerCustomer: quotient(revenue, customers), expectedLifetime: quotient(previous, churned), value };
}

export interface KpiInputs {
  interval: Interval;
  periods: string[];
  days: DayFigures[];
  /** Counts of every period asked for and the one before the first; null when a channel or partner filter makes them unknown. */
  counts: PeriodCount[] | null;
  costs: AcquisitionCost[];
  /** The channel asked for, if any: only its acquisition costs count. */
  channel: string | null;
  redemptionValue: ProgramSettings["redemptionValue"];
  /** Referral conversions and activities per day; null when a channel or partner filter makes them unknown. */
  dayCounts: DayCount[] | null;
}

/** Every KPI of every period asked for, from the rollup rows alone. */
export function computeKpis(input: KpiInputs): KpiPeriod[] {
  const sums = new Map<string, { m: Sums; n: Sums }>();
  for (const p of input.periods) sums.set(p, { m: { ...ZERO }, n: { ...ZERO } });
  for (const row of input.days) {
    const bucket = sums.get(periodOf(row.day, input.interval));
    if (!bucket) continue;
    if (row.isMember) bucket.m = add(bucket.m, row);
    else bucket.n = add(bucket.n, row);
  }
  const named = new Map<string, Map<string, number>>();
  for (const c of input.dayCounts ?? []) {
    const period = periodOf(c.day, input.interval);
    const byName = named.get(period) ?? new Map<string, number>();
    byName.set(c.name, (byName.get(c.name) ?? 0) + c.value);
    named.set(period, byName);
  }
  const counts = new Map((input.counts ?? []).map((c) => [`${c.kind} ${c.period} ${c.isMember}`, c]));
  const count = (kind: PeriodCount["kind"], period: string, isMember: boolean) => counts.get(`${kind} ${period} ${isMember}`) ?? { customers: 0, retained: 0, repeaters: 0 };
  return input.periods.map((period) => {
    const { m, n } = sums.get(period)!;
    const all = add(m, n);
    const net = (s: Sums) => s.revenue - s.refundedAmount;
    const revenue = split(net(m), net(n), net(all));
    const orders = split(m.orders, n.orders, all.orders);
    const known = input.counts !== null;
    const prev = previousPeriod(period, input.interval);
    const cm = count("buy", period, true);
    const cn = count("buy", period, false);
    const pm = count("buy", prev, true);
    const pn = count("buy", prev, false);
    const customers = split(cm.customers, cn.customers, cm.customers + cn.customers);
    const previous = split(pm.customers, pn.customers, pm.customers + pn.customers);
    const retained = split(cm.retained, cn.retained, cm.retained + cn.retained);
    const repeaters = split(cm.repeaters, cn.repeaters, cm.repeaters + cn.repeaters);
    const newCustomers = split(m.newCustomers, n.newCustomers, all.newCustomers);
    const returning = split(customers.members - newCustomers.members, customers.nonMembers - newCustomers.nonMembers, customers.all - newCustomers.all);
    const each = <T>(f: (g: keyof Split<number>) => T): Split<T> => split(f("members"), f("nonMembers"), f("all"));
    const clvs = each((g) => clv(revenue[g], customers[g], previous[g], retained[g]));

    const month = input.interval === "month";
    const cost = month ? input.costs.filter((c) => c.month === period && (input.channel === null || c.channel === input.channel)).reduce((s, c) => s + c.amount, 0) : null;
    const hasCost = month && input.costs.some((c) => c.month === period && (input.channel === null || c.channel === input.channel));
    const cac = hasCost ? quotient(cost!, all.enrollments) : null;
    let ltvToCac: { basisPoints: number | null } | null = null;
    if (hasCost && known) {
      const churned = previous.members - retained.members;
      const ok = customers.members > 0 && churned > 0 && cost! > 0;
      ltvToCac = {
        basisPoints: ok
          ? Number(floorDiv(BigInt(revenue.members) * BigInt(previous.members) * BigInt(all.enrollments) * 10000n, BigInt(customers.members) * BigInt(churned) * BigInt(cost!)))
          : null,
      };
    }
    const points = { issued: all.pointsIssued, redeemed: all.pointsRedeemed, expired: all.pointsExpired, clawedBack: all.pointsClawedBack };
    const valueOf = (p: number) => Number(floorDiv(BigInt(p) * BigInt(input.redemptionValue.amount), BigInt(input.redemptionValue.points)));
    // Points spent on rewards and donations are valued apart: rewards at the redemption value, donations at what the cause gets.
    const redeemedValue = valueOf(points.redeemed - all.rewardPoints - all.donationPoints);
    const rewardsValue = valueOf(all.rewardPoints);
    const periodCounts = named.get(period) ?? new Map<string, number>();
    const activityTypes = [...periodCounts].filter(([name]) => name.startsWith("activity:")).map(([name, count]) => ({ type: name.slice(9), count })).sort((a, b) => a.type.localeCompare(b.type));
    const activeMembers = known ? count("active", period, true).customers : null;
    const incremental =
      known && customers.nonMembers > 0 ? revenue.members - Number(floorDiv(BigInt(revenue.nonMembers) * BigInt(customers.members), BigInt(customers.nonMembers))) : null;
    const days = periodDays(period, input.interval);
    return {
      period,
      from: days.from,
      to: days.to,
      orders,
      grossRevenue: split(m.revenue, n.revenue, all.revenue),
      refundedAmount: split(m.refundedAmount, n.refundedAmount, all.refundedAmount),
      revenue,
      refunds: split(m.refunds, n.refunds, all.refunds),
      newCustomers,
      customers: known ? customers : null,
      returningCustomers: known ? returning : null,
      retentionRate: known ? each((g) => rate(retained[g], previous[g])) : null,
      simpleRetentionRate: known ? each((g) => rate(returning[g], customers[g])) : null,
      repeatPurchaseRate: known ? each((g) => rate(repeaters[g], customers[g])) : null,
      purchaseFrequency: known ? each((g) => quotient(orders[g], customers[g])) : null,
      averageOrderValue: each((g) => quotient(revenue[g], orders[g])),
      membersRevenueShare: rate(revenue.members, revenue.all),
      customerLifetimeValue: known ? clvs : null,
      acquisitionCost: hasCost ? cost : null,
      customerAcquisitionCost: cac,
      ltvToCac,
      enrollments: all.enrollments,
      activeMembers,
      tierMoves: all.tierMoves,
      points,
      redemptionRate: rate(points.redeemed, points.issued),
      breakageRate: rate(points.expired, points.issued),
      programCost: { redeemedValue, rewards: rewardsValue, donations: all.donationAmount, total: redeemedValue + rewardsValue + all.donationAmount },
      membersIncrementalRevenue: incremental,
      referralConversions: input.dayCounts === null ? null : (periodCounts.get("referral_conversions") ?? 0),
      activities: input.dayCounts === null ? null : { total: activityTypes.reduce((s, a) => s + a.count, 0), byType: activityTypes },
      surveyResponseRate: input.dayCounts === null || activeMembers === null ? null : rate(periodCounts.get(`activity:${SURVEY_ACTIVITY}`) ?? 0, activeMembers),
    };
  });
}

export interface EarnCohort {
  earnMonth: string;
  issued: number;
  expired: number;
}

export interface Liability {
  outstandingPoints: number;
  availablePoints: number;
  pendingPoints: number;
  heldPoints: number;
  /** The money value of the outstanding points at the program's redemption value (floored). */
  value: number;
  /** Expired over issued, over the earn months whose every point is past its expiry date. */
  expectedBreakageRate: Rate;
  maturedEarnMonths: number;
  /** value x (1 - expected breakage), floored: what finance books as the liability (IFRS 15 B46). */
  adjustedValue: number;
}

/**
 * The liability now. An earn month has matured when a point earned on its
 * last instant would have expired by now: its expired share is final. Only
 * policies that date lots (rolling, period_end) mature months.
 */
export function liability(input: {
  lotPoints: number;
  heldPoints: number;
  pendingPoints: number;
  earnCohorts: EarnCohort[];
  settings: Pick<ProgramSettings, "expiry" | "redemptionValue">;
  now: Date;
}): Liability {
  const { lotPoints, heldPoints, pendingPoints, settings, now } = input;
  const outstanding = lotPoints + heldPoints;
  const value = Number(floorDiv(BigInt(outstanding) * BigInt(settings.redemptionValue.amount), BigInt(settings.redemptionValue.points)));
  let issued = 0;
  let expired = 0;
  let matured = 0;
  for (const c of input.earnCohorts) {
    const lastInstant = new Date(Date.parse(`${addMonths(c.earnMonth, 1)}-01T00:00:00Z`) + 14 * 3600 * 1000 - 1);
    const expiresAt = lotExpiresAt(settings.expiry, lastInstant);
    if (!expiresAt || expiresAt.getTime() > now.getTime()) continue;
    issued += c.issued;
    expired += c.expired;
    matured++;
  }
  const breakage = rate(expired, issued);
  const adjustedValue = issued === 0 ? value : Number(floorDiv(BigInt(value) * BigInt(issued - expired), BigInt(issued)));
  return {
    outstandingPoints: outstanding,
    availablePoints: lotPoints - pendingPoints,
    pendingPoints,
    heldPoints,
    value,
    expectedBreakageRate: breakage,
    maturedEarnMonths: matured,
    adjustedValue,
  };
}

export interface CohortRow {
  cohort: string;
  month: string;
  enrolled: number;
  active: number;
  orders: number;
  revenue: number;
}

export interface CohortView {
  cohort: string;
  enrolled: number;
  orders: number;
  revenue: number;
  months: { monthsSinceEnrollment: number; month: string; activeMembers: number; retentionRate: Rate; orders: number; revenue: number }[];
  averageOrderValue: Quotient;
  /** Month-over-month retention of active members, pooled over the cohort's months. */
  monthlyRetention: Rate;
  /** AOV x orders per active member-month x expected lifetime in months (1 / (1 - monthly retention)), floored. */
  customerLifetimeValue: number | null;
}

/** The retention matrix: a cohort per enrolment month, a column per month since, through `lastMonth`. */
export function cohortMatrix(rows: CohortRow[], cohorts: string[], lastMonth: string): CohortView[] {
  return cohorts.map((cohort) => {
    const own = rows.filter((r) => r.cohort === cohort);
    const enrolled = own.find((r) => r.month === cohort)?.enrolled ?? 0;
    const months: CohortView["months"] = [];
    for (let k = 0, month = cohort; month <= lastMonth; k++, month = nextPeriod(month, "month")) {
      const row = own.find((r) => r.month === month);
      const active = row?.active ?? 0;
      months.push({ monthsSinceEnrollment: k, month, activeMembers: active, retentionRate: rate(active, enrolled), orders: row?.orders ?? 0, revenue: row?.revenue ?? 0 });
    }
    const orders = months.reduce((s, m) => s + m.orders, 0);
    const revenue = months.reduce((s, m) => s + m.revenue, 0);
    const activeMonths = months.reduce((s, m) => s + m.activeMembers, 0);
    const stayed = months.slice(1).reduce((s, m) => s + m.activeMembers, 0);
    const before = months.slice(0, -1).reduce((s, m) => s + m.activeMembers, 0);
    const churned = before - stayed;
    const value = activeMonths === 0 || churned <= 0 ? null : Number(floorDiv(BigInt(revenue) * BigInt(before), BigInt(activeMonths) * BigInt(churned)));
    return { cohort, enrolled, orders, revenue, months, averageOrderValue: quotient(revenue, orders), monthlyRetention: rate(stayed, before), customerLifetimeValue: value };
  });
}


