// What a segment says about its members: every condition given must hold (AND); an absent one holds for all.
import { z } from "@hono/zod-openapi";

const Range = z
  .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min is above max");

const Band = z
  .object({ min: z.number().int().min(1).max(5).default(1), max: z.number().int().min(1).max(5).default(5) })
  .strict()
  .refine((r) => r.min <= r.max, "min is above max");

/** Four ascending cut points split a measure into scores 1..5 (below the first: 1; at or above the last: 5). */
const Cuts = z
  .array(z.number().int().min(0))
  .length(4)
  .refine((cuts) => cuts.every((v, i) => i === 0 || v > cuts[i - 1]!), "cut points must ascend");

export const RfmCondition = z
  .object({
    /** Days since the last order at which the recency score drops: fewer days score higher. */
    recencyDays: Cuts.openapi({ example: [30, 90, 180, 365], description: "Days since the last order: under 30 scores 5, under 90 scores 4, ..., 365 or more (or no order) scores 1." }),
    frequencyOrders: Cuts.openapi({ example: [2, 4, 8, 16], description: "Order count: under 2 scores 1, ..., 16 or more scores 5." }),
    monetarySpend: Cuts.openapi({ example: [5000, 20000, 50000, 100000], description: "Lifetime spend in minor units: under the first scores 1, at or above the last scores 5." }),
    recency: Band.optional(),
    frequency: Band.optional(),
    monetary: Band.optional(),
  })
  .strict();

const AttributeValue = z.union([z.string(), z.number(), z.boolean()]);

export const SegmentConditionsSchema = z
  .object({
    tiers: z.array(z.string().min(1)).max(20).optional().openapi({ description: "The member's tier is one of these." }),
    plans: z
      .array(z.string().min(1))
      .max(20)
      .optional()
      .openapi({ description: "The member holds a membership in force of one of these plans (membership plan ids)." }),
    pointsBalance: Range.optional().openapi({ description: "Available points, inclusive bounds." }),
    lifetimeSpend: Range.optional().openapi({ description: "Sum of order amounts (minor units), inclusive bounds." }),
    orderCount: Range.optional(),
    daysSinceLastOrder: Range.optional().openapi({ description: "Whole days since the last order; a member without orders never matches." }),
    rfm: RfmCondition.optional().openapi({ description: "Recency, frequency and monetary scores 1..5 by the cut points this segment states." }),
    favouriteCategories: z
      .array(z.string().min(1))
      .max(20)
      .optional()
      .openapi({ description: "One of these is among the member's three categories of highest spend." }),
    channels: z.array(z.enum(["online", "store", "app"])).max(3).optional().openapi({ description: "The member has ordered through one of these." }),
    birthdayMonths: z
      .array(z.number().int().min(1).max(12))
      .min(1)
      .max(12)
      .optional()
      .openapi({ description: "The member's birthday falls in one of these months (1-12); a member without a birthday never matches.", example: [12] }),
    attributes: z
      .record(z.string(), AttributeValue)
      .optional()
      .openapi({ description: "The member's custom attributes equal these.", example: { newsletter: true } }),
  })
  .strict()
  .openapi("SegmentConditions");

export type SegmentConditions = z.output<typeof SegmentConditionsSchema>;
export type RfmConditions = z.output<typeof RfmCondition>;
