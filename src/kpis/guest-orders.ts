// Orders of guests and non-members: they earn nothing and count only in the KPI rollups, each in one batch with its Idempotency-Key.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { errorMessages } from "../db/transient";
import { addDays, iso } from "../ledger/dates";
import type { MoneyAmount } from "../ledger/entries";
import type { ProgramSettings } from "../ledger/settings";
import { ApiError } from "../lib/errors";
import type { LedgerReply } from "../members/member-ledger";
import { readStoredResponse, type IdempotencyClaim } from "../members/store";
import { localDay } from "./calendar";
import { emptyWrites, guestOrderWrites } from "./rollups";
import { kpiStatements } from "./store";

const IDEMPOTENCY_RETENTION_MS = 48 * 3600 * 1000;

export interface GuestProgram {
  programId: string;
  /** The calling partner key's partner: the order's issuer. */
  partnerId: string | null;
  settings: ProgramSettings;
}

export interface GuestOrderInput {
  customerRef: string;
  orderId: string;
  amount: MoneyAmount;
  channel: string;
  occurredAt: string;
}

export interface GuestOrderView {
  orderId: string;
  customerRef: string;
  amount: MoneyAmount;
  channel: string;
  occurredAt: string;
  /** The program's local date the order counts on. */
  day: string;
}

export interface GuestRefundInput {
  orderId: string;
  refundId: string;
  amount: MoneyAmount;
}

export interface GuestRefundView {
  orderId: string;
  refundId: string;
  amount: MoneyAmount;
  /** Everything refunded on the order so far, this refund included. */
  refundedAmount: MoneyAmount;
  day: string;
}

/** The key's first outcome, or null when the key is new; a different request under the key is refused. */
async function replay<T>(db: Database, programId: string, claim: IdempotencyClaim): Promise<LedgerReply<T, true> | null> {
  const stored = await readStoredResponse(db, programId, claim);
  if (!stored) return null;
  if (stored.requestHash !== claim.requestHash) {
    throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used for a different request.");
  }
  if (!stored.outcome.ok) return { ...stored.outcome, replayed: true };
  return { ok: true, value: stored.outcome.value as T, created: true, replayed: true };
}

function idempotencyInsert(db: Database, programId: string, claim: IdempotencyClaim, value: unknown, now: Date) {
  return db.insert(idempotencyKeys).values({
    programId,
    scope: claim.scope,
    key: claim.key,
    requestHash: claim.requestHash,
    status: 0,
    body: JSON.stringify({ ok: true, value, created: true }),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_RETENTION_MS).toISOString(),
  });
}

function checkCurrency(settings: ProgramSettings, amount: MoneyAmount) {
  if (amount.currency !== settings.currency) {
    throw new ApiError("currency_mismatch", `This program runs in ${settings.currency}, not ${amount.currency}.`);
  }
}

