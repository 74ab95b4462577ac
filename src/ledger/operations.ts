// The ledger operations as pure functions: state and input in, a Plan out.
// The member's Durable Object commits the plan in one D1 batch; nothing here
// touches storage or reads a clock.
import { ApiError } from "../lib/errors";
import { allocate, isExpired } from "./allocation";
import { balanceOf, pointsValue } from "./balance";
import { addDays, iso } from "./dates";
import { computeEarning, type Earning } from "./earning";
import { inactivityExpiresAt, lotExpiresAt } from "./expiry";
import { mulDiv } from "./money";
import type { ProgramSettings } from "./settings";
import type {
  Entry,
  HeldAllocation,
  LotIssue,
  MemberRecord,
  MemberState,
  OpenLot,
  OrderRecord,
  OutboxEvent,
  Plan,
  Redemption,
  RedemptionWithAllocations,
} from "./state";
import { periodOf, settlementPeriodFor } from "../settlement/periods";
import { qualifyingGain, upgradedTier } from "./tiers";

export interface OpContext {
  settings: ProgramSettings;
  now: Date;
  newId: (prefix: "lot" | "ent" | "red" | "acc" | "evt") => string;
  /** Partner the calling key is bound to; null for the program's own keys. */
  partnerId: string | null;
  /** The program's settlement calendar; entries are stamped with their period from it. */
  closedThrough?: string | null;
}

export interface EnrollInput {
  email?: string | null;
  name?: string | null;
  attributes?: Record<string, unknown>;
}

export interface AccrualInput {
  orderId: string;
  amount: { amount: number; currency: string };
  channel: string;
  occurredAt: string;
}

export interface RedeemInput {
  mode: "capture" | "hold";
  points: number;
  orderId?: string | null;
  channel: string;
  ttlSeconds?: number;
}

export interface RefundInput {
  orderId: string;
  amount: { amount: number; currency: string };
  reason?: string | null;
}

// ---------------------------------------------------------------- helpers

export function emptyPlan<R>(member: MemberRecord, state: MemberState, result: R): Plan<R> {
  return {
    member,
    memberIsNew: false,
    newLots: [],
    lotDeltas: [],
    entries: [],
    newOrder: null,
    orderRefund: null,
    newRedemption: null,
    redemptionUpdates: [],
    allocations: [],
    events: [],
    nextState: { ...state, member },
    result,
  };
}

export function entry(ctx: OpContext, fields: Partial<Entry> & Pick<Entry, "type" | "points">): Entry {
  const at = iso(ctx.now);
  const occurredAt = fields.occurredAt ?? at;
  return {
    id: ctx.newId("ent"),
    heldPoints: 0,
    lotId: null,
    orderId: null,
    redemptionId: null,
    partnerId: null,
    channel: null,
    details: {},
    occurredAt,
    settlementPeriod: ctx.closedThrough === undefined ? null : settlementPeriodFor(new Date(occurredAt), ctx.settings.settlementPeriod, ctx.closedThrough),
    createdAt: at,
    ...fields,
  };
}

/** `occurredAt`: when the change happened (an order's time, a hold's end), if not when it is recorded. */
export function event(ctx: OpContext, type: string, partnerId: string | null, payload: Record<string, unknown>, occurredAt = iso(ctx.now)): OutboxEvent {
  return { id: ctx.newId("evt"), type, partnerId, payload: { ...payload, occurredAt, recordedAt: iso(ctx.now) } };
}

function requireMember(state: MemberState, memberId: string): MemberRecord {
  if (!state.member) throw new ApiError("member_not_found", `No member '${memberId}' in this program.`);
  return state.member;
}

export function touched(member: MemberRecord, ctx: OpContext, activity: boolean): MemberRecord {
  const at = iso(ctx.now);
  return { ...member, version: member.version + 1, updatedAt: at, lastActivityAt: activity ? at : member.lastActivityAt };
}

export function newMember(memberId: string, input: EnrollInput, now: Date): MemberRecord {
  const at = iso(now);
  return {
    memberId,
    email: input.email ?? null,
    name: input.name ?? null,
    attributes: input.attributes ?? {},
    tier: null,
    qualifyingPoints: 0,
    lifetimeEarned: 0,
    debt: 0,
    version: 1,
    lastActivityAt: null,
    tierDowngradeAt: null,
    tierLockedUntil: null,
    enrolledAt: at,
    updatedAt: at,
  };
}

