// What a change adds to the KPI rollups, as plain data: from a member's plan, or from a guest's order or refund.
import type { Plan } from "../ledger/state";
import { localDay, localMonth } from "./calendar";

/** An order as the rollups count it; the triggers of migrations/0016 turn it into day, period and cohort counts. */
export interface KpiOrder {
  issuer: string;
  orderId: string;
  /** 'm:' + memberId, or 'g:' + the storefront's customer reference. */
  customer: string;
  isMember: boolean;
  channel: string;
  partnerId: string;
  amount: number;
  currency: string;
  day: string;
  /** The member's enrolment month; '' for a guest. */
  cohort: string;
  occurredAt: string;
}

export interface KpiRefund {
  customer: string;
  issuer: string;
  orderId: string;
  refundId: string;
  amount: number;
  day: string;
}

/** Additive figures of one day, channel, partner and member flag. */
export interface KpiDayDelta {
  day: string;
  channel: string;
  partnerId: string;
  isMember: boolean;
  enrollments: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsClawedBack: number;
  tierMoves: number;
  /** Points redeemed for catalog rewards and for donations, net of coupons cancelled (their points returned). */
  rewardPoints: number;
  donationPoints: number;
  /** The money donations pass on to their causes. */
  donationAmount: number;
}

export interface KpiWrites {
  orders: KpiOrder[];
  refunds: KpiRefund[];
  days: KpiDayDelta[];
  /** Points issued per day, partner, campaign ('' for none) and rule. */
  rules: { day: string; partnerId: string; campaignId: string; rule: string; points: number }[];
  earnCohorts: { earnMonth: string; issued: number; expired: number }[];
  /** Members' cohort enrolments (month = cohort). */
  enrolments: { cohort: string }[];
  /** Days a member redeemed on: they count as active then. */
  activeDays: { customer: string; day: string }[];
  /** Running totals: 'lot_points', 'held_points', 'tier:<name>' ('tier:' for none). */
  totals: { name: string; delta: number }[];
  /** Counts of a day that belong to no channel: 'referral_conversions', 'activity:<type>'. */
  dayCounts: { day: string; name: string; delta: number }[];
  /**
   * Campaign rule grants that no limit or cooldown reads back, kept only for the campaigns' stats: rows of
   * member_rule_grants written by the fold, off the member's path (the counted ones go in the member's batch).
   */
  grants?: CampaignGrant[];
}

export interface CampaignGrant {
  memberId: string;
  campaignId: string;
  version: number;
  ruleId: string;
  points: number;
  at: string;
  entryId: string;
  orderId: string | null;
}

export function emptyWrites(): KpiWrites {
  return { orders: [], refunds: [], days: [], rules: [], earnCohorts: [], enrolments: [], activeDays: [], totals: [], dayCounts: [] };
}

export function memberCustomer(memberId: string): string {
  return `m:${memberId}`;
}

export function guestCustomer(customerRef: string): string {
  return `g:${customerRef}`;
}

/** A breakdown line as campaigns may extend it: a rule id and a campaign id beside the rule's kind. */
interface BreakdownLine {
  rule: string;
  points: number;
  ruleId?: string;
  campaignId?: string;
}

/**
 * The rollup figures a member's plan adds: its accrual as an order, its
 * refund, and the points it issues, redeems, expires and claws back, on the
 * program's local day of each entry. Pure: the plan and the time zone in.
 */
