// A member's statistics as plain data, and how one batch moves them: folded from the plan, never from the history.
import type { Plan } from "../ledger/state";

export interface MemberStats {
  lifetimeSpend: number;
  orderCount: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  availablePoints: number;
  onlineOrders: number;
  storeOrders: number;
  appOrders: number;
  /** Spend per category, the CATEGORIES_KEPT largest. */
  categorySpend: Record<string, number>;
  lastRedemptionAt: string | null;
}

/** Enough to name a member's favourites and keep the map of a JSON column small. */
export const CATEGORIES_KEPT = 10;
export const FAVOURITES = 3;

export const NO_STATS: MemberStats = {
  lifetimeSpend: 0,
  orderCount: 0,
  firstOrderAt: null,
  lastOrderAt: null,
  availablePoints: 0,
  onlineOrders: 0,
  storeOrders: 0,
  appOrders: 0,
  categorySpend: {},
  lastRedemptionAt: null,
};

export interface OrderFact {
  amount: number;
  channel: string | null;
  occurredAt: string;
  /** Spend per category of the order's lines, when the order named them. */
  categories: Record<string, number>;
}

export interface BatchFacts {
  orders: OrderFact[];
  redeemedAt: string | null;
  availablePoints: number;
}

/** What a plan says that statistics count: its orders (the earn entries with an order) and a new redemption. */
export function factsOf(plan: Plan<unknown>, availablePoints: number): BatchFacts {
  const orders: OrderFact[] = [];
  for (const e of plan.entries) {
    if (e.type !== "earn" || !e.orderId) continue;
    const amount = (e.details as { amount?: { amount: number } }).amount?.amount ?? 0;
    orders.push({ amount, channel: e.channel, occurredAt: e.occurredAt, categories: plan.orderCategories ?? {} });
  }
  return { orders, redeemedAt: plan.newRedemption?.createdAt ?? null, availablePoints };
}

/** The largest `keep` entries of a spend map (ties by name, so the result does not depend on insertion order). */
export function topCategories(spend: Record<string, number>, keep: number): [string, number][] {
  return Object.entries(spend)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, keep);
}

export function nextStats(previous: MemberStats, facts: BatchFacts): MemberStats {
  const next: MemberStats = { ...previous, categorySpend: { ...previous.categorySpend }, availablePoints: facts.availablePoints };
  for (const order of facts.orders) {
    next.lifetimeSpend += order.amount;
    next.orderCount += 1;
    if (next.firstOrderAt === null || order.occurredAt < next.firstOrderAt) next.firstOrderAt = order.occurredAt;
    if (next.lastOrderAt === null || order.occurredAt > next.lastOrderAt) next.lastOrderAt = order.occurredAt;
    if (order.channel === "online") next.onlineOrders += 1;
    else if (order.channel === "store") next.storeOrders += 1;
    else if (order.channel === "app") next.appOrders += 1;
    for (const [category, spend] of Object.entries(order.categories)) next.categorySpend[category] = (next.categorySpend[category] ?? 0) + spend;
  }
  next.categorySpend = Object.fromEntries(topCategories(next.categorySpend, CATEGORIES_KEPT));
  if (facts.redeemedAt && (next.lastRedemptionAt === null || facts.redeemedAt > next.lastRedemptionAt)) next.lastRedemptionAt = facts.redeemedAt;
  return next;
}

export function favouriteCategories(stats: MemberStats): string[] {
  return topCategories(stats.categorySpend, FAVOURITES).map(([name]) => name);
}

export function sameStats(a: MemberStats, b: MemberStats): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