/**
 * The open lots after the deltas: lots emptied drop out, and lots that get
 * points back (from `returned`, which knows how they were issued) come back in.
 */
function applyLotDeltas(lots: readonly OpenLot[], deltas: Plan<unknown>["lotDeltas"], returned: readonly LotIssue[] = []): OpenLot[] {
  const byId = new Map(lots.map((lot) => [lot.id, lot]));
  for (const issue of returned) if (!byId.has(issue.id)) byId.set(issue.id, { ...issue, remaining: 0 });
  for (const { lotId, delta } of deltas) {
    const lot = byId.get(lotId);
    if (lot) byId.set(lotId, { ...lot, remaining: lot.remaining + delta });
  }
  return [...byId.values()].filter((lot) => lot.remaining > 0);
}

// ---------------------------------------------------------------- enroll

export function enroll(state: MemberState, memberId: string, input: EnrollInput, ctx: OpContext): Plan<{ created: boolean }> {
  if (!state.member) {
    const member = newMember(memberId, input, ctx.now);
    const plan = emptyPlan(member, state, { created: true });
    plan.memberIsNew = true;
    plan.events.push(event(ctx, "member.enrolled", ctx.partnerId, { memberId }));
    return plan;
  }
  const member: MemberRecord = {
    ...touched(state.member, ctx, false),
    email: input.email === undefined ? state.member.email : input.email,
    name: input.name === undefined ? state.member.name : input.name,
    attributes: input.attributes ?? state.member.attributes,
  };
  return emptyPlan(member, state, { created: false });
}

// ---------------------------------------------------------------- accrue

export interface AccrualResult {
  accrualId: string;
  orderId: string;
  points: number;
  breakdown: Earning["breakdown"];
  debtPaid: number;
  lot: { id: string; availableAt: string; expiresAt: string | null } | null;
  tierChange: { from: string | null; to: string | null } | null;
  /** The settlement period the points count in; `movedFrom` names a closed period the order fell in. */
  settlement: { period: string; movedFrom: string | null } | null;
}

export function accrue(state: MemberState, memberId: string, input: AccrualInput, ctx: OpContext): Plan<AccrualResult> {
  const { settings, now } = ctx;
  let current = state.member;
  let memberIsNew = false;
  if (!current) {
    if (!settings.enrollOnAccrual) requireMember(state, memberId);
    current = newMember(memberId, {}, now);
    memberIsNew = true;
  }
  if (input.amount.currency !== settings.currency) {
    throw new ApiError("currency_mismatch", `This program runs in ${settings.currency}, not ${input.amount.currency}.`);
  }
  const earnedAt = new Date(input.occurredAt);
  const earning = computeEarning(input.amount.amount, settings, current.tier);
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
      details: { accrualId, amount: input.amount, breakdown: earning.breakdown, debtPaid },
    }),
  );
  const earnPeriod = plan.entries[0]!.settlementPeriod;
  if (earnPeriod) {
    const own = periodOf(earnedAt, ctx.settings.settlementPeriod);
    result.settlement = { period: earnPeriod, movedFrom: own === earnPeriod ? null : own };
  }
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
  plan.nextState = { member, lots: lot && lot.remaining > 0 ? [...state.lots, lot] : state.lots, holds: state.holds };
  return plan;
}

// ---------------------------------------------------------------- redeem

export interface RedemptionResult {
  redemption: Redemption;
}

