// Request and response schemas of guests' orders and their refunds.
import { z } from "@hono/zod-openapi";
import { ExternalId, MoneySchema, PositiveMoneySchema } from "../../app/openapi";

export const OrderIdParam = z.object({
  orderId: ExternalId.openapi({ param: { name: "orderId", in: "path" }, example: "order_90211" }),
});

export const GuestRefundBody = z
  .object({
    refundId: ExternalId.openapi({ example: "rma_5522", description: "Your reference for this refund, unique per order." }),
    amount: PositiveMoneySchema.openapi({ description: "The refunded part of the order." }),
  })
  .strict()
  .openapi("GuestRefund");

export const GuestRefundResultSchema = z
  .object({
    orderId: z.string().openapi({ example: "order_90211" }),
    refundId: z.string().openapi({ example: "rma_5522" }),
    amount: PositiveMoneySchema,
    refundedAmount: MoneySchema.openapi({ description: "Everything refunded on the order so far, this refund included." }),
    day: z.string().openapi({ example: "2026-11-30", description: "The program's local date the refund counts on (the day it is recorded)." }),
  })
  .strict()
  .openapi("GuestRefundResult");
