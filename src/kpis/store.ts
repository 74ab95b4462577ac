// The KPI rollups' statements: appended to the batch of the change they count, so they land with it or not at all.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import type { KpiWrites } from "./rollups";

/** The period keys of a local day, as the order trigger computes them (migrations/0016). */
const PERIODS_OF_DAY = (day: string) => sql`
  (SELECT 'day' AS grain, ${day} AS period, date(${day}, '-1 day') AS prev, date(${day}, '+1 day') AS next
   UNION ALL SELECT 'week', date(${day}, '-6 days', 'weekday 1'), date(${day}, '-13 days', 'weekday 1'), date(${day}, '+1 day', 'weekday 1')
   UNION ALL SELECT 'month', strftime('%Y-%m', ${day}), strftime('%Y-%m', ${day}, 'start of month', '-1 month'), strftime('%Y-%m', ${day}, 'start of month', '+1 month'))`;

/**
 * The statements for a change's rollup figures. A member's order that some
 * other request recorded first (a guest's order under the same id) is left
 * as it is: the member's batch must never fail for a KPI row.
 */
export function kpiStatements(db: Database, programId: string, writes: KpiWrites, at: string, options: { strict?: boolean } = {}): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [];
  // A guest's order is refused when its id is taken (strict); a member's is left out of the rollups instead.
  const onConflict = options.strict ? sql`` : sql`ON CONFLICT DO NOTHING`;
  for (const o of writes.orders) {
    statements.push(
      db.run(sql`INSERT INTO kpi_orders (program_id, issuer, order_id, customer, is_member, channel, partner_id, amount, currency, day, cohort, occurred_at, created_at)
        VALUES (${programId}, ${o.issuer}, ${o.orderId}, ${o.customer}, ${o.isMember ? 1 : 0}, ${o.channel}, ${o.partnerId}, ${o.amount}, ${o.currency}, ${o.day}, ${o.cohort}, ${o.occurredAt}, ${at})
        ${onConflict}`),
    );
  }
  for (const r of writes.refunds) {
    statements.push(
      db.run(sql`INSERT INTO kpi_refunds (program_id, issuer, order_id, refund_id, amount, day, created_at)
        VALUES (${programId}, ${r.issuer}, ${r.orderId}, ${r.refundId}, ${r.amount}, ${r.day}, ${at})`),
    );
  }
  for (const d of writes.days) {
    statements.push(
      db.run(sql`INSERT INTO kpi_days (program_id, day, channel, partner_id, is_member, enrollments, points_issued, points_redeemed, points_expired, points_clawed_back, tier_moves)
        VALUES (${programId}, ${d.day}, ${d.channel}, ${d.partnerId}, ${d.isMember ? 1 : 0}, ${d.enrollments}, ${d.pointsIssued}, ${d.pointsRedeemed}, ${d.pointsExpired}, ${d.pointsClawedBack}, ${d.tierMoves})
        ON CONFLICT (program_id, day, channel, partner_id, is_member) DO UPDATE SET
          enrollments = enrollments + excluded.enrollments, points_issued = points_issued + excluded.points_issued,
          points_redeemed = points_redeemed + excluded.points_redeemed, points_expired = points_expired + excluded.points_expired,
          points_clawed_back = points_clawed_back + excluded.points_clawed_back, tier_moves = tier_moves + excluded.tier_moves`),
    );
  }
  for (const r of writes.rules) {
    statements.push(
      db.run(sql`INSERT INTO kpi_rule_days (program_id, day, partner_id, campaign_id, rule, points) VALUES (${programId}, ${r.day}, ${r.partnerId}, ${r.campaignId}, ${r.rule}, ${r.points})
        ON CONFLICT (program_id, day, partner_id, campaign_id, rule) DO UPDATE SET points = points + excluded.points`),
    );
  }
  for (const c of writes.earnCohorts) {
    statements.push(
      db.run(sql`INSERT INTO kpi_earn_cohorts (program_id, earn_month, issued, expired) VALUES (${programId}, ${c.earnMonth}, ${c.issued}, ${c.expired})
        ON CONFLICT (program_id, earn_month) DO UPDATE SET issued = issued + excluded.issued, expired = expired + excluded.expired`),
    );
  }
  for (const e of writes.enrolments) {
    statements.push(
      db.run(sql`INSERT INTO kpi_cohorts (program_id, cohort, month, enrolled) VALUES (${programId}, ${e.cohort}, ${e.cohort}, 1)
        ON CONFLICT (program_id, cohort, month) DO UPDATE SET enrolled = enrolled + 1`),
    );
  }
  for (const a of writes.activeDays) {
    statements.push(
      db.run(sql`INSERT INTO kpi_customer_periods (program_id, kind, grain, period, customer, is_member, prev_period, next_period, cohort, orders)
        SELECT ${programId}, 'active', g.grain, g.period, ${a.customer}, 1, g.prev, g.next, '', 0 FROM ${PERIODS_OF_DAY(a.day)} AS g WHERE true
        ON CONFLICT DO NOTHING`),
    );
  }
  for (const t of writes.totals) {
    statements.push(
      db.run(sql`INSERT INTO kpi_totals (program_id, name, value) VALUES (${programId}, ${t.name}, ${t.delta})
        ON CONFLICT (program_id, name) DO UPDATE SET value = value + excluded.value`),
    );
  }
  return statements;
}
