// Route declarations for bulk posting (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { LARGE_BODY_ROUTES } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { BATCH_FAN_OUT } from "./batch";
import { MAX_BATCH_ITEMS, TransactionBatchBody, TransactionBatchResultSchema } from "./transactions.schemas";

export const BATCH_PATH = "/v1/transactions/batch";

export const postTransactionBatch = createRoute({
  method: "post",
  path: BATCH_PATH,
  operationId: "postTransactionBatch",
  summary: "Post up to 500 accruals and refunds for any members in one request",
  description: [
    `A store's end-of-day file in one call: 1 to ${MAX_BATCH_ITEMS} items, each an accrual or a refund for any member, each as idempotent as its single-request twin (one order earns once).`,
    "The answer is 200 with one result per item, in the order sent: `posted` (with the twin's result), `duplicate` (with what it matched) or `error` (with the problem the twin would have answered). A bad item never stops or undoes the good ones; only a malformed envelope is a 400.",
    `A member's items are applied in the order given; different members are posted in parallel, ${BATCH_FAN_OUT} at a time.`,
    "No Idempotency-Key header: each item's key comes from what it is (`batch accrual <orderId>`, `batch refund <orderId> <refundId>`, scoped to the program and the caller like every key), so re-sending the whole batch after a timeout posts nothing twice and reports the items already posted as duplicates.",
    `Bodies up to ${LARGE_BODY_ROUTES[BATCH_PATH]! / 1024} KiB (other routes: 64 KiB). A partner key's accruals are attributed to its partner, and it refunds only its own orders.`,
  ].join("\n\n"),
  tags: ["Transactions"],
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { body: jsonBody(TransactionBatchBody, "The items, in the order to apply them per member.") },
  responses: { 200: jsonResponse(TransactionBatchResultSchema, "A result per item."), ...errorResponses },
});

export type PostTransactionBatchRoute = typeof postTransactionBatch;
