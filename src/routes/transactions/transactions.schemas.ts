// Request and response schemas of bulk posting: the batch envelope, its items and a result per item.
import { z } from "@hono/zod-openapi";
import { ExternalId, MemberId, ProblemSchema } from "../../app/openapi";
import { AccrualBody, AccrualResultSchema, GuestOrderBody, GuestOrderResultSchema, RefundBody, RefundResultSchema } from "../../app/schemas";

export const MAX_BATCH_ITEMS = 500;


/**
 * An item is its single-request twin's body plus the member it is for: one
 * flat closed object (extending the closed twin would publish an allOf of two
 * closed objects, which no item satisfies).
 */
export const BatchAccrualItem = z
  .object({ type: z.literal("accrual"), memberId: MemberId, ...AccrualBody.shape })
  .strict()
  .openapi("BatchAccrualItem");

export const BatchRefundItem = z
  .object({
    type: z.literal("refund"),
    memberId: MemberId,
    ...RefundBody.shape,
    refundId: ExternalId.openapi({
      example: "rma_5521",
      description: "Your reference for this refund, unique per order: a re-sent item with the same orderId and refundId is recognised and not posted again.",
    }),
  })
  .strict()
  .openapi("BatchRefundItem");

/** A guest's or non-member's order (POST /v1/orders' twin): it earns nothing and counts in the KPIs. */
export const BatchOrderItem = z
  .object({ type: z.literal("order"), ...GuestOrderBody.shape })
  .strict()
  .openapi("BatchOrderItem");

export const BatchItemSchema = z.discriminatedUnion("type", [BatchAccrualItem, BatchRefundItem, BatchOrderItem]).openapi("BatchItem");
export type BatchItem = z.infer<typeof BatchItemSchema>;

const exampleBatch = {
  items: [
    { type: "accrual", memberId: "cust_1042", orderId: "store7-20261128-0001", amount: { amount: 4999, currency: "EUR" }, channel: "store" },
    { type: "refund", memberId: "cust_1042", orderId: "store7-20261127-0113", refundId: "rma_5521", amount: { amount: 1500, currency: "EUR" } },
  ],
};

/**
 * The route validates only the envelope; each item is validated on its own by
 * the handler, so one malformed item is that item's error, not a 400 for the
 * whole file. The document still shows the item schema (registered by the router).
 */
export const TransactionBatchBody = z
  .object({
    items: z
      .array(z.unknown().openapi({ allOf: [{ $ref: "#/components/schemas/BatchItem" }] }))
      .min(1)
      .max(MAX_BATCH_ITEMS)
      .openapi({ description: `1 to ${MAX_BATCH_ITEMS} accruals and refunds, for any members, and guests' orders.` }),
  })
  .strict()
  .openapi("TransactionBatch", { example: exampleBatch });

const OrderMatchSchema = z
  .object({ accrualId: z.string(), orderId: z.string(), points: z.number().int() })
  .openapi("BatchOrderMatch", { description: "The accrual this order already earned through another request." });

export const BatchItemResultSchema = z
  .object({
    index: z.number().int().openapi({ example: 0, description: "The item's position in the request." }),
    status: z.enum(["posted", "duplicate", "error"]),
    type: z.enum(["accrual", "refund", "order"]).optional(),
    memberId: z.string().optional(),
    customerRef: z.string().optional().openapi({ description: "For a guest's order: the customer reference, as sent." }),
    orderId: z.string().optional(),
    refundId: z.string().optional().openapi({ description: "Your refund reference, as sent; `result.refundId` is Treue's id of the refund." }),
    matched: z.enum(["same_item", "order"]).optional().openapi({
      description: "For a duplicate: `same_item` when this item was posted before (in an earlier batch or earlier in this one; `result` is that first answer), `order` when the order already earned points through another request.",
    }),
    result: z.union([AccrualResultSchema, RefundResultSchema, OrderMatchSchema, GuestOrderResultSchema]).optional(),
    error: ProblemSchema.optional().openapi({ description: "For an error: the problem the single-request twin would have answered." }),
  })
  .openapi("BatchItemResult");

export const TransactionBatchResultSchema = z
  .object({
    results: z.array(BatchItemResultSchema).openapi({ description: "One result per item, in the order of the request." }),
    counts: z.object({
      posted: z.number().int().openapi({ example: 1 }),
      duplicate: z.number().int().openapi({ example: 0 }),
      error: z.number().int().openapi({ example: 1 }),
    }),
  })
  .openapi("TransactionBatchResult");