export function kpiWritesOfPlan(plan: Plan<unknown>, timeZone: string): KpiWrites {
  const writes = emptyWrites();
  const member = plan.member;
  const customer = memberCustomer(member.memberId);
  const cohort = localMonth(member.enrolledAt, timeZone);
  const days = new Map<string, KpiDayDelta>();
  const dayDelta = (day: string, channel: string, partnerId: string): KpiDayDelta => {
    const key = `${day} ${channel} ${partnerId}`;
    let delta = days.get(key);
    if (!delta) {
      delta = { day, channel, partnerId, isMember: true, enrollments: 0, pointsIssued: 0, pointsRedeemed: 0, pointsExpired: 0, pointsClawedBack: 0, tierMoves: 0, rewardPoints: 0, donationPoints: 0, donationAmount: 0 };
      days.set(key, delta);
    }
    return delta;
  };
  const earnCohort = (earnMonth: string) => {
    let row = writes.earnCohorts.find((c) => c.earnMonth === earnMonth);
    if (!row) writes.earnCohorts.push((row = { earnMonth, issued: 0, expired: 0 }));
    return row;
  };
  const total = (name: string, delta: number) => {
    if (delta === 0) return;
    const row = writes.totals.find((t) => t.name === name);
    if (row) row.delta += delta;
    else writes.totals.push({ name, delta });
  };

  if (plan.memberIsNew) {
    dayDelta(localDay(member.enrolledAt, timeZone), "", plan.entries[0]?.partnerId ?? "").enrollments += 1;
    writes.enrolments.push({ cohort });
    total("tier:", 1);
  }
  // A claim's redemption is in the same plan: its points are the reward's (or the donation's).
  const claimed = plan.rewardClaims?.inserts[0] ?? null;
  const couponReturned = (plan.rewardClaims?.updates ?? []).some((u) => u.status === "cancelled" || u.status === "expired");
  for (const e of plan.entries) {
    const day = localDay(e.occurredAt, timeZone);
    const partnerId = e.partnerId ?? "";
    const channel = e.channel ?? "";
    switch (e.type) {
      case "earn": {
        dayDelta(day, channel, partnerId).pointsIssued += e.points;
        earnCohort(day.slice(0, 7)).issued += e.points;
        for (const line of e.details.breakdown as BreakdownLine[]) {
          if (line.points !== 0) writes.rules.push({ day, partnerId, campaignId: line.campaignId ?? "", rule: line.ruleId ?? line.rule, points: line.points });
        }
        // A bonus (activity, birthday, enrolment) or a referral's credit earns without a purchase: no order.
        if ("bonus" in e.details || "referral" in e.details) break;
        writes.orders.push({
          issuer: plan.newOrder?.issuer ?? partnerId,
          orderId: e.orderId ?? e.details.accrualId,
          customer,
          isMember: true,
          channel,
          partnerId,
          amount: e.details.amount.amount,
          currency: e.details.amount.currency,
          day,
          cohort,
          occurredAt: e.occurredAt,
        });
        break;
      }
      case "redeem": {
        const delta = dayDelta(day, channel, partnerId);
        delta.pointsRedeemed -= e.points;
        if (claimed?.rewardType === "donation") {
          delta.donationPoints -= e.points;
          delta.donationAmount += claimed.valueAmount ?? 0;
        } else if (claimed) delta.rewardPoints -= e.points;
        writes.activeDays.push({ customer, day });
        break;
      }
      case "reverse": {
        const delta = dayDelta(day, channel, partnerId);
        delta.pointsRedeemed -= e.points;
        // A donation is never reversed; a cancelled (or expired, points returned) coupon gives its reward's points back.
        if (couponReturned) delta.rewardPoints -= e.points;
        break;
      }
      case "expire":
        dayDelta(day, channel, partnerId).pointsExpired -= e.points;
        if ("earnedAt" in e.details) earnCohort(localMonth(e.details.earnedAt, timeZone)).expired -= e.points;
        break;
      case "clawback": {
        const { fromLot, fromExpired, addedToDebt, refundedAmount } = e.details;
        dayDelta(day, channel, partnerId).pointsClawedBack += fromLot + fromExpired + addedToDebt;
        if (plan.orderRefund && refundedAmount.amount > 0) {
          writes.refunds.push({ customer, issuer: plan.orderRefund.issuer, orderId: plan.orderRefund.orderId, refundId: e.id, amount: refundedAmount.amount, day });
        }
        break;
      }
      case "tier":
        dayDelta(day, "", partnerId).tierMoves += 1;
        total(`tier:${e.details.from ?? ""}`, -1);
        total(`tier:${e.details.to ?? ""}`, 1);
        break;
      default:
        break;
    }
    total("held_points", e.heldPoints);
  }
  total("lot_points", plan.newLots.reduce((sum, lot) => sum + lot.remaining, 0) + plan.lotDeltas.reduce((sum, d) => sum + d.delta, 0));
  for (const fact of plan.kpiCounts ?? []) {
    const day = localDay(fact.at, timeZone);
    const row = writes.dayCounts.find((c) => c.day === day && c.name === fact.name);
    if (row) row.delta += 1;
    else writes.dayCounts.push({ day, name: fact.name, delta: 1 });
  }
  writes.days = [...days.values()].filter(
    (d) => d.enrollments || d.pointsIssued || d.pointsRedeemed || d.pointsExpired || d.pointsClawedBack || d.tierMoves || d.rewardPoints || d.donationPoints || d.donationAmount,
  );
  writes.earnCohorts = writes.earnCohorts.filter((c) => c.issued || c.expired);
  return writes;
}