export function redeem(state: MemberState, memberId: string, input: RedeemInput, ctx: OpContext): Plan<RedemptionResult> {
  const { settings, now } = ctx;
  const current = requireMember(state, memberId);
  if (input.points < settings.minRedemptionPoints) {
    throw new ApiError("below_minimum_redemption", `This program redeems at least ${settings.minRedemptionPoints} points.`, {
      minimum: settings.minRedemptionPoints,
      requested: input.points,
    });
  }
  const taken = allocate(state.lots, input.points, now);
  if (!taken) {
    const available = balanceOf(state, settings, now).available;
    throw new ApiError("insufficient_points", `The member has ${available} points available; ${input.points} were asked.`, {
      available,
      requested: input.points,
      shortfall: input.points - available,
    });
  }
  const at = iso(now);
  const isHold = input.mode === "hold";
  const redemption: Redemption = {
    id: ctx.newId("red"),
    memberId,
    partnerId: ctx.partnerId,
    status: isHold ? "held" : "captured",
    points: input.points,
    valueAmount: pointsValue(input.points, settings).amount,
    currency: settings.currency,
    orderId: input.orderId ?? null,
    channel: input.channel,
    holdExpiresAt: isHold ? iso(new Date(now.getTime() + (input.ttlSeconds ?? settings.holdTtlSeconds) * 1000)) : null,
    createdAt: at,
    updatedAt: at,
  };
  const member = touched(current, ctx, true);
  const plan = emptyPlan(member, state, { redemption });
  plan.newRedemption = redemption;
  plan.lotDeltas = taken.map((a) => ({ lotId: a.lotId, delta: -a.points }));
  plan.allocations = taken.map((a) => ({ redemptionId: redemption.id, ...a }));
  const refs = { redemptionId: redemption.id, orderId: redemption.orderId, partnerId: ctx.partnerId, channel: input.channel };
  plan.entries.push(
    entry(ctx, {
      type: isHold ? "hold" : "redeem",
      points: isHold ? 0 : -input.points,
      heldPoints: isHold ? input.points : 0,
      ...refs,
      details: { allocations: taken, value: { amount: redemption.valueAmount, currency: redemption.currency } },
    }),
  );
  const payload = { memberId, redemptionId: redemption.id, points: input.points, orderId: redemption.orderId };
  plan.events.push(event(ctx, isHold ? "redemption.held" : "points.redeemed", ctx.partnerId, payload));
  const lotsById = new Map(state.lots.map((l) => [l.id, l]));
  const issueOf = (lotId: string): LotIssue => {
    const { remaining: _remaining, ...issue } = lotsById.get(lotId)!;
    return issue;
  };
  const holds = isHold ? [...state.holds, { ...redemption, allocations: taken.map((a) => ({ ...a, lot: issueOf(a.lotId) })) }] : state.holds;
  plan.nextState = { member, lots: applyLotDeltas(state.lots, plan.lotDeltas), holds };
  return plan;
}

export function captureHold(state: MemberState, redemption: RedemptionWithAllocations, ctx: OpContext): Plan<RedemptionResult> {
  const current = requireMember(state, redemption.memberId);
  const hold = state.holds.find((h) => h.id === redemption.id);
  if (!hold) {
    throw new ApiError("redemption_not_capturable", `Redemption ${redemption.id} is ${redemption.status}; only a held redemption can be captured.`, {
      redemptionStatus: redemption.status,
    });
  }
  if (Date.parse(hold.holdExpiresAt!) <= ctx.now.getTime()) {
    throw new ApiError("hold_expired", `The hold ${hold.id} lapsed at ${hold.holdExpiresAt}.`, { redemptionStatus: "lapsed" });
  }
  const captured: Redemption = { ...stripAllocations(hold), status: "captured", holdExpiresAt: null, updatedAt: iso(ctx.now) };
  const member = touched(current, ctx, true);
  const plan = emptyPlan(member, state, { redemption: captured });
  plan.redemptionUpdates.push({ id: hold.id, fromStatus: "held", status: "captured" });
  plan.entries.push(
    entry(ctx, {
      type: "redeem",
      points: -hold.points,
      heldPoints: -hold.points,
      redemptionId: hold.id,
      orderId: hold.orderId,
      partnerId: hold.partnerId,
      channel: hold.channel,
      details: { capturedHold: true, value: { amount: hold.valueAmount, currency: hold.currency } },
    }),
  );
  const payload = { memberId: hold.memberId, redemptionId: hold.id, points: hold.points, orderId: hold.orderId };
  plan.events.push(event(ctx, "redemption.captured", hold.partnerId, payload));
  plan.events.push(event(ctx, "points.redeemed", hold.partnerId, payload));
  plan.nextState = { member, lots: state.lots, holds: state.holds.filter((h) => h.id !== hold.id) };
  return plan;
}

