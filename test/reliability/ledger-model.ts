// A tiny reference model of one program's ledger for the property test: the
// rules of the product brief stated as plainly as possible, with no storage,
// no caching and no concurrency. The system must agree with it step by step.

export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const DAY = 24 * HOUR;

export type ExpiryRule =
  | { policy: "never" }
  | { policy: "rolling"; days: number }
  | { policy: "period_end"; period: "month" }
  | { policy: "inactivity"; days: number };

export interface ModelSettings {
  pendingDays: number;
  expiry: ExpiryRule;
  enrollOnAccrual: boolean;
  /** Campaign rules in force for every order of the run. */
  rules?: ModelRule[];
}

/**
 * A campaign rule the model knows: on orders of at least `atLeast`, fixed
 * points or a multiplier on the base points (rounded down), at most `count`
 * grants per member over the campaign's life.
 */
export interface ModelRule {
  id: string;
  atLeast: number;
  effect: { type: "fixed"; points: number } | { type: "multiply"; percent: number };
  count: number | null;
}

export interface ModelLot {
  id: string;
  orderId: string;
  points: number;
  remaining: number;
  /** What the lot lost to expiry and no refund has taken back. */
  expired: number;
  earnedAt: number;
  availableAt: number;
  expiresAt: number | null;
}

export type RedemptionStatus = "held" | "captured" | "cancelled" | "lapsed" | "reversed";

export interface ModelRedemption {
  id: string;
  memberId: string;
  points: number;
  status: RedemptionStatus;
  allocations: { lotId: string; points: number }[];
  holdExpiresAt: number | null;
}

export interface ModelOrder {
  orderId: string;
  memberId: string;
  amount: number;
  earnedPoints: number;
  refundedAmount: number;
  clawedBackPoints: number;
  lotId: string | null;
}

export interface ModelMember {
  /** Last accrual, redemption or capture: the inactivity policy's clock. */
  lastActivity: number | null;
  debt: number;
  lifetimeEarned: number;
  qualifyingPoints: number;
  lots: ModelLot[];
}

export interface ModelBalance {
  available: number;
  pending: number;
  held: number;
  debt: number;
  lifetimeEarned: number;
  qualifyingPoints: number;
}

/** What an operation must answer: its result, or the error code (and numbers) it must refuse with. */
export type Outcome<T> = { ok: true; result: T } | { ok: false; code: string; extras?: Record<string, unknown> };

const refuse = (code: string, extras?: Record<string, unknown>): Outcome<never> => ({ ok: false, code, extras });

/** The order lots are spent in: soonest expiry first (never-expiring last), then the oldest, then by id. */
const spendingOrder = (a: ModelLot, b: ModelLot) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.earnedAt - b.earnedAt || (a.id < b.id ? -1 : 1);

/** Default earning rate of a program: 1 point per 100 minor units, rounded down. */
const pointsFor = (amount: number) => Math.floor(amount / 100);

export class LedgerModel {
  readonly members = new Map<string, ModelMember>();
  readonly redemptions: ModelRedemption[] = [];
  readonly orders: ModelOrder[] = [];
  /** Grants of each rule per member: `${memberId} ${ruleId}`. */
  readonly grants = new Map<string, number>();

  constructor(
    readonly settings: ModelSettings,
    public now: number,
  ) {}

  // ------------------------------------------------------------ reading

  isExpired(lot: ModelLot): boolean {
    return lot.expiresAt !== null && lot.expiresAt <= this.now;
  }

  balance(memberId: string): ModelBalance | null {
    const member = this.members.get(memberId);
    if (!member) return null;
    let available = 0;
    let pending = 0;
    for (const lot of member.lots) {
      if (this.isExpired(lot)) continue;
      if (lot.availableAt <= this.now) available += lot.remaining;
      else pending += lot.remaining;
    }
    const held = this.redemptions.filter((r) => r.memberId === memberId && r.status === "held").reduce((sum, r) => sum + r.points, 0);
    return { available, pending, held, debt: member.debt, lifetimeEarned: member.lifetimeEarned, qualifyingPoints: member.qualifyingPoints };
  }

  /** Points still in lots whose date has passed: they stay there until the expiry sweep takes them. */
  expiredRemaining(memberId: string): number {
    return (this.members.get(memberId)?.lots ?? []).filter((l) => this.isExpired(l)).reduce((sum, l) => sum + l.remaining, 0);
  }

  /** Under the inactivity policy: the member has gone the allowed time without activity. */
  isIdle(memberId: string): boolean {
    const rule = this.settings.expiry;
    const last = this.members.get(memberId)?.lastActivity ?? null;
    return rule.policy === "inactivity" && last !== null && last + rule.days * DAY <= this.now;
  }

