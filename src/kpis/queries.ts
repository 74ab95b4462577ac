// Reads of the KPI rollups: rows of the days and periods asked for, never the raw history.
import { writeAudited, type AuditRow } from "../audit/audit";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import type { AcquisitionCost, CohortRow, DayCount, DayFigures, EarnCohort, PeriodCount } from "./compute";
import type { Interval } from "./calendar";

export interface KpiFilter {
  channel: string | null;
  /** A partner id, '' for the program's own, null for all. */
  partnerId: string | null;
}

function filters(filter: KpiFilter, partnerColumn = sql`partner_id`): SQL {
  const parts: SQL[] = [];
  if (filter.channel !== null) parts.push(sql` AND channel = ${filter.channel}`);
  if (filter.partnerId !== null) parts.push(sql` AND ${partnerColumn} = ${filter.partnerId}`);
  return sql.join(parts, sql``);
}

export async function readDays(db: Database, programId: string, from: string, to: string, filter: KpiFilter): Promise<DayFigures[]> {
  const rows = await db.all<Record<string, number | string>>(sql`
    SELECT day, is_member AS isMember, sum(orders) AS orders, sum(revenue) AS revenue, sum(refunds) AS refunds, sum(refunded_amount) AS refundedAmount,
      sum(new_customers) AS newCustomers, sum(enrollments) AS enrollments, sum(points_issued) AS pointsIssued, sum(points_redeemed) AS pointsRedeemed,
      sum(points_expired) AS pointsExpired, sum(points_clawed_back) AS pointsClawedBack, sum(tier_moves) AS tierMoves,
      sum(reward_points) AS rewardPoints, sum(donation_points) AS donationPoints, sum(donation_amount) AS donationAmount
    FROM kpi_days WHERE program_id = ${programId} AND day >= ${from} AND day <= ${to}${filters(filter)}
    GROUP BY day, is_member`);
  return rows.map((r) => ({
    day: String(r.day),
    isMember: Number(r.isMember) === 1,
    orders: Number(r.orders),
    revenue: Number(r.revenue),
    refunds: Number(r.refunds),
    refundedAmount: Number(r.refundedAmount),
    newCustomers: Number(r.newCustomers),
    enrollments: Number(r.enrollments),
    pointsIssued: Number(r.pointsIssued),
    pointsRedeemed: Number(r.pointsRedeemed),
    pointsExpired: Number(r.pointsExpired),
    pointsClawedBack: Number(r.pointsClawedBack),
    tierMoves: Number(r.tierMoves),
    rewardPoints: Number(r.rewardPoints),
    donationPoints: Number(r.donationPoints),
    donationAmount: Number(r.donationAmount),
  }));
}

/** Referral conversions and activities of the days asked for (program-wide: they have no channel). */
export async function readDayCounts(db: Database, programId: string, from: string, to: string): Promise<DayCount[]> {
  const rows = await db.all<{ day: string; name: string; value: number }>(sql`
    SELECT day, name, value FROM kpi_day_counts WHERE program_id = ${programId} AND day >= ${from} AND day <= ${to}`);
  return rows.map((r) => ({ day: r.day, name: r.name, value: Number(r.value) }));
}

export async function readPeriodCounts(db: Database, programId: string, interval: Interval, from: string, to: string): Promise<PeriodCount[]> {
  const rows = await db.all<{ kind: string; period: string; isMember: number; customers: number; retained: number; repeaters: number }>(sql`
    SELECT kind, period, is_member AS isMember, customers, retained, repeaters FROM kpi_period_counts
    WHERE program_id = ${programId} AND kind IN ('buy', 'active') AND grain = ${interval} AND period >= ${from} AND period <= ${to}`);
  return rows.map((r) => ({ kind: r.kind as PeriodCount["kind"], period: r.period, isMember: r.isMember === 1, customers: r.customers, retained: r.retained, repeaters: r.repeaters }));
}

export async function readCosts(db: Database, programId: string, fromMonth: string, toMonth: string): Promise<(AcquisitionCost & { currency: string; updatedAt: string })[]> {
  return db.all(sql`SELECT month, channel, amount, currency, updated_at AS updatedAt FROM kpi_acquisition_costs
    WHERE program_id = ${programId} AND month >= ${fromMonth} AND month <= ${toMonth} ORDER BY month, channel`);
}

export async function writeCost(db: Database, programId: string, cost: AcquisitionCost & { currency: string }, at: string, audit?: AuditRow): Promise<void> {
  const upsert = sql`INSERT INTO kpi_acquisition_costs (program_id, month, channel, amount, currency, updated_at)
    VALUES (${programId}, ${cost.month}, ${cost.channel}, ${cost.amount}, ${cost.currency}, ${at})
    ON CONFLICT (program_id, month, channel) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, updated_at = excluded.updated_at`;
  if (audit) await writeAudited(db.$client, upsert, audit);
  else await db.run(upsert);
}

export async function readRulePoints(db: Database, programId: string, from: string, to: string, partnerId: string | null) {
  return db.all<{ campaignId: string; rule: string; points: number }>(sql`
    SELECT campaign_id AS campaignId, rule, sum(points) AS points FROM kpi_rule_days
    WHERE program_id = ${programId} AND day >= ${from} AND day <= ${to}${partnerId === null ? sql`` : sql` AND partner_id = ${partnerId}`}
    GROUP BY campaign_id, rule ORDER BY campaign_id, rule`);
}

export async function readPartnerPoints(db: Database, programId: string, from: string, to: string, filter: KpiFilter) {
  return db.all<{ partnerId: string; issued: number; redeemed: number; expired: number; clawedBack: number; orders: number; revenue: number }>(sql`
    SELECT partner_id AS partnerId, sum(points_issued) AS issued, sum(points_redeemed) AS redeemed, sum(points_expired) AS expired,
      sum(points_clawed_back) AS clawedBack, sum(orders) AS orders, sum(revenue) - sum(refunded_amount) AS revenue
    FROM kpi_days WHERE program_id = ${programId} AND day >= ${from} AND day <= ${to}${filters(filter)}
    GROUP BY partner_id ORDER BY partner_id`);
}

export async function readNow(db: Database, programId: string, now: string) {
  const [totals, [pending], earnCohorts] = await Promise.all([
    db.all<{ name: string; value: number }>(sql`SELECT name, value FROM kpi_totals WHERE program_id = ${programId}`),
    // lots_open_by_program_availability: only the lots still pending are read.
    db.all<{ points: number }>(sql`SELECT coalesce(sum(remaining), 0) AS points FROM lots WHERE program_id = ${programId} AND remaining > 0 AND available_at > ${now}`),
    db.all<EarnCohort>(sql`SELECT earn_month AS earnMonth, issued, expired FROM kpi_earn_cohorts WHERE program_id = ${programId}`),
  ]);
  return { totals, pendingPoints: Number(pending?.points ?? 0), earnCohorts };
}

export async function readCohorts(db: Database, programId: string, fromCohort: string, toCohort: string): Promise<CohortRow[]> {
  return db.all<CohortRow>(sql`SELECT cohort, month, enrolled, active, orders, revenue FROM kpi_cohorts
    WHERE program_id = ${programId} AND cohort >= ${fromCohort} AND cohort <= ${toCohort}`);
}