/** A guest's (or non-member's) order: it earns nothing and counts only in the rollups. */
export function guestOrderWrites(order: Omit<KpiOrder, "isMember" | "cohort" | "customer"> & { customerRef: string }): KpiWrites {
  const { customerRef, ...rest } = order;
  return { ...emptyWrites(), orders: [{ ...rest, customer: guestCustomer(customerRef), isMember: false, cohort: "" }] };
}

/** Adds `from` into the map entry of `key`, or stores a copy of it: the merge of additive figures. */
function addInto<T extends object>(map: Map<string, T>, key: string, from: T, add: (sum: T, more: T) => void): void {
  const sum = map.get(key);
  if (sum) add(sum, from);
  else map.set(key, { ...from });
}

/**
 * Many changes' rollup figures as one set of writes, so a chunk (of an import, or of the fold) costs one
 * upsert per key instead of one per change: day, rule, cohort, count and total figures are sums and add
 * up by key; orders, refunds and enrolments stay one each, as each counts once; a member's active day once.
 */
export function mergedKpiWrites(all: readonly KpiWrites[]): KpiWrites {
  const merged = emptyWrites();
  const days = new Map<string, KpiDayDelta>();
  const rules = new Map<string, KpiWrites["rules"][number]>();
  const cohorts = new Map<string, KpiWrites["earnCohorts"][number]>();
  const activeDays = new Map<string, KpiWrites["activeDays"][number]>();
  const dayCounts = new Map<string, KpiWrites["dayCounts"][number]>();
  const totals = new Map<string, KpiWrites["totals"][number]>();
  for (const w of all) {
    merged.orders.push(...w.orders);
    merged.refunds.push(...w.refunds);
    merged.enrolments.push(...w.enrolments);
    if (w.grants?.length) (merged.grants ??= []).push(...w.grants);
    for (const d of w.days) {
      addInto(days, `${d.day} ${d.channel} ${d.partnerId} ${d.isMember}`, d, (sum, more) => {
        sum.enrollments += more.enrollments;
        sum.pointsIssued += more.pointsIssued;
        sum.pointsRedeemed += more.pointsRedeemed;
        sum.pointsExpired += more.pointsExpired;
        sum.pointsClawedBack += more.pointsClawedBack;
        sum.tierMoves += more.tierMoves;
        sum.rewardPoints += more.rewardPoints;
        sum.donationPoints += more.donationPoints;
        sum.donationAmount += more.donationAmount;
      });
    }
    for (const r of w.rules) addInto(rules, `${r.day} ${r.partnerId} ${r.campaignId} ${r.rule}`, r, (sum, more) => void (sum.points += more.points));
    for (const c of w.earnCohorts) {
      addInto(cohorts, c.earnMonth, c, (sum, more) => {
        sum.issued += more.issued;
        sum.expired += more.expired;
      });
    }
    for (const a of w.activeDays) activeDays.set(`${a.customer} ${a.day}`, a);
    for (const c of w.dayCounts) addInto(dayCounts, `${c.day} ${c.name}`, c, (sum, more) => void (sum.delta += more.delta));
    for (const t of w.totals) addInto(totals, t.name, t, (sum, more) => void (sum.delta += more.delta));
  }
  merged.days = [...days.values()];
  merged.rules = [...rules.values()].filter((r) => r.points !== 0);
  merged.earnCohorts = [...cohorts.values()];
  merged.activeDays = [...activeDays.values()];
  merged.dayCounts = [...dayCounts.values()].filter((c) => c.delta !== 0);
  merged.totals = [...totals.values()].filter((t) => t.delta !== 0);
  return merged;
}

/** Whether a change's writes hold anything at all (a read, or a change the KPIs do not count, holds none). */
export function hasKpiWrites(w: KpiWrites): boolean {
  return Object.values(w).some((list: unknown[]) => list.length > 0);
}
