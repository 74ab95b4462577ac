// Plan building shared by every ledger operation: the empty plan, entries, events, member records and lot deltas.
import { memberNotFound } from "./errors";
import { iso } from "./dates";
import { settlementPeriodFor } from "./periods";
import type { ProgramSettings } from "./settings";
import type { EntryType } from "./entries";
import type { EventPayloadsByType, EventType } from "./events";
import type { Entry, LotIssue, MemberRecord, MemberState, OpenLot, OutboxEvent, Plan } from "./state";

export interface OpContext {
  settings: ProgramSettings;
  now: Date;
  newId: (prefix: "lot" | "ent" | "red" | "acc" | "evt") => string;
  /** Partner the calling key is bound to; null for the program's own keys. */
  partnerId: string | null;
  /** The program's settlement calendar; entries are stamped with their period from it. */
  closedThrough?: string | null;
}

export function emptyPlan<R>(member: MemberRecord, state: MemberState, result: R): Plan<R> {
  return {
    member,
    memberBefore: state.member,
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

/** What a plan names for an entry, its type's details included; the references default to null. */
export type EntryInput = {
  [T in EntryType]: Pick<Extract<Entry, { type: T }>, "type" | "points" | "details"> & Partial<Omit<Extract<Entry, { type: T }>, "type" | "points" | "details">>;
}[EntryType];

export function entry(ctx: OpContext, fields: EntryInput): Entry {
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
    occurredAt,
    settlementPeriod: ctx.closedThrough === undefined ? null : settlementPeriodFor(new Date(occurredAt), ctx.settings.settlementPeriod, ctx.closedThrough),
    createdAt: at,
    ...fields,
  };
}

/** `occurredAt`: when the change happened (an order's time, a hold's end), if not when it is recorded. */
export function event<T extends EventType>(
  ctx: OpContext,
  type: T,
  partnerId: string | null,
  payload: EventPayloadsByType[T],
  occurredAt = iso(ctx.now),
): OutboxEvent {
  // The signature checks the payload against its type; the compiler cannot follow T into the union here.
  return { id: ctx.newId("evt"), type, partnerId, payload: { ...payload, occurredAt, recordedAt: iso(ctx.now) } } as OutboxEvent;
}

export function requireMember(state: MemberState, memberId: string): MemberRecord {
  if (!state.member) throw memberNotFound(memberId);
  return state.member;
}

export function touched(member: MemberRecord, ctx: OpContext, activity: boolean): MemberRecord {
  const at = iso(ctx.now);
  return { ...member, version: member.version + 1, updatedAt: at, lastActivityAt: activity ? at : member.lastActivityAt };
}

/** A member's first record; what enrolment may set, anything else starts empty. */
export function newMember(memberId: string, input: Partial<Pick<MemberRecord, "email" | "name" | "attributes" | "birthday">>, now: Date): MemberRecord {
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
    birthday: input.birthday ?? null,
    // As D1 reads it back, so the object's cached member equals a fresh load.
    marketingConsent: null,
  };
}

/**
 * The open lots after the deltas: lots emptied drop out, and lots that get
 * points back (from `returned`, which knows how they were issued) come back in.
 */
export function applyLotDeltas(lots: readonly OpenLot[], deltas: Plan<unknown>["lotDeltas"], returned: readonly LotIssue[] = []): OpenLot[] {
  // One pass over the lots, copying only those a delta touches: a debit's deltas name a lot or two of hundreds.
  const change = new Map<string, number>();
  for (const { lotId, delta } of deltas) change.set(lotId, (change.get(lotId) ?? 0) + delta);
  const next: OpenLot[] = [];
  for (const lot of lots) {
    const delta = change.get(lot.id);
    const remaining = lot.remaining + (delta ?? 0);
    if (remaining > 0) next.push(delta === undefined ? lot : { ...lot, remaining });
  }
  if (returned.length === 0) return next;
  const seen = new Set(lots.map((lot) => lot.id));
  for (const issue of returned) {
    if (seen.has(issue.id)) continue;
    seen.add(issue.id);
    const remaining = change.get(issue.id) ?? 0;
    if (remaining > 0) next.push({ ...issue, remaining });
  }
  return next;
}