  allLots(): ModelLot[] {
    return [...this.members.values()].flatMap((m) => m.lots);
  }

  redemption(id: string): ModelRedemption | undefined {
    return this.redemptions.find((r) => r.id === id);
  }

  // ------------------------------------------------------------ time

  /**
   * What time alone does to a member, and what every call to its object
   * applies first: holds whose time ran out lapse, and a member idle past the
   * inactivity deadline loses every point in its lots (held points stay held).
   * Returns the holds that lapsed.
   */
  applyTime(memberId: string): string[] {
    const due = this.redemptions.filter((r) => r.memberId === memberId && r.status === "held" && r.holdExpiresAt! <= this.now);
    for (const hold of due) {
      hold.status = "lapsed";
      this.giveBack(hold);
    }
    if (this.isIdle(memberId)) this.sweep(memberId);
    return due.map((h) => h.id);
  }

  /**
   * Points go back to the lots they came from, but pay off the member's debt
   * first, lot by lot in spending order; a lot past its date, or an idle
   * member, swallows the rest (they expire).
   */
  private giveBack(redemption: ModelRedemption): void {
    const member = this.members.get(redemption.memberId)!;
    const idle = this.isIdle(redemption.memberId);
    const returned = redemption.allocations.map(({ lotId, points }) => ({ lot: this.lot(lotId), points })).sort((a, b) => spendingOrder(a.lot, b.lot));
    for (const { lot, points } of returned) {
      const paid = Math.min(member.debt, points);
      member.debt -= paid;
      if (!idle && !this.isExpired(lot)) lot.remaining += points - paid;
      else lot.expired += points - paid;
    }
  }

  /** Empties the lots that have expired (all of them when the member is idle); returns what went. */
  private sweep(memberId: string): { lots: number; points: number } {
    const idle = this.isIdle(memberId);
    const due = (this.members.get(memberId)?.lots ?? []).filter((l) => l.remaining > 0 && (idle || this.isExpired(l)));
    const points = due.reduce((sum, l) => sum + l.remaining, 0);
    for (const lot of due) {
      lot.expired += lot.remaining;
      lot.remaining = 0;
    }
    return { lots: due.length, points };
  }

  /** The expiry job's visit to one member. */
  expire(memberId: string): Outcome<{ lots: number; points: number }> {
    if (!this.members.has(memberId)) return { ok: true, result: { lots: 0, points: 0 } };
    return { ok: true, result: this.sweep(memberId) };
  }

  private lot(id: string): ModelLot {
    const lot = this.allLots().find((l) => l.id === id);
    if (!lot) throw new Error(`model: no lot ${id}`);
    return lot;
  }

  // ------------------------------------------------------------ operations

  enroll(memberId: string): Outcome<{ created: boolean }> {
    if (this.members.has(memberId)) return { ok: true, result: { created: false } };
    this.members.set(memberId, { lastActivity: null, debt: 0, lifetimeEarned: 0, qualifyingPoints: 0, lots: [] });
    return { ok: true, result: { created: true } };
  }

  /** `lotId` is the id the system gave the new lot (ids are the system's to choose). */
  accrue(
    memberId: string,
    orderId: string,
    amount: number,
    earnedAt: number,
    lotId: string | undefined,
  ): Outcome<{ points: number; debtPaid: number; lot: { availableAt: number; expiresAt: number | null } | null }> {
    // An unknown member is refused before the order is checked: the order's uniqueness is only
    // known to D1's primary key when the batch commits.
    if (!this.members.has(memberId) && !this.settings.enrollOnAccrual) return refuse("member_not_found");
    if (this.orders.some((o) => o.orderId === orderId)) return refuse("order_already_accrued");
    if (!this.members.has(memberId)) this.enroll(memberId);
    const member = this.members.get(memberId)!;
    const base = pointsFor(amount);
    let points = base;
    for (const rule of this.settings.rules ?? []) {
      if (amount < rule.atLeast) continue;
      const given = rule.effect.type === "fixed" ? rule.effect.points : Math.floor((base * (rule.effect.percent - 100)) / 100);
      if (given <= 0) continue;
      const key = `${memberId} ${rule.id}`;
      const used = this.grants.get(key) ?? 0;
      if (rule.count !== null && used >= rule.count) continue;
      this.grants.set(key, used + 1);
      points += given;
    }
    const debtPaid = Math.min(member.debt, points);
    let lot: ModelLot | null = null;
    if (points > 0) {
      lot = {
        id: lotId ?? "(missing)",
        orderId,
        points,
        remaining: points - debtPaid,
        expired: 0,
        earnedAt,
        availableAt: earnedAt + this.settings.pendingDays * DAY,
        expiresAt: this.expiryOf(earnedAt),
      };
      member.lots.push(lot);
    }
    member.lastActivity = this.now;
    member.debt -= debtPaid;
    member.lifetimeEarned += points;
    member.qualifyingPoints += points;
    this.orders.push({ orderId, memberId, amount, earnedPoints: points, refundedAmount: 0, clawedBackPoints: 0, lotId: lot?.id ?? null });
    return { ok: true, result: { points, debtPaid, lot: lot && { availableAt: lot.availableAt, expiresAt: lot.expiresAt } } };
  }

