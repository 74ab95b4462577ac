// Bulk posting as plain functions: validate each item alone, post a member's items in the
// order given and different members in parallel, and turn every reply into a result per item.
import { ApiError, problemBody } from "../../lib/errors";
import { inParallel } from "../../lib/parallel";
import { fieldErrors } from "../../ledger/errors";
import type { AccrualView, LedgerReply, RefundView } from "../../members/member-ledger";
import type { GuestOrderInput, GuestOrderView } from "../../kpis/guest-orders";
import type { AccrualInput } from "../../ledger/ops/accrue";
import type { RefundInput } from "../../ledger/ops/refund";
import { FUTURE_SKEW_MS } from "../../app/clock";
import type { z } from "@hono/zod-openapi";
import { BatchItemResultSchema, BatchItemSchema, type BatchItem } from "./transactions.schemas";

/**
 * Member objects called at once by one batch. A call waits mostly on its
 * object and D1, and every object writes to the same D1 database: 16 in
 * flight hides that wait without putting a whole file in front of D1 (and of
 * everyone else's requests) at once. Measured locally on 500-item batches,
 * 16 beat both 4 and 64 (more only adds contention). The total stays one
 * call per item, 500 at most, within a request's subrequest budget.
 */
export const BATCH_FAN_OUT = 16;

/** A result per item, as the route's document declares it. */
export type ItemResult = z.output<typeof BatchItemResultSchema>;

export interface BatchOutcome {
  results: ItemResult[];
  counts: { posted: number; duplicate: number; error: number };
}

/** Posts one valid item through its member's object with the given Idempotency-Key; it answers as the item's twin route. */
export type PostItem = (item: BatchItem, idempotencyKey: string) => Promise<LedgerReply<AccrualView | RefundView | GuestOrderView>>;

/**
 * The item's Idempotency-Key, from what the item is rather than from the
 * request it came in: re-sending the file, or the same item in another file,
 * finds the first posting. An accrual is its order (one order earns once);
 * a refund is its order and the caller's refund reference. Spaces separate
 * the parts because ids cannot contain one (so `a:b` + `c` never meets
 * `a` + `b:c`), and neither can an Idempotency-Key header, so these keys
 * never collide with a caller's own keys in the same scope.
 */
export function itemKey(item: BatchItem): string {
  if (item.type === "order") return `batch order ${item.orderId}`;
  return item.type === "accrual" ? `batch accrual ${item.orderId}` : `batch refund ${item.orderId} ${item.refundId}`;
}

/** Whose items run one after another: a member's, or a guest's (by their reference). */
function queueOf(item: BatchItem): string {
  return item.type === "order" ? `guest ${item.customerRef}` : `member ${item.memberId}`;
}

export function guestOrderInput(item: Extract<BatchItem, { type: "order" }>, now: number): GuestOrderInput {
  const occurredAt = item.occurredAt ? new Date(item.occurredAt) : new Date(now);
  return { customerRef: item.customerRef, orderId: item.orderId, amount: item.amount, channel: item.channel, occurredAt: occurredAt.toISOString() };
}

/** What the member's object takes, built as the single-request handlers build it. */
export function accrualInput(item: Extract<BatchItem, { type: "accrual" }>, now: number): AccrualInput {
  const occurredAt = item.occurredAt ? new Date(item.occurredAt) : new Date(now);
  return {
    orderId: item.orderId,
    amount: item.amount,
    channel: item.channel,
    occurredAt: occurredAt.toISOString(),
    items: item.items,
    storeId: item.storeId ?? null,
  };
}

export function refundInput(item: Extract<BatchItem, { type: "refund" }>): RefundInput {
  return { orderId: item.orderId, amount: item.amount, reason: item.reason, items: item.items };
}

/** One item checked as its twin's route would check it; a failure is that item's problem. */
export function parseItem(raw: unknown, now: number): { ok: true; item: BatchItem } | { ok: false; error: ApiError } {
  const parsed = BatchItemSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error.issues, "(item)");
    return { ok: false, error: new ApiError("validation_failed", `${errors.length} field(s) of this item failed validation.`, { errors }) };
  }
  const item = parsed.data;
  if (item.type !== "refund" && item.occurredAt && Date.parse(item.occurredAt) > now + FUTURE_SKEW_MS) {
    return { ok: false, error: new ApiError("occurred_in_future", "occurredAt lies in the future.", { errors: [{ path: "occurredAt", message: "in the future" }] }) };
  }
  return { ok: true, item };
}