function stripAllocations(r: RedemptionWithAllocations): Redemption {
  const { allocations: _allocations, ...redemption } = r;
  return redemption;
}

/**
 * Gives a redemption's points back to the lots they came from. Points whose
 * lot has expired meanwhile come back as expired: a release entry followed by
 * an expire entry, so the history says what happened to each point.
 */
function returnPoints(plan: Plan<unknown>, redemption: RedemptionWithAllocations, ctx: OpContext, type: "release" | "reverse") {
  const wasHeld = type === "release";
  const expired: HeldAllocation[] = [];
  const deltas: Plan<unknown>["lotDeltas"] = [];
  // Under the inactivity policy a member idle too long has lost every point, these included.
  const lastActivity = plan.member.lastActivityAt ? new Date(plan.member.lastActivityAt) : null;
  const idleUntil = inactivityExpiresAt(ctx.settings.expiry, lastActivity);
  const idle = idleUntil !== null && idleUntil.getTime() <= ctx.now.getTime();
  for (const allocation of redemption.allocations) {
    if (idle || isExpired(allocation.lot, ctx.now)) expired.push(allocation);
    else deltas.push({ lotId: allocation.lotId, delta: allocation.points });
  }
  plan.lotDeltas.push(...deltas);
  const refs = { redemptionId: redemption.id, orderId: redemption.orderId, partnerId: redemption.partnerId, channel: redemption.channel };
  plan.entries.push(
    entry(ctx, {
      type,
      points: wasHeld ? 0 : redemption.points,
      heldPoints: wasHeld ? -redemption.points : 0,
      ...refs,
      details: { allocations: redemption.allocations.map(({ lotId, points }) => ({ lotId, points })) },
    }),
  );
  // One expire entry per lot, naming the partner that issued it: breakage is settled per issuer.
  for (const allocation of expired) {
    plan.entries.push(
      entry(ctx, {
        type: "expire",
        points: -allocation.points,
        ...refs,
        lotId: allocation.lotId,
        partnerId: allocation.lot.partnerId,
        details: { reason: "returned_to_expired_lot", redeemer: redemption.partnerId },
      }),
    );
  }
  plan.nextState = {
    member: plan.member,
    lots: applyLotDeltas(plan.nextState.lots, deltas, redemption.allocations.map((a) => a.lot)),
    holds: plan.nextState.holds.filter((h) => h.id !== redemption.id),
  };
}

export function cancelRedemption(
  state: MemberState,
  redemption: RedemptionWithAllocations,
  ctx: OpContext,
  reason: "cancelled" | "lapsed" = "cancelled",
): Plan<RedemptionResult> {
  const current = requireMember(state, redemption.memberId);
  const hold = state.holds.find((h) => h.id === redemption.id);
  const isHeld = hold !== undefined;
  if (!isHeld && redemption.status !== "captured") {
    throw new ApiError("redemption_not_cancellable", `Redemption ${redemption.id} is ${redemption.status}: nothing to cancel.`, {
      redemptionStatus: redemption.status,
    });
  }
  // A hold past its time lapses rather than being cancelled: its timer won.
  const lapsed = isHeld && (reason === "lapsed" || Date.parse(hold.holdExpiresAt!) <= ctx.now.getTime());
  const status: Redemption["status"] = isHeld ? (lapsed ? "lapsed" : "cancelled") : "reversed";
  const source = hold ?? redemption;
  const updated: Redemption = { ...stripAllocations(source), status, holdExpiresAt: null, updatedAt: iso(ctx.now) };
  const member = touched(current, ctx, false);
  const plan = emptyPlan(member, state, { redemption: updated });
  plan.redemptionUpdates.push({ id: source.id, fromStatus: source.status, status });
  returnPoints(plan, source, ctx, isHeld ? "release" : "reverse");
  const payload = { memberId: source.memberId, redemptionId: source.id, points: source.points, orderId: source.orderId };
  plan.events.push(
    event(ctx, lapsed ? "redemption.lapsed" : "redemption.cancelled", source.partnerId, {
      ...payload,
      previousStatus: source.status,
    }, lapsed ? hold.holdExpiresAt! : undefined),
  );
  return plan;
}