  private expiryOf(earnedAt: number): number | null {
    const rule = this.settings.expiry;
    if (rule.policy === "rolling") return earnedAt + rule.days * DAY;
    if (rule.policy === "period_end") {
      const at = new Date(earnedAt);
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    }
    return null;
  }

  /** Takes from the lots that expire first (never-expiring last), then the oldest, then by id. */
  redeem(memberId: string, points: number, hold: boolean, ttlSeconds: number, redemptionId: string | undefined): Outcome<{ status: RedemptionStatus }> {
    const member = this.members.get(memberId);
    if (!member) return refuse("member_not_found");
    const spendable = member.lots
      .filter((l) => l.remaining > 0 && l.availableAt <= this.now && !this.isExpired(l))
      .sort(spendingOrder);
    const available = spendable.reduce((sum, l) => sum + l.remaining, 0);
    if (available < points) return refuse("insufficient_points", { available, requested: points, shortfall: points - available });
    const allocations: ModelRedemption["allocations"] = [];
    let missing = points;
    for (const lot of spendable) {
      if (missing === 0) break;
      const take = Math.min(lot.remaining, missing);
      lot.remaining -= take;
      missing -= take;
      allocations.push({ lotId: lot.id, points: take });
    }
    const status = hold ? "held" : "captured";
    member.lastActivity = this.now;
    this.redemptions.push({
      id: redemptionId ?? "(missing)",
      memberId,
      points,
      status,
      allocations,
      holdExpiresAt: hold ? this.now + ttlSeconds * SECOND : null,
    });
    return { ok: true, result: { status } };
  }

  capture(redemptionId: string): Outcome<{ status: RedemptionStatus }> {
    const redemption = this.redemption(redemptionId);
    if (!redemption) return refuse("redemption_not_found");
    if (redemption.status !== "held") return refuse("redemption_not_capturable");
    redemption.status = "captured";
    redemption.holdExpiresAt = null;
    this.members.get(redemption.memberId)!.lastActivity = this.now;
    return { ok: true, result: { status: "captured" } };
  }

  cancel(redemptionId: string): Outcome<{ status: RedemptionStatus }> {
    const redemption = this.redemption(redemptionId);
    if (!redemption) return refuse("redemption_not_found");
    if (redemption.status !== "held" && redemption.status !== "captured") return refuse("redemption_not_cancellable");
    redemption.status = redemption.status === "held" ? "cancelled" : "reversed";
    redemption.holdExpiresAt = null;
    this.giveBack(redemption);
    return { ok: true, result: { status: redemption.status } };
  }

  /**
   * Takes back the order's points in proportion to everything refunded so far
   * (rounded down); unspent points come out of the order's lot, then out of
   * what the lot lost to expiry (never spent), and only the rest is debt.
   */
  refund(memberId: string, orderId: string, amount: number): Outcome<{ pointsClawedBack: number; fromLot: number; fromExpired: number; addedToDebt: number }> {
    const order = this.orders.find((o) => o.orderId === orderId);
    if (!order || order.memberId !== memberId) return refuse("order_not_found");
    const refundable = order.amount - order.refundedAmount;
    if (amount > refundable) return refuse("refund_exceeds_order");
    const member = this.members.get(memberId)!;
    order.refundedAmount += amount;
    const clawedTotal = Math.floor((order.earnedPoints * order.refundedAmount) / order.amount);
    const pointsClawedBack = clawedTotal - order.clawedBackPoints;
    order.clawedBackPoints = clawedTotal;
    const lot = order.lotId ? this.lot(order.lotId) : null;
    const fromLot = lot ? Math.min(lot.remaining, pointsClawedBack) : 0;
    const fromExpired = lot ? Math.min(lot.expired, pointsClawedBack - fromLot) : 0;
    if (lot) {
      lot.remaining -= fromLot;
      lot.expired -= fromExpired;
    }
    const addedToDebt = pointsClawedBack - fromLot - fromExpired;
    member.debt += addedToDebt;
    member.qualifyingPoints = Math.max(0, member.qualifyingPoints - pointsClawedBack);
    return { ok: true, result: { pointsClawedBack, fromLot, fromExpired, addedToDebt } };
  }
}