/**
 * Posts a batch. Items are grouped by member in the order given; a member's
 * items run one after another (a refund after the accrual it refunds), and
 * members run in parallel up to `fanOut`. No item's failure stops another.
 * `before` sees the valid items first (the handler reads their members there).
 */
export async function postBatch(
  rawItems: unknown[],
  options: { now: number; post: PostItem; fanOut?: number; before?: (items: BatchItem[]) => Promise<void> },
): Promise<BatchOutcome> {
  const results: ItemResult[] = new Array(rawItems.length);
  const byMember = new Map<string, { index: number; item: BatchItem }[]>();
  rawItems.forEach((raw, index) => {
    const parsed = parseItem(raw, options.now);
    if (!parsed.ok) {
      // Item problems carry no requestId: the batch's X-Request-Id covers them all.
      results[index] = { index, status: "error", error: problemBody(parsed.error) };
      return;
    }
    const queue = byMember.get(queueOf(parsed.item));
    if (queue) queue.push({ index, item: parsed.item });
    else byMember.set(queueOf(parsed.item), [{ index, item: parsed.item }]);
  });
  await options.before?.([...byMember.values()].flatMap((queue) => queue.map(({ item }) => item)));
  await inParallel([...byMember.values()], options.fanOut ?? BATCH_FAN_OUT, async (queue) => {
    for (const { index, item } of queue) results[index] = await postItem(index, item, options.post);
  });
  const counts = { posted: 0, duplicate: 0, error: 0 };
  for (const result of results) counts[result.status]++;
  return { results, counts };
}

async function postItem(index: number, item: BatchItem, post: PostItem): Promise<ItemResult> {
  const echo = {
    index,
    type: item.type,
    ...(item.type === "order" ? { customerRef: item.customerRef } : { memberId: item.memberId }),
    orderId: item.orderId,
    ...(item.type === "refund" ? { refundId: item.refundId } : {}),
  };
  let reply: Awaited<ReturnType<PostItem>>;
  try {
    reply = await post(item, itemKey(item));
  } catch (error) {
    // A guest's order is refused as its twin route refuses it.
    if (error instanceof ApiError) return { ...echo, status: "error", error: problemBody(error) };
    // The object failed outside the domain; whether it committed is unknown, and re-sending the
    // batch settles it: a posted item then comes back as a duplicate. A reset or overloaded object
    // is the 503 its single-request twin answers, anything else the 500.
    const flags = error as { retryable?: boolean; overloaded?: boolean; durableObjectReset?: boolean };
    const transient = Boolean(flags.retryable || flags.overloaded || flags.durableObjectReset);
    console.log(JSON.stringify({ level: transient ? "warn" : "error", message: "batch item failed", orderId: item.orderId, error: String(error) }));
    const problem = transient
      ? new ApiError("temporarily_unavailable", "The member's ledger restarted during the call; send the batch again.")
      : new ApiError("internal_error", "This item could not be posted; send the batch again.");
    return { ...echo, status: "error", error: problemBody(problem) };
  }
  if (reply.ok) {
    const result = reply.value;
    return reply.replayed ? { ...echo, status: "duplicate", matched: "same_item", result } : { ...echo, status: "posted", result };
  }
  const { code, detail, data: extras } = reply.error;
  // The order earned already through another request for this member: nothing to post, nothing wrong.
  if (code === "order_already_accrued" && typeof extras.accrualId === "string" && typeof extras.points === "number") {
    return { ...echo, status: "duplicate", matched: "order", result: { accrualId: extras.accrualId, orderId: item.orderId, points: extras.points } };
  }
  return { ...echo, status: "error", error: problemBody(new ApiError(code, code === "idempotency_key_reused" ? reusedDetail(item) : detail, extras)) };
}

function reusedDetail(item: BatchItem): string {
  const what = item.type === "refund" ? `refund '${item.refundId}' of order '${item.orderId}'` : `order '${item.orderId}'`;
  return `An item for ${what} was already posted with different content (member, amount or other fields); it was not posted again.`;
}
