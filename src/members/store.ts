// Reads a member's ledger state from D1 and commits a Plan as ONE atomic batch.
import { auditInsert } from "../audit/audit";
import { and, asc, eq, gt, inArray, lte, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { activities, allocations, budgetDraws, entries, expiryWarnings, idempotencyKeys, kpiPending, lots, memberBonuses, memberRuleGrants, importLines, members, orderEarnings, orders, outboxEvents, programs, redemptions, rewardClaims } from "../db/schema";
import { errorMessages } from "../db/transient";
import { entryFigures } from "../ledger/entries";
import { memberStatsStatements } from "../segments/batch";
import { assertPlanInRange } from "../ledger/limits";
import type { DomainCode, DomainFailure } from "../ledger/errors";
import type { OrderLot } from "../ledger/ops/refund";
import { pendingKpiRow } from "../kpis/fold";
import { insertRow, toD1, updateRows } from "../db/statements";
import { emptyWrites } from "../kpis/rollups";
import type { MemberRecord, MemberState, OpenLot, OrderEarning, OrderRecord, Plan, RedemptionWithAllocations, RestOfLots } from "../ledger/state";
import type { EarnLine } from "../campaigns/evaluate";

/** Idempotency records outlive the 24 hours the brief promises. */
const IDEMPOTENCY_RETENTION_MS = 48 * 3600 * 1000;

export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
  /**
   * Whether a business refusal is kept for the key and replayed (the default).
   * Bulk items say no: their key is the item's identity, not one attempt.
   */
  storeRefusals?: boolean;
}

/**
 * What an Idempotency-Key replays: the operation's outcome in the ledger's
 * terms, a refusal with the requestId it was first answered under. The HTTP
 * layer renders it as it rendered the first answer, so status and body come
 * back exactly, and the object stays free of HTTP.
 */
export type StoredOutcome<T = unknown, C extends boolean = boolean> =
  | { ok: true; value: T; created?: C }
  | { ok: false; error: DomainFailure; requestId?: string };

export interface StoredResponse {
  requestHash: string;
  outcome: StoredOutcome;
  /** The member was erased since: the record keeps only its key (any request under it gets ERASED_OUTCOME). */
  erased?: boolean;
}

/**
 * The status column of a record holding an outcome. Records written before
 * outcomes were kept hold the HTTP status and body they answered (201 for a
 * creation, a problem body from 400 up); they replay alike until they expire.
 */
const OUTCOME_RECORD = 0;

/**
 * The status column of a record whose member was erased: its body and request
 * hash are gone with the member's data (src/privacy/erase.ts), its key stays
 * spent, so a retry is answered `idempotent_response_erased` and posts nothing.
 * Negative: never an HTTP status of an older record.
 */
export const ERASED_RECORD = -1;

/** What a retry under an erased record is answered. */
export const ERASED_OUTCOME: StoredOutcome = {
  ok: false,
  error: {
    code: "idempotent_response_erased",
    detail: "This Idempotency-Key was answered before the member's personal data was erased, and its answer was erased with it; nothing was done again.",
    data: {},
  },
};

type MemberRow = typeof members.$inferSelect;
type LotRow = typeof lots.$inferSelect;

export function toMember(row: MemberRow): MemberRecord {
  return {
    memberId: row.memberId,
    email: row.email,
    name: row.name,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    tier: row.tier,
    qualifyingPoints: row.qualifyingPoints,
    lifetimeEarned: row.lifetimeEarned,
    debt: row.debt,
    version: row.version,
    lastActivityAt: row.lastActivityAt,
    tierDowngradeAt: row.tierDowngradeAt,
    tierLockedUntil: row.tierLockedUntil,
    enrolledAt: row.enrolledAt,
    updatedAt: row.updatedAt,
    birthday: row.birthdayMonth !== null && row.birthdayDay !== null ? { month: row.birthdayMonth, day: row.birthdayDay, year: row.birthdayYear } : null,
    ...(row.erasedAt ? { erasedAt: row.erasedAt } : {}),
    marketingConsent:
      row.marketingConsent === null ? null : { granted: row.marketingConsent, at: row.marketingConsentAt ?? row.updatedAt, source: row.marketingConsentSource ?? "api" },
  };
}

