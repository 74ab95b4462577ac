// The KPI report and the cohort matrix: which rollup rows to read for a request, and the figures from them.
import type { Database } from "../db/client";
import type { ProgramSettings } from "../ledger/settings";
import { csvLine } from "../lib/csv";
import { addMonths, daysBetween, localMonth, periodDays, periodsCovering, previousPeriod, type Interval } from "./calendar";
import { cohortMatrix, computeKpis, liability, type KpiPeriod, type Rate } from "./compute";
import { foldBeforeReading, pendingCount } from "./fold";
import { readCohorts, readCosts, readDayCounts, readDays, readNow, readPartnerPoints, readPeriodCounts, readRulePoints, type KpiFilter } from "./queries";

export const MAX_RANGE_DAYS = 731;
export const MAX_COHORTS = 36;

export interface KpiRequest {
  from: string;
  to: string;
  interval: Interval;
  channel: string | null;
  /** A partner id, 'program' for the program's own, null for all. */
  partner: string | null;
}

export const NOTES = [
  "Customer-based figures (customers, retention, repeat rate, frequency, CLV, active members) are not split by channel or partner: with either filter they are null.",
  "Revenue is net of refunds, a refund counting on the day it was recorded; orders and customers count orders as placed.",
  "Acquisition costs are entered per month: CAC and LTV:CAC are given for monthly intervals only.",
  "Program cost values points redeemed and points spent on catalog rewards at the program's current redemption value, and donations at the money passed on to their causes.",
  "Referral conversions, activities and the survey response rate belong to no channel or partner: with either filter they are null.",
];

export type KpiReport = Awaited<ReturnType<typeof kpiReport>>;

/** Folds the program's pending changes so the figures read next are exact; how many are still not in them. */
async function unfoldedAfterFolding(db: Database, programId: string, now: Date): Promise<number> {
  return (await foldBeforeReading(db, programId, now)) ? 0 : pendingCount(db, programId);
}

export async function kpiReport(db: Database, programId: string, settings: ProgramSettings, request: KpiRequest, now: Date) {
  const periods = periodsCovering(request.from, request.to, request.interval);
  const from = periodDays(periods[0]!, request.interval).from;
  const to = periodDays(periods.at(-1)!, request.interval).to;
  const filter: KpiFilter = { channel: request.channel, partnerId: request.partner === null ? null : request.partner === "program" ? "" : request.partner };
  const filtered = filter.channel !== null || filter.partnerId !== null;
  const pendingChanges = await unfoldedAfterFolding(db, programId, now);
  const [days, counts, costs, rules, partners, current, dayCounts] = await Promise.all([
    readDays(db, programId, from, to, filter),
    filtered ? Promise.resolve(null) : readPeriodCounts(db, programId, request.interval, previousPeriod(periods[0]!, request.interval), periods.at(-1)!),
    readCosts(db, programId, from.slice(0, 7), to.slice(0, 7)),
    readRulePoints(db, programId, from, to, filter.partnerId),
    readPartnerPoints(db, programId, from, to, filter),
    readNow(db, programId, now.toISOString()),
    filtered ? Promise.resolve(null) : readDayCounts(db, programId, from, to),
  ]);
  const total = (name: string) => Number(current.totals.find((t) => t.name === name)?.value ?? 0);
  const computed = computeKpis({
    interval: request.interval,
    periods,
    days,
    counts,
    costs: costs.map((c) => ({ ...c, channel: c.channel })),
    channel: request.channel === null ? null : request.channel,
    redemptionValue: settings.redemptionValue,
    dayCounts,
  });
  return {
    from,
    to,
    interval: request.interval,
    currency: settings.currency,
    timeZone: settings.timeZone,
    channel: request.channel,
    partner: request.partner,
    periods: computed,
    pointsByRule: rules.map((r) => ({ campaignId: r.campaignId || null, rule: r.rule, points: Number(r.points) })),
    byPartner: partners.map((p) => ({
      partnerId: p.partnerId || null,
      orders: Number(p.orders),
      revenue: Number(p.revenue),
      pointsIssued: Number(p.issued),
      pointsRedeemed: Number(p.redeemed),
      pointsExpired: Number(p.expired),
      pointsClawedBack: Number(p.clawedBack),
    })),
    now: {
      liability: liability({ lotPoints: total("lot_points"), heldPoints: total("held_points"), pendingPoints: current.pendingPoints, earnCohorts: current.earnCohorts, settings, now }),
      tiers: current.totals
        .filter((t) => t.name.startsWith("tier:") && Number(t.value) !== 0)
        .map((t) => ({ tier: t.name.slice(5) || null, members: Number(t.value) }))
        .sort((a, b) => (a.tier ?? "").localeCompare(b.tier ?? "")),
    },
    notes: NOTES,
    pendingChanges,
  };
}