/** Lapses every hold whose time has run out. Returns null when none is due. */
export function lapseDueHolds(state: MemberState, ctx: OpContext): Plan<{ lapsed: string[] }> | null {
  const due = state.holds.filter((h) => Date.parse(h.holdExpiresAt!) <= ctx.now.getTime());
  if (due.length === 0 || !state.member) return null;
  const member = touched(state.member, ctx, false);
  const plan: Plan<{ lapsed: string[] }> = emptyPlan(member, state, { lapsed: due.map((h) => h.id) });
  for (const hold of due) {
    plan.redemptionUpdates.push({ id: hold.id, fromStatus: "held", status: "lapsed" });
    returnPoints(plan, hold, ctx, "release");
    plan.events.push(
      event(ctx, "redemption.lapsed", hold.partnerId, { memberId: hold.memberId, redemptionId: hold.id, points: hold.points }, hold.holdExpiresAt!),
    );
  }
  return plan;
}

// ---------------------------------------------------------------- refund

export interface RefundResult {
  refundId: string;
  orderId: string;
  refundedAmount: { amount: number; currency: string };
  pointsClawedBack: number;
  fromLot: number;
  addedToDebt: number;
}

/**
 * Takes back what an order earned, in proportion to the refunded amount
 * (cumulative, so several partial refunds add up to exactly the points of a
 * full one). Unspent points come out of the order's lot; what the member
 * already spent becomes debt.
 */
export function refund(
  state: MemberState,
  memberId: string,
  order: OrderRecord,
  input: RefundInput,
  ctx: OpContext,
): Plan<RefundResult> {
  const current = requireMember(state, memberId);
  if (input.amount.currency !== order.currency) {
    throw new ApiError("currency_mismatch", `Order ${order.orderId} was paid in ${order.currency}.`);
  }
  const refundable = order.amount - order.refundedAmount;
  if (input.amount.amount > refundable) {
    throw new ApiError("refund_exceeds_order", `Only ${refundable} of order ${order.orderId} is left to refund.`, {
      refundable: { amount: refundable, currency: order.currency },
    });
  }
  const refundedAmount = order.refundedAmount + input.amount.amount;
  const clawedTotal = order.amount === 0 ? order.earnedPoints : mulDiv(order.earnedPoints, refundedAmount, order.amount, "floor");
  const clawNow = clawedTotal - order.clawedBackPoints;
  const lot = order.lotId ? state.lots.find((l) => l.id === order.lotId) : undefined;
  const fromLot = lot ? Math.min(lot.remaining, clawNow) : 0;
  const addedToDebt = clawNow - fromLot;

  const member: MemberRecord = {
    ...touched(current, ctx, false),
    debt: current.debt + addedToDebt,
    qualifyingPoints: Math.max(0, current.qualifyingPoints - qualifyingGain(ctx.settings, clawNow, input.amount.amount)),
  };
  const refundId = ctx.newId("ent");
  const result: RefundResult = {
    refundId,
    orderId: order.orderId,
    refundedAmount: input.amount,
    pointsClawedBack: clawNow,
    fromLot,
    addedToDebt,
  };
  const plan = emptyPlan(member, state, result);
  plan.orderRefund = { issuer: order.issuer, orderId: order.orderId, refundedAmount, clawedBackPoints: clawedTotal };
  if (fromLot > 0) plan.lotDeltas.push({ lotId: lot!.id, delta: -fromLot });
  plan.entries.push({
    ...entry(ctx, {
      type: "clawback",
      points: -clawNow,
      lotId: order.lotId,
      orderId: order.orderId,
      partnerId: order.issuer || null,
      details: { refundedAmount: input.amount, fromLot, addedToDebt, reason: input.reason ?? null },
    }),
    id: refundId,
  });
  plan.events.push(
    event(ctx, "points.refunded", order.issuer || null, {
      memberId,
      orderId: order.orderId,
      points: clawNow,
      addedToDebt,
      refundedAmount: input.amount,
    }),
  );
  plan.nextState = { member, lots: applyLotDeltas(state.lots, plan.lotDeltas), holds: state.holds };
  return plan;
}