function toLot(row: LotRow): OpenLot {
  return {
    id: row.id,
    partnerId: row.partnerId,
    orderId: row.orderId,
    points: row.points,
    remaining: row.remaining,
    earnedAt: row.earnedAt,
    availableAt: row.availableAt,
    expiresAt: row.expiresAt,
  };
}

export function memberQuery(db: Database, programId: string, memberId: string) {
  return db.select().from(members).where(and(eq(members.programId, programId), eq(members.memberId, memberId)));
}

/** Uses a partial index of the member's open lots: open lots only, never the history. */
export function openLotsQuery(db: Database, programId: string, memberId: string) {
  return db
    .select()
    .from(lots)
        // A literal 0, not a bound parameter, so the partial index's condition is plainly implied.
    .where(and(eq(lots.programId, programId), eq(lots.memberId, memberId), sql`${lots.remaining} > 0`));
}

function openLotsOf(programId: string, memberId: string) {
  return and(eq(lots.programId, programId), eq(lots.memberId, memberId), sql`${lots.remaining} > 0`);
}

/** Spending order (allocation.ts) in SQL: earliest expiry first, never-expiring last ('~' sorts after any ISO date), then oldest. */
const SPENDING_ORDER = [sql`ifnull(${lots.expiresAt}, '~')`, asc(lots.earnedAt), asc(lots.id)];

/** Uses lots_open_by_spending: the member's first open lots in spending order, reading no more than `limit`. */
export function firstOpenLotsQuery(db: Database, programId: string, memberId: string, limit: number) {
  return db.select().from(lots).where(openLotsOf(programId, memberId)).orderBy(...SPENDING_ORDER).limit(limit);
}

/** Uses lots_open_by_availability: the lots still in their pending period at `now`. */
export function pendingLotsQuery(db: Database, programId: string, memberId: string, now: string) {
  return db.select().from(lots).where(and(openLotsOf(programId, memberId), gt(lots.availableAt, now)));
}

/**
 * The open lots that neither the first `limit` nor the pending ones include:
 * their sum and their first expiry dates, what the balance needs of them.
 * SQLite adds them up inside D1, so the object never holds them.
 */
export function restOfLotsQueries(db: Database, programId: string, memberId: string, limit: number, now: string) {
  const first = db.select({ id: lots.id }).from(lots).where(openLotsOf(programId, memberId)).orderBy(...SPENDING_ORDER).limit(limit);
  const rest = and(openLotsOf(programId, memberId), lte(lots.availableAt, now), notInArray(lots.id, first));
  // The expiry as lots_open_by_spending holds it, so the dates come in its order and the query stops
  // at the fifth; '~' is the never-expiring lots' place, and no date.
  const expiry = SPENDING_ORDER[0]!;
  return [
    db.select({ points: sql<number>`coalesce(sum(${lots.remaining}), 0)` }).from(lots).where(rest),
    db
      .select({ expiresAt: sql<string>`${expiry}`, points: sql<number>`sum(${lots.remaining})` })
      .from(lots)
      .where(and(rest, sql`${expiry} < '~'`))
      .groupBy(expiry)
      .orderBy(expiry)
      .limit(EXPIRIES_OF_REST),
  ] as const;
}

/** As many expiry dates as the balance shows: a later date of the rest can never be among the first five. */
const EXPIRIES_OF_REST = 5;

function heldQuery(db: Database, programId: string, memberId: string) {
  return db
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.programId, programId), eq(redemptions.memberId, memberId), eq(redemptions.status, "held")));
}

function idempotencyQuery(db: Database, programId: string, claim: IdempotencyClaim) {
  return db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key)));
}

