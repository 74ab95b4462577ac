// Request and response schemas of manual adjustments.
import { z } from "@hono/zod-openapi";
import { BalanceSchema } from "../../app/schemas";

export const AdjustmentBody = z
  .object({
    points: z
      .number()
      .int()
      .min(-1_000_000_000)
      .max(1_000_000_000)
      .refine((p) => p !== 0, "not 0")
      .openapi({ example: 250, description: "Positive: a credit (a new lot); negative: a debit, soonest-expiring points first, never below the available points." }),
    reason: z.string().trim().min(1).max(500).openapi({ example: "Goodwill: parcel arrived late (ticket 4711)", description: "Required: why, kept on the ledger entry." }),
    expiresAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .optional()
      .openapi({ example: "2027-12-31T23:59:59Z", description: "A credit's expiry; absent: the program's expiry policy; null: never. Not allowed on a debit." }),
  })
  .strict()
  .openapi("Adjustment");

export const AdjustmentResultSchema = z
  .object({
    adjustmentId: z.string().openapi({ description: "The id of the `adjust` entry in the member's history." }),
    memberId: z.string(),
    points: z.number().int(),
    reason: z.string(),
    debtPaid: z.number().int().openapi({ description: "Of a credit, what went to the member's debt first." }),
    lot: z.object({ id: z.string(), availableAt: z.string(), expiresAt: z.string().nullable() }).nullable().openapi({ description: "The credit's lot; null for a debit." }),
    allocations: z.array(z.object({ lotId: z.string(), points: z.number().int() })).openapi({ description: "The lots a debit took its points from." }),
    createdAt: z.string(),
    balance: BalanceSchema,
  })
  .openapi("AdjustmentResult");
