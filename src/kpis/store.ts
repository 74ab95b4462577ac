// The KPI rollups' statements: appended to the batch of the change they count, so they land with it or not at all.
import { sql, type AnyColumn } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { memberRuleGrants, kpiCohorts, kpiCustomerPeriods, kpiDayCounts, kpiDays, kpiEarnCohorts, kpiOrders, kpiRefunds, kpiRuleDays, kpiTotals } from "../db/schema";
import { nextPeriod, periodOf, previousPeriod, type Interval } from "./calendar";
import type { KpiWrites } from "./rollups";
import { piecesFor } from "../db/pieces";

/** `column + excluded.column`: an upsert that adds. */
function plus(column: AnyColumn & { name: string }) {
  return sql`${column} + excluded.${sql.identifier(column.name)}`;
}

const GRAINS: Interval[] = ["day", "week", "month"];

/**
 * The statements for a change's rollup figures. A member's order that some
 * other request recorded first (a guest's order under the same id) is left
 * out of the rollups: the member's batch must never fail for a KPI row.
 * `strict` (a guest's order) lets the batch fail instead, so the caller hears of it.
 */
export function kpiStatements(db: Database, programId: string, writes: KpiWrites, at: string, options: { strict?: boolean } = {}): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [];
  const orderRows = writes.orders.map((o) => ({
    programId,
    issuer: o.issuer,
    orderId: o.orderId,
    customer: o.customer,
    isMember: o.isMember ? 1 : 0,
    channel: o.channel,
    partnerId: o.partnerId,
    amount: o.amount,
    currency: o.currency,
    day: o.day,
    cohort: o.cohort,
    occurredAt: o.occurredAt,
    createdAt: at,
  }));
  // Many rows to a statement (a fold's or an import's chunk); the triggers of migrations/0016 count each row.
  for (const rows of piecesFor(kpiOrders, orderRows)) {
    const insert = db.insert(kpiOrders).values(rows);
    statements.push(options.strict ? insert : insert.onConflictDoNothing());
  }
  const refundRows = writes.refunds.map((r) => ({ programId, customer: r.customer, issuer: r.issuer, orderId: r.orderId, refundId: r.refundId, amount: r.amount, day: r.day, createdAt: at }));
  for (const rows of piecesFor(kpiRefunds, refundRows)) statements.push(db.insert(kpiRefunds).values(rows));
  const grantRows = (writes.grants ?? []).map((g) => ({
    programId,
    memberId: g.memberId,
    campaignId: g.campaignId,
    version: g.version,
    ruleId: g.ruleId,
    points: g.points,
    occurredAt: g.at,
    entryId: g.entryId,
    orderId: g.orderId,
    createdAt: at,
  }));
  // A grant already there is left as it is: a pending row must never block the fold.
  for (const rows of piecesFor(memberRuleGrants, grantRows)) statements.push(db.insert(memberRuleGrants).values(rows).onConflictDoNothing());
  for (const d of writes.days) {
    statements.push(
      db
        .insert(kpiDays)
        .values({
          programId,
          day: d.day,
          channel: d.channel,
          partnerId: d.partnerId,
          isMember: d.isMember ? 1 : 0,
          enrollments: d.enrollments,
          pointsIssued: d.pointsIssued,
          pointsRedeemed: d.pointsRedeemed,
          pointsExpired: d.pointsExpired,
          pointsClawedBack: d.pointsClawedBack,
          tierMoves: d.tierMoves,
          rewardPoints: d.rewardPoints,
          donationPoints: d.donationPoints,
          donationAmount: d.donationAmount,
        })
        .onConflictDoUpdate({
          target: [kpiDays.programId, kpiDays.day, kpiDays.channel, kpiDays.partnerId, kpiDays.isMember],
          set: {
            enrollments: plus(kpiDays.enrollments),
            pointsIssued: plus(kpiDays.pointsIssued),
            pointsRedeemed: plus(kpiDays.pointsRedeemed),
            pointsExpired: plus(kpiDays.pointsExpired),
            pointsClawedBack: plus(kpiDays.pointsClawedBack),
            tierMoves: plus(kpiDays.tierMoves),
            rewardPoints: plus(kpiDays.rewardPoints),
            donationPoints: plus(kpiDays.donationPoints),
            donationAmount: plus(kpiDays.donationAmount),
          },
        }),
    );
  }
  for (const r of writes.rules) {
    statements.push(
      db
        .insert(kpiRuleDays)
        .values({ programId, day: r.day, partnerId: r.partnerId, campaignId: r.campaignId, rule: r.rule, points: r.points })
        .onConflictDoUpdate({ target: [kpiRuleDays.programId, kpiRuleDays.day, kpiRuleDays.partnerId, kpiRuleDays.campaignId, kpiRuleDays.rule], set: { points: plus(kpiRuleDays.points) } }),
    );
  }
  for (const c of writes.earnCohorts) {
    statements.push(
      db
        .insert(kpiEarnCohorts)
        .values({ programId, earnMonth: c.earnMonth, issued: c.issued, expired: c.expired })
        .onConflictDoUpdate({ target: [kpiEarnCohorts.programId, kpiEarnCohorts.earnMonth], set: { issued: plus(kpiEarnCohorts.issued), expired: plus(kpiEarnCohorts.expired) } }),
    );
  }
  for (const e of writes.enrolments) {
    statements.push(
      db
        .insert(kpiCohorts)
        .values({ programId, cohort: e.cohort, month: e.cohort, enrolled: 1 })
        .onConflictDoUpdate({ target: [kpiCohorts.programId, kpiCohorts.cohort, kpiCohorts.month], set: { enrolled: plus(kpiCohorts.enrolled) } }),
    );
  }
  for (const a of writes.activeDays) {
    // The same period keys the order trigger computes in SQL (test/kpis/calendar.test.ts holds them equal).
    const rows = GRAINS.map((grain) => {
      const period = periodOf(a.day, grain);
      return { programId, kind: "redeem", grain, period, customer: a.customer, isMember: 1, prevPeriod: previousPeriod(period, grain), nextPeriod: nextPeriod(period, grain), cohort: "", orders: 0 };
    });
    statements.push(db.insert(kpiCustomerPeriods).values(rows).onConflictDoNothing());
  }
  for (const c of writes.dayCounts) {
    statements.push(
      db
        .insert(kpiDayCounts)
        .values({ programId, day: c.day, name: c.name, value: c.delta })
        .onConflictDoUpdate({ target: [kpiDayCounts.programId, kpiDayCounts.day, kpiDayCounts.name], set: { value: plus(kpiDayCounts.value) } }),
    );
  }
  for (const t of writes.totals) {
    statements.push(
      db
        .insert(kpiTotals)
        .values({ programId, name: t.name, value: t.delta })
        .onConflictDoUpdate({ target: [kpiTotals.programId, kpiTotals.name], set: { value: plus(kpiTotals.value) } }),
    );
  }
  return statements;
}