/** Attaches allocations (with their lots' expiry) to redemptions. */
async function withAllocations(
  db: Database,
  rows: (typeof redemptions.$inferSelect)[],
): Promise<RedemptionWithAllocations[]> {
  if (rows.length === 0) return [];
  const taken = await db
    .select({ redemptionId: allocations.redemptionId, points: allocations.points, lot: lots })
    .from(allocations)
    .innerJoin(lots, eq(lots.id, allocations.lotId))
    .where(inArray(allocations.redemptionId, rows.map((r) => r.id)));
  return rows.map(({ programId: _programId, ...row }) => ({
    ...row,
    allocations: taken
      .filter((a) => a.redemptionId === row.id)
      .map(({ points, lot }) => {
        const { remaining: _remaining, ...issue } = toLot(lot);
        return { lotId: lot.id, points, lot: issue };
      }),
  }));
}

/**
 * What the member's object loads when its cache is empty, in one round trip:
 * the member, their open lots and holds, and the program's latest closed
 * settlement period.
 */
export async function readMemberState(
  db: Database,
  programId: string,
  memberId: string,
  options: { window: number; now: Date } | null = null,
): Promise<{ state: MemberState; closedThrough: string | null }> {
  const common = [
    memberQuery(db, programId, memberId),
    heldQuery(db, programId, memberId),
    db.select({ closedThrough: programs.closedThrough }).from(programs).where(eq(programs.id, programId)),
  ] as const;
  if (!options) {
    const [memberRows, heldRows, programRows, lotRows] = await db.batch([...common, openLotsQuery(db, programId, memberId)]);
    return { state: await toState(db, memberRows, lotRows, heldRows), closedThrough: programRows[0]?.closedThrough ?? null };
  }
  // A window: the first lots in spending order, the pending ones, and sums of the others, in the same round trip.
  const now = options.now.toISOString();
  const [memberRows, heldRows, programRows, firstRows, pendingRows, [sum], expiries] = await db.batch([
    ...common,
    firstOpenLotsQuery(db, programId, memberId, options.window),
    pendingLotsQuery(db, programId, memberId, now),
    ...restOfLotsQueries(db, programId, memberId, options.window, now),
  ]);
  const loaded = new Map([...firstRows, ...pendingRows].map((row) => [row.id, row]));
  const state = await toState(db, memberRows, [...loaded.values()], heldRows);
  const last = firstRows.at(-1);
  // Fewer than the window: every open lot is loaded.
  const rest: RestOfLots | null =
    last && firstRows.length === options.window
      ? { points: Number(sum?.points ?? 0), expiries: expiries.map((e) => ({ expiresAt: e.expiresAt, points: Number(e.points) })), after: { id: last.id, expiresAt: last.expiresAt, earnedAt: last.earnedAt } }
      : null;
  return { state: { ...state, rest }, closedThrough: programRows[0]?.closedThrough ?? null };
}

export async function readStoredResponse(db: Database, programId: string, claim: IdempotencyClaim): Promise<StoredResponse | null> {
  return toStored((await idempotencyQuery(db, programId, claim))[0]);
}

/**
 * Keeps a business refusal as the key's answer, unless the key already has
 * one: ONE round trip that inserts if the key is free and reads what the key
 * holds either way. Returns the record that was there before, or null when
 * this refusal is now the record.
 */
export async function storeRefusal(
  db: Database,
  programId: string,
  memberId: string,
  claim: IdempotencyClaim,
  refusal: StoredOutcome,
  now: Date,
): Promise<StoredResponse | null> {
  const [inserted, existing] = await db.batch([
    db
      .insert(idempotencyKeys)
      .values(idempotencyRecord(programId, memberId, claim, refusal, now))
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key }),
    idempotencyQuery(db, programId, claim),
  ]);
  return inserted.length > 0 ? null : toStored(existing[0]);
}