/** Commits the statements with the key's record; a concurrent twin that committed first is replayed. */
async function commitWithKey<T>(
  db: Database,
  program: GuestProgram,
  claim: IdempotencyClaim,
  statements: BatchItem<"sqlite">[],
  value: T,
  now: Date,
  conflict: (message: string) => ApiError | null,
): Promise<LedgerReply<T, true>> {
  try {
    const all: BatchItem<"sqlite">[] = [...statements, idempotencyInsert(db, program.programId, claim, value, now)];
    await db.batch(all as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (error) {
    const message = errorMessages(error).join("\n");
    if (message.includes("UNIQUE constraint failed: idempotency_keys.")) {
      const first = await replay<T>(db, program.programId, claim);
      if (first) return first;
    }
    const refusal = conflict(message);
    if (refusal) throw refusal;
    throw error;
  }
  return { ok: true, value, created: true, replayed: false };
}

export async function recordGuestOrder(
  db: Database,
  program: GuestProgram,
  input: GuestOrderInput,
  claim: IdempotencyClaim,
  now: Date,
): Promise<LedgerReply<GuestOrderView, true>> {
  const first = await replay<GuestOrderView>(db, program.programId, claim);
  if (first) return first;
  const { settings } = program;
  checkCurrency(settings, input.amount);
  const earliest = addDays(now, -settings.maxBackdateDays);
  if (Date.parse(input.occurredAt) < earliest.getTime()) {
    throw new ApiError("occurred_before_window", `occurredAt lies more than ${settings.maxBackdateDays} days back, before this program's window.`, {
      errors: [{ path: "occurredAt", message: `before ${iso(earliest)}` }],
      earliestOccurredAt: iso(earliest),
    });
  }
  const issuer = program.partnerId ?? "";
  const taken = await db.all<{ one: number }>(
    sql`SELECT 1 AS one FROM kpi_orders WHERE program_id = ${program.programId} AND issuer = ${issuer} AND order_id = ${input.orderId}
        UNION ALL SELECT 1 FROM orders WHERE program_id = ${program.programId} AND issuer = ${issuer} AND order_id = ${input.orderId}`,
  );
  const exists = () => new ApiError("order_already_recorded", `Order '${input.orderId}' is already recorded (as a guest's order or a member's accrual).`);
  if (taken.length > 0) throw exists();
  const day = localDay(input.occurredAt, settings.timeZone);
  const writes = guestOrderWrites({
    customerRef: input.customerRef,
    issuer,
    orderId: input.orderId,
    channel: input.channel,
    partnerId: issuer,
    amount: input.amount.amount,
    currency: input.amount.currency,
    day,
    occurredAt: input.occurredAt,
  });
  const value: GuestOrderView = { orderId: input.orderId, customerRef: input.customerRef, amount: input.amount, channel: input.channel, occurredAt: input.occurredAt, day };
  const statements = kpiStatements(db, program.programId, writes, now.toISOString(), { strict: true });
  return commitWithKey(db, program, claim, statements, value, now, (message) => (message.includes("UNIQUE constraint failed: kpi_orders.") ? exists() : null));
}

export async function refundGuestOrder(
  db: Database,
  program: GuestProgram,
  input: GuestRefundInput,
  claim: IdempotencyClaim,
  now: Date,
): Promise<LedgerReply<GuestRefundView, true>> {
  const first = await replay<GuestRefundView>(db, program.programId, claim);
  if (first) return first;
  checkCurrency(program.settings, input.amount);
  const issuer = program.partnerId ?? "";
  const [order] = await db.all<{ amount: number; refunded: number; currency: string; customer: string }>(
    sql`SELECT amount, refunded_amount AS refunded, currency, customer FROM kpi_orders
        WHERE program_id = ${program.programId} AND issuer = ${issuer} AND order_id = ${input.orderId} AND is_member = 0`,
  );
  if (!order) {
    throw new ApiError("order_not_found", `No guest order '${input.orderId}' of this issuer; a member's order is refunded through POST /v1/members/{memberId}/refunds.`);
  }
  const exceeds = (refunded: number) =>
    new ApiError("refund_exceeds_order", `The refund exceeds what is left of the order (${order.amount - refunded} of ${order.amount}).`, {
      orderAmount: order.amount,
      refundedAmount: refunded,
    });
  if (input.amount.amount > order.amount - order.refunded) throw exceeds(order.refunded);
  const day = localDay(now, program.settings.timeZone);
  const writes = { ...emptyWrites(), refunds: [{ customer: order.customer, issuer, orderId: input.orderId, refundId: input.refundId, amount: input.amount.amount, day }] };
  const value: GuestRefundView = {
    orderId: input.orderId,
    refundId: input.refundId,
    amount: input.amount,
    refundedAmount: { amount: order.refunded + input.amount.amount, currency: order.currency },
    day,
  };
  const statements = kpiStatements(db, program.programId, writes, now.toISOString());
  return commitWithKey(db, program, claim, statements, value, now, (message) => {
    if (message.includes("UNIQUE constraint failed: kpi_refunds.")) {
      return new ApiError("refund_already_recorded", `Refund '${input.refundId}' of order '${input.orderId}' is already recorded.`);
    }
    // A concurrent refund took the rest first: the order's CHECK refused this one.
    if (message.includes("kpi_orders_amount")) return exceeds(order.refunded);
    return null;
  });
}


