// Accrual: an order earns points into a new lot, pays debt first, and may upgrade the tier.
import { DomainError } from "../errors";
import { mulDiv, type Rounding } from "../money";
import { addDays, iso } from "../dates";
import { evaluateEarning, type CappedRule, type EarnItem, type EarnLine, type EarnResult, type EarnTrigger, type MemberPlans, type RuleGrant } from "../../campaigns/evaluate";
import type { ActiveRule } from "../../campaigns/rules";
import { lotExpiresAt } from "../expiry";
import { periodOf } from "../periods";
import { emptyPlan, entry, event, newMember, requireMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, OpenLot, Plan } from "../state";
import { qualifyingGain, upgradedTier } from "../tiers";

export interface AccrualInput {
  orderId: string;
  amount: { amount: number; currency: string };
  channel: string;
  occurredAt: string;
  /** Line items, for rules on SKUs and categories; unit prices in the order's currency. */
  items?: { sku: string; category?: string; quantity: number; price: { amount: number; currency: string } }[];
  storeId?: string | null;
}

/**
 * What the campaign rules need beyond the member's state: the rules in force
 * at the order's occurredAt, the member's past grants of the limited ones,
 * what each budget may still issue, and whether this is the member's first order.
 */
export interface AccrualCampaigns {
  rules: readonly ActiveRule[];
  grants: readonly RuleGrant[];
  budgetLeft: ReadonlyMap<string, number>;
  /** The member has no order recorded before this one. */
  firstOrder: boolean;
  /** The best earning multiplier of the paid memberships in force (100: none), applied on top of everything. */
  membershipPercent?: number;
  /** The member's kept segments, when a rule names segments. */
  segmentIds?: readonly string[];
  /** The membership plans held in force at the trigger's time (plan conditions, early access). */
  plans?: MemberPlans;
}

export const NO_CAMPAIGNS: AccrualCampaigns = { rules: [], grants: [], budgetLeft: new Map(), firstOrder: false };

/** A grant as the member's batch records it: one per campaign line that gave points. */
export interface RuleGrantRecord extends RuleGrant {
  version: number;
  entryId: string;
  orderId: string | null;
  counted: boolean;
}

export interface AccrualResult {
  accrualId: string;
  orderId: string;
  points: number;
  breakdown: EarnLine[];
  /** Rules that matched but gave nothing: a budget, a member limit, a cooldown or the multiplier cap stopped them. */
  capped: CappedRule[];
  debtPaid: number;
  lot: { id: string; availableAt: string; expiresAt: string | null } | null;
  tierChange: { from: string | null; to: string | null } | null;
  /** The settlement period the points count in; `movedFrom` names a closed period the order fell in. */
  settlement: { period: string; movedFrom: string | null } | null;
}

export function accrue(
  state: MemberState,
  memberId: string,
  input: AccrualInput,
  ctx: OpContext,
  campaigns: AccrualCampaigns = NO_CAMPAIGNS,
): Plan<AccrualResult> {
  const { settings, now } = ctx;
  let current = state.member;
  let memberIsNew = false;
  if (!current) {
    if (!settings.enrollOnAccrual) requireMember(state, memberId);
    current = newMember(memberId, {}, now);
    memberIsNew = true;
  }
  if (input.amount.currency !== settings.currency) {
    throw new DomainError("currency_mismatch", `This program runs in ${settings.currency}, not ${input.amount.currency}.`);
  }
  const earnedAt = new Date(input.occurredAt);
  // Checked here rather than in the routes so that every way in (single, bulk, retries) meets the same window.
  const earliest = addDays(now, -settings.maxBackdateDays);
  if (earnedAt.getTime() < earliest.getTime()) {
    throw new DomainError("occurred_before_window", `occurredAt lies more than ${settings.maxBackdateDays} days back, before this program's window.`, {
      errors: [{ path: "occurredAt", message: `before ${iso(earliest)}` }],
      earliestOccurredAt: iso(earliest),
    });
  }
  const items = earnItems(input, settings.currency);
  const earning = evaluateEarning({
    trigger: orderTrigger(input, items, ctx.partnerId, memberIsNew || campaigns.firstOrder),
    occurredAt: earnedAt,
    member: { tier: current.tier, attributes: current.attributes, segmentIds: campaigns.segmentIds ?? [], plans: campaigns.plans },
    settings,
    rules: campaigns.rules,
    grants: campaigns.grants,
    budgetLeft: campaigns.budgetLeft,
  });
  withMembership(earning, campaigns.membershipPercent ?? 100, settings.rounding);
  const debtPaid = Math.min(current.debt, earning.points);
  const accrualId = ctx.newId("acc");

  let lot: OpenLot | null = null;
  if (earning.points > 0) {
    const expiresAt = lotExpiresAt(settings.expiry, earnedAt);
    lot = {
      id: ctx.newId("lot"),
      partnerId: ctx.partnerId,
      orderId: input.orderId,
      points: earning.points,
      remaining: earning.points - debtPaid,
      earnedAt: iso(earnedAt),
      availableAt: iso(addDays(earnedAt, settings.pendingDays)),
      expiresAt: expiresAt ? iso(expiresAt) : null,
    };
  }

  const qualifyingPoints = current.qualifyingPoints + qualifyingGain(settings, earning.points, input.amount.amount);
  const tier = upgradedTier(current.tier, qualifyingPoints, settings.tiers);
  const member: MemberRecord = {
    ...(memberIsNew ? current : touched(current, ctx, true)),
    lastActivityAt: iso(now),
    debt: current.debt - debtPaid,
    qualifyingPoints,
    lifetimeEarned: current.lifetimeEarned + earning.points,
    tier,
  };
  const tierChange = tier !== current.tier ? { from: current.tier, to: tier } : null;

  const result: AccrualResult = {
    accrualId,
    orderId: input.orderId,
    points: earning.points,
    breakdown: earning.breakdown,
    capped: earning.capped,
    debtPaid,
    lot: lot ? { id: lot.id, availableAt: lot.availableAt, expiresAt: lot.expiresAt } : null,
    tierChange,
    settlement: null,
  };
  const plan = emptyPlan(member, state, result);
  plan.memberIsNew = memberIsNew;
  if (lot) plan.newLots.push(lot);
  plan.entries.push(
    entry(ctx, {
      type: "earn",
      points: earning.points,
      lotId: lot?.id ?? null,
      orderId: input.orderId,
      partnerId: ctx.partnerId,
      channel: input.channel,
      occurredAt: iso(earnedAt),
      details: {
        accrualId,
        amount: input.amount,
        breakdown: earning.breakdown,
        debtPaid,
        ...(input.storeId ? { storeId: input.storeId } : {}),
        ...(earning.capped.length > 0 ? { capped: earning.capped } : {}),
      },
    }),
  );
  plan.ruleGrants = grantRecords(earning, plan.entries[0]!.id, input.orderId);
  plan.budgetDraws = earning.budgetDraws;
  if (earning.breakdown.some((line) => line.rule === "campaign")) {
    plan.newOrderEarning = { issuer: ctx.partnerId ?? "", orderId: input.orderId, breakdown: earning.breakdown, refundedItems: [], returned: [] };
  }
  const earnPeriod = plan.entries[0]!.settlementPeriod;
  if (earnPeriod) {
    const own = periodOf(earnedAt, ctx.settings.settlementPeriod);
    result.settlement = { period: earnPeriod, movedFrom: own === earnPeriod ? null : own };
  }
  if (items.length > 0) plan.orderCategories = categorySpend(items);
  plan.newOrder = {
    issuer: ctx.partnerId ?? "",
    orderId: input.orderId,
    memberId,
    accrualId,
    lotId: lot?.id ?? null,
    amount: input.amount.amount,
    currency: input.amount.currency,
    earnedPoints: earning.points,
    refundedAmount: 0,
    clawedBackPoints: 0,
    createdAt: iso(now),
  };
  if (memberIsNew) plan.events.push(event(ctx, "member.enrolled", ctx.partnerId, { memberId }));
  plan.events.push(
    event(ctx, "points.earned", ctx.partnerId, { memberId, orderId: input.orderId, accrualId, points: earning.points, debtPaid }, iso(earnedAt)),
  );
  if (tierChange) {
    plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { ...tierChange, reason: "upgrade" } }));
    plan.events.push(event(ctx, "tier.changed", null, { memberId, ...tierChange, reason: "upgrade" }));
  }
  plan.nextState = { ...state, member, lots: lot && lot.remaining > 0 ? [...state.lots, lot] : state.lots, holds: state.holds };
  return plan;
}