function idempotencyRecord(programId: string, memberId: string, claim: IdempotencyClaim, outcome: StoredOutcome, now: Date) {
  return {
    programId,
    memberId,
    scope: claim.scope,
    key: claim.key,
    requestHash: claim.requestHash,
    status: OUTCOME_RECORD,
    body: JSON.stringify(outcome),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_RETENTION_MS).toISOString(),
  };
}

function toStored(row: typeof idempotencyKeys.$inferSelect | undefined): StoredResponse | null {
  if (!row) return null;
  if (row.status === ERASED_RECORD) return { requestHash: row.requestHash, outcome: ERASED_OUTCOME, erased: true };
  const body: unknown = JSON.parse(row.body);
  return { requestHash: row.requestHash, outcome: row.status === OUTCOME_RECORD ? (body as StoredOutcome) : legacyOutcome(row.status, body) };
}

/** An HTTP answer kept by an older version, as the outcome it was rendered from (problemBody's inverse). */
function legacyOutcome(status: number, body: unknown): StoredOutcome {
  if (status < 400) return { ok: true, value: body, created: status === 201 };
  const { type: _type, title: _title, status: _status, detail, code, requestId, ...data } = body as Record<string, unknown>;
  return { ok: false, error: { code: code as DomainCode, detail: String(detail), data }, requestId: requestId as string | undefined };
}

async function toState(
  db: Database,
  memberRows: MemberRow[],
  lotRows: LotRow[],
  heldRows: (typeof redemptions.$inferSelect)[],
): Promise<MemberState> {
  return {
    member: memberRows[0] ? toMember(memberRows[0]) : null,
    lots: lotRows.map(toLot),
    holds: await withAllocations(db, heldRows),
  };
}

export async function readRedemption(db: Database, programId: string, redemptionId: string): Promise<RedemptionWithAllocations | null> {
  const rows = await db
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.programId, programId), eq(redemptions.id, redemptionId)));
  const [withAlloc] = await withAllocations(db, rows);
  return withAlloc ?? null;
}

/** What a refund of an order needs: the order, its lot (open or not: a refund may take from a lot that expiry emptied), its campaign lines. */
export interface RefundableOrder {
  order: OrderRecord;
  lot: OrderLot | null;
  /** The order's campaign lines, kept when campaign rules gave it points; null for any other order. */
  earning: OrderEarning | null;
}

/**
 * The order with its lot and campaign lines, in one round trip to D1 (a
 * refund's only read before its batch): the lot joined by the order's lot id,
 * the lines by the same key. Null when the issuer has no such order.
 */
export async function readRefundable(db: Database, programId: string, issuer: string, orderId: string): Promise<RefundableOrder | null> {
  const [orderRows, earningRows] = await db.batch([
    db
      .select({ order: orders, lot: { id: lots.id, remaining: lots.remaining, expired: lots.expired } })
      .from(orders)
      .leftJoin(lots, and(eq(lots.programId, orders.programId), eq(lots.id, orders.lotId)))
      .where(and(eq(orders.programId, programId), eq(orders.issuer, issuer), eq(orders.orderId, orderId))),
    db
      .select()
      .from(orderEarnings)
      .where(and(eq(orderEarnings.programId, programId), eq(orderEarnings.issuer, issuer), eq(orderEarnings.orderId, orderId))),
  ]);
  const [row] = orderRows;
  if (!row) return null;
  const { programId: _programId, ...order } = row.order;
  const [lines] = earningRows;
  const earning: OrderEarning | null = lines
    ? {
        issuer,
        orderId,
        breakdown: JSON.parse(lines.breakdown) as EarnLine[],
        refundedItems: JSON.parse(lines.refundedItems) as OrderEarning["refundedItems"],
        returned: JSON.parse(lines.returned) as OrderEarning["returned"],
      }
    : null;
  return { order, lot: row.lot, earning };
}