/** Whether a range is short enough to answer: the cost follows the days. */
export function rangeDays(from: string, to: string): number {
  return daysBetween(from, to) + 1;
}

export async function cohortReport(db: Database, programId: string, settings: ProgramSettings, range: { from: string; to: string }, now: Date) {
  const throughMonth = localMonth(now, settings.timeZone);
  const cohorts: string[] = [];
  for (let m = range.from; m <= range.to && m <= throughMonth; m = addMonths(m, 1)) cohorts.push(m);
  const pendingChanges = await unfoldedAfterFolding(db, programId, now);
  const rows = cohorts.length ? await readCohorts(db, programId, cohorts[0]!, cohorts.at(-1)!) : [];
  return { by: "enrollment_month" as const, throughMonth, cohorts: cohortMatrix(rows, cohorts, throughMonth), pendingChanges };
}

export function monthsInRange(from: string, to: string): number {
  let n = 0;
  for (let m = from; m <= to; m = addMonths(m, 1)) n++;
  return n;
}

const bp = (r: Rate | null | undefined) => r?.basisPoints ?? null;

/** The report as CSV: a row per period, the same figures as the JSON (rates in basis points, quotients floored). */
export function kpiCsv(report: { periods: KpiPeriod[] }): string {
  const header = [
    "period", "from", "to",
    "orders_members", "orders_non_members", "orders_all",
    "revenue_members", "revenue_non_members", "revenue_all", "refunded_amount_all",
    "customers_members", "customers_non_members", "customers_all", "new_customers_all", "returning_customers_all",
    "retention_bp_members", "retention_bp_non_members", "retention_bp_all",
    "simple_retention_bp_members", "simple_retention_bp_non_members", "simple_retention_bp_all",
    "repeat_purchase_bp_members", "repeat_purchase_bp_non_members", "repeat_purchase_bp_all",
    "frequency_milli_members", "frequency_milli_non_members", "frequency_milli_all",
    "aov_members", "aov_non_members", "aov_all", "members_revenue_share_bp",
    "clv_members", "clv_non_members", "clv_all", "acquisition_cost", "cac", "ltv_to_cac_bp",
    "enrollments", "active_members", "tier_moves",
    "points_issued", "points_redeemed", "points_expired", "points_clawed_back", "redemption_rate_bp", "breakage_rate_bp",
    "program_cost", "program_cost_rewards", "program_cost_donations", "members_incremental_revenue", "referral_conversions", "activities", "survey_response_bp",
  ];
  const milli = (q: { numerator: number; denominator: number } | undefined) => (q && q.denominator !== 0 ? Math.floor((q.numerator * 1000) / q.denominator) : null);
  const lines = report.periods.map((p) =>
    csvLine([
      p.period, p.from, p.to,
      p.orders.members, p.orders.nonMembers, p.orders.all,
      p.revenue.members, p.revenue.nonMembers, p.revenue.all, p.refundedAmount.all,
      p.customers?.members, p.customers?.nonMembers, p.customers?.all, p.newCustomers.all, p.returningCustomers?.all,
      bp(p.retentionRate?.members), bp(p.retentionRate?.nonMembers), bp(p.retentionRate?.all),
      bp(p.simpleRetentionRate?.members), bp(p.simpleRetentionRate?.nonMembers), bp(p.simpleRetentionRate?.all),
      bp(p.repeatPurchaseRate?.members), bp(p.repeatPurchaseRate?.nonMembers), bp(p.repeatPurchaseRate?.all),
      milli(p.purchaseFrequency?.members), milli(p.purchaseFrequency?.nonMembers), milli(p.purchaseFrequency?.all),
      p.averageOrderValue.members.value, p.averageOrderValue.nonMembers.value, p.averageOrderValue.all.value, bp(p.membersRevenueShare),
      p.customerLifetimeValue?.members.value, p.customerLifetimeValue?.nonMembers.value, p.customerLifetimeValue?.all.value,
      p.acquisitionCost, p.customerAcquisitionCost?.value, p.ltvToCac?.basisPoints,
      p.enrollments, p.activeMembers, p.tierMoves,
      p.points.issued, p.points.redeemed, p.points.expired, p.points.clawedBack, bp(p.redemptionRate), bp(p.breakageRate),
      p.programCost.total, p.programCost.rewards, p.programCost.donations, p.membersIncrementalRevenue, p.referralConversions, p.activities?.total, bp(p.surveyResponseRate),
    ]),
  );
  return [csvLine(header), ...lines].join("\r\n") + "\r\n";
}