/** The order's items as the evaluator takes them; an item priced in another currency is refused. */
function earnItems(input: AccrualInput, currency: string): EarnItem[] {
  (input.items ?? []).forEach((item, index) => {
    if (item.price.currency !== currency) {
      throw new DomainError("currency_mismatch", `Item ${index} is priced in ${item.price.currency}; the order is in ${currency}.`, {
        errors: [{ path: `items.${index}.price.currency`, message: `not ${currency}` }],
      });
    }
  });
  return orderItems(input);
}

/** The order's line items as the evaluator reads them; prices are checked against the program's currency by the accrual. */
export function orderItems(input: AccrualInput): EarnItem[] {
  return (input.items ?? []).map((item) => ({ sku: item.sku, ...(item.category !== undefined ? { category: item.category } : {}), quantity: item.quantity, price: item.price.amount }));
}

/** The order as the evaluator sees it: the accrual's trigger, and the campaign pre-filter's in the member's object. */
export function orderTrigger(input: AccrualInput, items: readonly EarnItem[], partnerId: string | null, firstOrder: boolean): EarnTrigger {
  return {
    type: "order",
    amount: input.amount.amount,
    currency: input.amount.currency,
    items,
    channel: input.channel as "online" | "store" | "app",
    storeId: input.storeId ?? null,
    partnerId,
    firstOrder,
  };
}

/** The evaluator's grants with the version of the line that gave them and the entry that carries them. */
export function grantRecords(earning: Pick<EarnResult, "grants" | "breakdown">, entryId: string, orderId: string | null): RuleGrantRecord[] {
  return earning.grants
    .filter((grant) => grant.points > 0)
    .map((grant) => {
      const line = earning.breakdown.find((l) => l.rule === "campaign" && l.campaignId === grant.campaignId && l.ruleId === grant.ruleId);
      return { ...grant, version: line && line.rule === "campaign" ? line.version : 0, entryId, orderId, counted: grant.counted ?? true };
    });
}

/**
 * A paid membership's earning multiplier: its own line, on the order's whole
 * earning (base, rules and tier), rounded once, so the lines still add up.
 */
export function withMembership(earning: EarnResult, percent: number, rounding: Rounding): void {
  if (percent <= 100 || earning.points <= 0) return;
  const extra = mulDiv(earning.points, percent - 100, 100, rounding);
  if (extra <= 0) return;
  earning.breakdown.push({ rule: "membership_multiplier", points: extra, multiplierPercent: percent });
  earning.points += extra;
}

/** Spend per category of the order's lines (price x quantity), for the member's statistics; lines without a category count for none. */
function categorySpend(items: readonly EarnItem[]): Record<string, number> {
  const spend: Record<string, number> = {};
  for (const item of items) if (item.category !== undefined) spend[item.category] = (spend[item.category] ?? 0) + item.price * item.quantity;
  return spend;
}