export async function readOrder(db: Database, programId: string, issuer: string, orderId: string): Promise<OrderRecord | null> {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.programId, programId), eq(orders.issuer, issuer), eq(orders.orderId, orderId)));
  if (!row) return null;
  const { programId: _programId, ...order } = row;
  return order;
}

/**
 * The member's columns as an update sets them. An update guarded by the version trigger changes a row
 * D1 holds exactly as the object read it: it needs only the columns that differ from that reading
 * (fewer values to send and bind, and the indexes on columns it leaves alone are not touched).
 */
export function memberUpdate(m: MemberRecord, before: MemberRecord | null | undefined): Partial<ReturnType<typeof memberColumns>> {
  if (!before || before.version + 1 !== m.version) return memberColumns(m);
  const sameAttributes = before.attributes === m.attributes;
  const next: Partial<ReturnType<typeof memberColumns>> = memberColumns(m, !sameAttributes);
  const prev = memberColumns(before, !sameAttributes);
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) if (next[key] !== prev[key]) changed[key] = next[key];
  return changed;
}

/** The member's columns as a batch writes them (all but the key and enrolledAt; the attributes unless told not to). */
export function memberColumns(m: MemberRecord, withAttributes = true) {
  return {
    email: m.email,
    name: m.name,
    attributes: withAttributes ? JSON.stringify(m.attributes) : undefined,
    tier: m.tier,
    qualifyingPoints: m.qualifyingPoints,
    lifetimeEarned: m.lifetimeEarned,
    debt: m.debt,
    version: m.version,
    lastActivityAt: m.lastActivityAt,
    tierDowngradeAt: m.tierDowngradeAt,
    tierLockedUntil: m.tierLockedUntil,
    updatedAt: m.updatedAt,
    // A record without the field (built before birthdays) leaves the columns as they are.
    ...(m.birthday === undefined
      ? {}
      : { birthdayMonth: m.birthday?.month ?? null, birthdayDay: m.birthday?.day ?? null, birthdayYear: m.birthday?.year ?? null }),
    // A re-enrollment after erasure clears the mark (erasure itself is written by src/privacy/erase.ts).
    ...(m.erasedAt === null ? { erasedAt: null } : {}),
    // A record without the field leaves the consent as stored.
    ...(m.marketingConsent === undefined
      ? {}
      : { marketingConsent: m.marketingConsent?.granted ?? null, marketingConsentAt: m.marketingConsent?.at ?? null, marketingConsentSource: m.marketingConsent?.source ?? null }),
  };
}

/** A new member's row, as commitPlan inserts it (an import writing many new members at once builds the same). */
export function newMemberRow(programId: string, m: MemberRecord) {
  return { programId, memberId: m.memberId, enrolledAt: m.enrolledAt, ...memberColumns(m) };
}

export function newLotRow(programId: string, memberId: string, lot: Plan<unknown>["newLots"][number], at: string) {
  return { ...lot, programId, memberId, createdAt: at };
}

/** An event's outbox row, written in the batch of the change it tells of. */
export function outboxRow(programId: string, memberId: string, ev: Plan<unknown>["events"][number], at: string) {
  return { id: ev.id, programId, memberId, partnerId: ev.partnerId, type: ev.type, payload: JSON.stringify(ev.payload), createdAt: at };
}

export function entryRow(programId: string, memberId: string, e: Plan<unknown>["entries"][number]) {
  return { ...e, ...entryFigures(e), programId, memberId, details: JSON.stringify(e.details) };
}

/**
 * Commits everything a plan writes, plus the idempotency record and the
 * outbox rows, in ONE D1 batch: it all lands or none of it does.
 */
export async function commitPlan(
  db: Database,
  programId: string,
  plan: Plan<unknown>,
  idempotency: { claim: IdempotencyClaim; outcome: StoredOutcome } | null,
  now: Date,
  /** Rows of a capability's own tables (referrals, memberships) that belong to this change. */
  extra: readonly BatchItem<"sqlite">[] = [],
): Promise<void> {
  await db.$client.batch(planStatements(db, programId, plan, idempotency, now, extra));
}

