// Request and response schemas of the tier routes.
import { z } from "@hono/zod-openapi";
import { BalanceSchema } from "../../app/schemas";

export const SetTierBody = z
  .object({
    tier: z.string().min(1).max(40).nullable().openapi({ example: "gold", description: "One of the program's tiers, or null for none." }),
    until: z
      .string()
      .datetime({ offset: true })
      .nullable()
      .optional()
      .openapi({
        example: "2027-12-31T23:59:59Z",
        description: "Keep the tier until then whatever the points say (VIP, paid membership). Without it the next review treats the tier like an earned one.",
      }),
    reason: z.string().max(500).optional().openapi({ example: "Paid membership, order 4411" }),
  })
  .strict()
  .openapi("SetTier");

const TierChangeSchema = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    reason: z.enum(["upgrade", "downgrade", "grant", "grant_ended", "tier_removed"]),
  })
  .openapi("TierChange");

export const MemberTierSchema = z
  .object({
    memberId: z.string(),
    tier: z.string().nullable(),
    tierLockedUntil: z.string().nullable(),
    change: TierChangeSchema.nullable(),
    balance: BalanceSchema,
  })
  .openapi("MemberTier");