/**
 * The plan's batch as D1 statements. What every change writes (its member
 * row, lots, entries, events, the key's record) is bound into SQL kept per
 * shape (src/db/statements.ts); the rest is built by drizzle.
 */
function planStatements(
  db: Database,
  programId: string,
  plan: Plan<unknown>,
  idempotency: { claim: IdempotencyClaim; outcome: StoredOutcome } | null,
  now: Date,
  extra: readonly BatchItem<"sqlite">[],
): [D1PreparedStatement, ...D1PreparedStatement[]] {
  assertPlanInRange(plan);
  const d1 = db.$client;
  const drizzled = (query: BatchItem<"sqlite">) => toD1(d1, query);
  const at = now.toISOString();
  const m = plan.member;
  const memberKey = { programId, memberId: m.memberId };
  const statements: D1PreparedStatement[] = [];
  // The version trigger aborts the batch unless an update is exactly one step past what the object read.
  statements.push(plan.memberIsNew ? insertRow(d1, members, newMemberRow(programId, m)) : updateRows(d1, members, memberUpdate(m, plan.memberBefore), memberKey));
  for (const lot of plan.newLots) statements.push(insertRow(d1, lots, newLotRow(programId, m.memberId, lot, at)));
  if (plan.newOrder) statements.push(insertRow(d1, orders, { ...plan.newOrder, programId }));
  if (plan.orderRefund) {
    const { issuer, orderId, refundedAmount, clawedBackPoints } = plan.orderRefund;
    statements.push(updateRows(d1, orders, { refundedAmount, clawedBackPoints }, { programId, issuer, orderId }));
  }
  if (plan.newRedemption) statements.push(insertRow(d1, redemptions, { ...plan.newRedemption, programId }));
  for (const update of plan.redemptionUpdates) {
    statements.push(updateRows(d1, redemptions, { status: update.status, holdExpiresAt: null, updatedAt: at }, { programId, id: update.id, status: update.fromStatus }));
  }
  for (const allocation of plan.allocations) statements.push(insertRow(d1, allocations, { ...allocation, programId }));
  // Deltas, not absolute values: the CHECK on remaining refuses any overdraw.
  for (const { lotId, delta, expired } of plan.lotDeltas) statements.push(d1.prepare(LOT_DELTA_SQL).bind(delta, expired ?? 0, programId, lotId));
  for (const e of plan.entries) statements.push(insertRow(d1, entries, entryRow(programId, m.memberId, e)));
  for (const ev of plan.events) statements.push(insertRow(d1, outboxEvents, outboxRow(programId, m.memberId, ev, at)));
  // A plain insert: a warning already recorded aborts the batch, so its event is never sent twice.
  for (const warning of plan.expiryWarnings ?? []) statements.push(insertRow(d1, expiryWarnings, { programId, memberId: m.memberId, ...warning, createdAt: at }));
  // One pending row, folded into the rollups off this path (src/kpis/fold.ts).
  const statsGrants = (plan.ruleGrants ?? []).filter((g) => !g.counted).map(({ counted: _, ...g }) => ({ memberId: m.memberId, ...g }));
  const pending = pendingKpiRow(programId, statsGrants.length ? { ...(plan.kpi ?? emptyWrites()), grants: statsGrants } : plan.kpi, at);
  if (pending) statements.push(insertRow(d1, kpiPending, pending));
  // A claim lands with the redemption that paid for it. A coupon's move out of `issued` is by id alone: the
  // status trigger aborts the batch when the coupon has moved already (a use that won a race with a cancel).
  for (const claim of plan.rewardClaims?.inserts ?? []) statements.push(insertRow(d1, rewardClaims, { ...claim, programId, gives: JSON.stringify(claim.gives) }));
  for (const update of plan.rewardClaims?.updates ?? []) statements.push(updateRows(d1, rewardClaims, { status: update.status, updatedAt: at }, { programId, id: update.id }));
  if (plan.memberStats) statements.push(...memberStatsStatements(d1, programId, m.memberId, plan.memberStats, at));
  statements.push(...extra.map(drizzled));
  for (const row of plan.audit ?? []) statements.push(drizzled(auditInsert(db, row)));
  if (plan.newOrderEarning) {
    const { issuer, orderId, breakdown } = plan.newOrderEarning;
    statements.push(insertRow(d1, orderEarnings, { programId, issuer, orderId, breakdown: JSON.stringify(breakdown) }));
  }
  if (plan.orderEarningUpdate) {
    const { issuer, orderId, refundedItems, returned } = plan.orderEarningUpdate;
    statements.push(updateRows(d1, orderEarnings, { refundedItems: JSON.stringify(refundedItems), returned: JSON.stringify(returned) }, { programId, issuer, orderId }));
  }
  // Grants a limit or cooldown counts are read back before the member's next trigger: they land with the change.
  // The others serve only the campaigns' stats and wait in the pending row with the KPI figures.
  const counted = (plan.ruleGrants ?? []).filter((g) => g.counted);
  if (counted.length) statements.push(drizzled(ruleGrantsInsert(db, programId, m.memberId, counted, at)));
  // A plain insert as well: a lapse marker the budget's reconcile wrote first aborts the batch (see classifyCommitError).
  for (const draw of plan.budgetDrawRows ?? []) statements.push(insertRow(d1, budgetDraws, { programId, memberId: m.memberId, ...draw, createdAt: at }));
  if (plan.newActivity) {
    const { attributes, breakdown, ...activity } = plan.newActivity;
    statements.push(insertRow(d1, activities, { ...activity, programId, attributes: JSON.stringify(attributes), breakdown: JSON.stringify(breakdown) }));
  }
  if (plan.activityUpdate) {
    const { id, fromStatus, breakdown, ...update } = plan.activityUpdate;
    // Only over the status it was read with; the member's object is the one writer, so this always matches.
    statements.push(updateRows(d1, activities, { ...update, breakdown: JSON.stringify(breakdown) }, { programId, id, status: fromStatus }));
  }
  for (const bonus of plan.memberBonuses ?? []) statements.push(insertRow(d1, memberBonuses, { programId, memberId: m.memberId, ...bonus, createdAt: at }));
  if (plan.importLines) statements.push(...importLinesDone(db, programId, plan.importLines).map(drizzled));
  if (idempotency) statements.push(insertRow(d1, idempotencyKeys, idempotencyRecord(programId, plan.member.memberId, idempotency.claim, idempotency.outcome, now)));
  return statements as [D1PreparedStatement, ...D1PreparedStatement[]];
}

/** A lot's change by a delta: the CHECK on remaining refuses any overdraw, which an absolute value would hide. */
const LOT_DELTA_SQL = "UPDATE lots SET remaining = remaining + ?1, expired = expired + ?2 WHERE program_id = ?3 AND id = ?4";

/**
 * The plan's rule grants as ONE statement, however many rules gave points: a
 * plain insert of every row from a JSON array, in its order, so a row already
 * there (or a negative grant) aborts the batch as one insert per row would.
 * One statement costs the object one query to build, not one per rule.
 */
function ruleGrantsInsert(db: Database, programId: string, memberId: string, grants: NonNullable<Plan<unknown>["ruleGrants"]>, at: string) {
  const rows = JSON.stringify(grants.map((g) => [g.campaignId, g.version, g.ruleId, g.points, g.at, g.entryId, g.orderId]));
  // The select's columns in the table's order (drizzle's insert-select names them all). An insert builder, not
  // db.run: drizzle's D1 batch cannot bind a raw statement's parameters.
  return db.insert(memberRuleGrants).select(
    sql`SELECT ${programId}, ${memberId}, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, ${at} FROM json_each(${rows}) ORDER BY key`,
  );
}

/**
 * The import's lines marked done, in the batch that applies them. A line
 * already done aborts the batch (the trigger of migrations/0017): applied
 * twice, it would post twice.
 */
function importLinesDone(db: Database, programId: string, { importId, lines }: { importId: string; lines: number[] }) {
  const statements = [];
  // D1 binds at most 100 parameters per statement.
  for (let at = 0; at < lines.length; at += 90) {
    statements.push(
      db
        .update(importLines)
        .set({ status: "done", error: null })
        .where(and(eq(importLines.programId, programId), eq(importLines.importId, importId), inArray(importLines.line, lines.slice(at, at + 90)))),
    );
  }
  return statements;
}

/** Why a batch failed, from the constraint D1 names in its error. */
export type CommitConflict = "idempotency_key" | "order" | "stale_version" | "period_closed" | "coupon_moved" | "reservation_void" | "budget_lapsed" | "activity" | "constraint" | "unknown";

export function classifyCommitError(error: unknown): CommitConflict {
  // drizzle wraps D1's error ("Failed query: ..."); the constraint's name is in the cause.
  const message = errorMessages(error).join("\n");
  if (message.includes("stale_member_version")) return "stale_version";
  // The member was created around this object (an import's batch) after it read none: build again on what D1 holds.
  if (message.includes("UNIQUE constraint failed: members.")) return "stale_version";
  if (message.includes("settlement_period_closed")) return "period_closed";
  if (message.includes("coupon_not_issued")) return "coupon_moved";
  if (message.includes("reward_reservation_void")) return "reservation_void";
  if (message.includes("UNIQUE constraint failed: idempotency_keys.")) return "idempotency_key";
  if (message.includes("UNIQUE constraint failed: orders.")) return "order";
  // A budget reservation lapsed and was released before this batch landed: reserve again.
  if (message.includes("UNIQUE constraint failed: budget_draws.")) return "budget_lapsed";
  if (message.includes("UNIQUE constraint failed: activities.")) return "activity";
  if (/constraint failed/i.test(message)) return "constraint";
  return "unknown";
}

/** A past grant of a rule, as limits and cooldowns count it. */
export interface StoredGrant {
  campaignId: string;
  ruleId: string;
  points: number;
  at: string;
}

/** Uses member_rule_grants_by_member: one rule's grants to one member, from an instant on. */
export const RULE_GRANTS_SQL = `SELECT campaign_id AS campaignId, rule_id AS ruleId, points, occurred_at AS at FROM member_rule_grants
  WHERE program_id = ?1 AND member_id = ?2 AND campaign_id = ?3 AND rule_id = ?4 AND occurred_at >= ?5`;

/** Uses orders_by_member. */
export const HAS_ORDERED_SQL = "SELECT 1 AS one FROM orders WHERE program_id = ?1 AND member_id = ?2 LIMIT 1";

/**
 * The member's grants of these rules since `since` (ISO; null: all of them),
 * in one round trip by the member's index. Only rules with limits or
 * cooldowns are asked for, so what is read stays bounded by what they count.
 */
export async function readRuleGrants(
  d1: D1Database,
  programId: string,
  memberId: string,
  wanted: readonly { campaignId: string; ruleId: string; since: string | null }[],
): Promise<StoredGrant[]> {
  if (wanted.length === 0) return [];
  const statements = wanted.map(({ campaignId, ruleId, since }) => d1.prepare(RULE_GRANTS_SQL).bind(programId, memberId, campaignId, ruleId, since ?? ""));
  const results = await d1.batch<StoredGrant>(statements);
  return results.flatMap((r) => r.results);
}

/** Whether the member has an order recorded (by the orders_by_member index). */
export async function hasOrdered(d1: D1Database, programId: string, memberId: string): Promise<boolean> {
  return (await d1.prepare(HAS_ORDERED_SQL).bind(programId, memberId).first()) !== null;
}
