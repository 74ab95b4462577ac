// Schemas that more than one route folder uses: the ledger's bodies and results, program keys, and partner terms.
import { z } from "@hono/zod-openapi";
import { PERIOD_ID } from "../ledger/periods";
import { ChannelSchema, ExternalId, MoneySchema, PositiveMoneySchema } from "./openapi";

export const BalanceSchema = z
  .object({
    available: z.number().int().openapi({ example: 1250 }),
    pending: z.number().int().openapi({ example: 300, description: "Earned, still in the pending (return) period." }),
    held: z.number().int().openapi({ example: 0, description: "Reserved by open holds." }),
    debt: z.number().int().optional().openapi({
      example: 0,
      description: "Clawed back after being spent; later earnings pay it first. Not shown to partner keys: it comes from refunds of any issuer's orders.",
    }),
    lifetimeEarned: z.number().int(),
    qualifyingPoints: z.number().int(),
    tier: z.string().nullable().openapi({ example: "silver" }),
    nextTier: z.object({ name: z.string(), pointsNeeded: z.number().int() }).nullable(),
    nextExpiries: z.array(z.object({ points: z.number().int(), expiresAt: z.string() })),
    availableValue: MoneySchema,
  })
  .openapi("Balance");

const LineItem = z
  .object({
    sku: z.string().min(1).max(100),
    category: z.string().max(100).optional(),
    quantity: z.number().int().min(1).max(100_000),
    price: PositiveMoneySchema.openapi({ description: "Unit price." }),
  })
  .strict();

const Timestamp = z.string().datetime({ offset: true }).openapi({ example: "2026-11-28T10:15:00Z" });

export const AccrualBody = z
  .object({
    orderId: ExternalId.openapi({ example: "order_90210" }),
    amount: PositiveMoneySchema,
    items: z.array(LineItem).max(500).optional().openapi({ description: "Line items, for campaign rules on SKUs and categories; unit prices in the order's currency." }),
    channel: ChannelSchema,
    storeId: ExternalId.optional().openapi({ example: "berlin-mitte", description: "The store whose till posted the order (channel store): kept on the earn entry, and for campaign rules on stores." }),
    occurredAt: Timestamp.optional().openapi({ description: "When the order happened; defaults to now. Campaign rules are those in force then." }),
  })
  .strict()
  .openapi("Accrual");

const CapReason = z.enum(["budget", "member_limit", "cooldown", "multiplier_cap"]);

/** One line of an earning's breakdown: the base, the tier multiplier, or a campaign rule. The lines add up to the points. */
export const EarnLineSchema = z
  .discriminatedUnion("rule", [
    z.object({ rule: z.literal("base"), points: z.number().int().openapi({ example: 49 }) }).openapi("BaseLine"),
    z
      .object({
        rule: z.literal("tier_multiplier"),
        points: z.number().int(),
        tier: z.string().openapi({ example: "gold" }),
        multiplierPercent: z.number().int().openapi({ example: 150 }),
        capped: CapReason.optional().openapi({ description: "The program's multiplier cap took some of it." }),
      })
      .openapi("TierMultiplierLine"),
    z
      .object({
        rule: z.literal("campaign"),
        campaignId: z.string().openapi({ example: "cmp_01JE4Q8Z3W5Y7X9V1T3R5P7N9M" }),
        version: z.number().int().openapi({ example: 2 }),
        ruleId: z.string().openapi({ example: "weekend-double" }),
        points: z.number().int().openapi({ example: 49 }),
        reason: z.string().openapi({ example: "double points on weekends", description: "Why the rule applied." }),
        items: z
          .array(z.object({ sku: z.string(), points: z.number().int(), quantity: z.number().int().optional() }))
          .optional()
          .openapi({ description: "The line items the rule matched, with the points each earned by it." }),
        multiplierPercent: z.number().int().optional(),
        capped: CapReason.optional().openapi({ description: "It gave less than it would have: what stopped it." }),
      })
      .openapi("CampaignLine"),
  ])
  .openapi("EarnLine");

/** A rule that matched but gave nothing. */
export const CappedRuleSchema = z
  .object({
    campaignId: z.string(),
    version: z.number().int(),
    ruleId: z.string(),
    capped: CapReason,
    points: z.number().int().openapi({ description: "What it would have given." }),
  })
  .openapi("CappedRule");

export const AccrualResultSchema = z
  .object({
    accrualId: z.string(),
    orderId: z.string(),
    points: z.number().int().openapi({ example: 49 }),
    breakdown: z.array(EarnLineSchema).openapi({ description: "Which rule gave what; the lines add up to `points`." }),
    capped: z
      .array(CappedRuleSchema)
      .optional()
      .openapi({ description: "Rules that matched but gave nothing (a budget, a member limit, a cooldown, the multiplier cap). Absent only from answers first given before campaigns, replayed for their Idempotency-Key." }),
    debtPaid: z.number().int().optional().openapi({ description: "Of these points, what paid off the member's debt first. Not shown to partner keys." }),
    lot: z.object({ id: z.string(), availableAt: z.string(), expiresAt: z.string().nullable() }).nullable(),
    tierChange: z.object({ from: z.string().nullable(), to: z.string().nullable() }).nullable(),
    settlement: z
      .object({
        period: z.string().openapi({ example: "2026-11" }),
        movedFrom: z.string().nullable().openapi({ description: "The closed period the order fell in, when its points moved to the first open one." }),
      })
      .nullable()
      .openapi({ description: "The settlement period the points count in." }),
    balance: BalanceSchema,
  })
  .openapi("AccrualResult");

export const RedemptionSchema = z
  .object({
    id: z.string().openapi({ example: "red_01JD..." }),
    memberId: z.string(),
    status: z.enum(["held", "captured", "cancelled", "lapsed", "reversed"]),
    points: z.number().int(),
    value: MoneySchema,
    orderId: z.string().nullable(),
    channel: z.string().nullable(),
    partnerId: z.string().nullable(),
    holdExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Redemption");

export const RedemptionWithBalanceSchema = RedemptionSchema.extend({ balance: BalanceSchema }).openapi("RedemptionWithBalance");

export const RefundBody = z
  .object({
    orderId: ExternalId,
    amount: PositiveMoneySchema.openapi({ description: "The refunded part of the order." }),
    items: z
      .array(z.object({ sku: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100_000) }).strict())
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: "The refunded line items: campaign points earned by these items are taken back with them." }),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .openapi("Refund");

export const RefundResultSchema = z
  .object({
    refundId: z.string(),
    orderId: z.string(),
    refundedAmount: MoneySchema,
    pointsClawedBack: z.number().int(),
    fromLot: z.number().int(),
    fromExpired: z.number().int().openapi({ description: "Taken back from what the order's lot lost to expiry: never spent, so no debt." }),
    addedToDebt: z.number().int(),
    balance: BalanceSchema,
  })
  .openapi("RefundResult");

export const EntrySchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    type: z.enum(["earn", "redeem", "hold", "release", "expire", "clawback", "reverse", "adjust", "tier", "debt_payment"]).openapi({ example: "earn" }),
    points: z.number().int(),
    heldPoints: z.number().int(),
    lotId: z.string().nullable().openapi({ description: "The lot an earning created, or the lot an expiry emptied." }),
    orderId: z.string().nullable(),
    redemptionId: z.string().nullable(),
    partnerId: z.string().nullable(),
    channel: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    occurredAt: z.string(),
    settlementPeriod: z.string().nullable().openapi({ example: "2026-11", description: "The settlement period the entry counts in." }),
    createdAt: z.string(),
  })
  .openapi("Entry");

export const EntryPageSchema = z.object({ data: z.array(EntrySchema), nextCursor: z.string().nullable() }).openapi("EntryPage");

export const CreateKeyBody = z
  .object({
    role: z.enum(["admin", "server", "partner"]),
    name: z.string().min(1).max(100).default("key").openapi({ example: "storefront backend" }),
    partnerId: z.string().max(64).optional().openapi({ description: "Required for a partner key." }),
  })
  .strict()
  .openapi("CreateKey");

export const KeySchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    role: z.enum(["admin", "server", "partner"]),
    partnerId: z.string().nullable(),
    name: z.string(),
    keyPrefix: z.string().openapi({ description: "The first characters of the secret, to recognise it." }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("Key");

export const CreatedKeySchema = KeySchema.extend({
  key: z.string().openapi({ description: "The secret. Shown once; only its hash is stored." }),
}).openapi("CreatedKey");

const PointPrice = z
  .object({
    amount: z.number().int().min(0).max(1_000_000_000).openapi({ example: 80, description: "Minor units..." }),
    perPoints: z.number().int().min(1).max(1_000_000_000).openapi({ example: 100, description: "...for this many points." }),
  })
  .strict();

/** A partner's prices from a period on: what partners set, and what a statement shows in force. */
export const TermsBody = z
  .object({
    validFrom: z.string().regex(PERIOD_ID).openapi({ example: "2026-12", description: "First period the terms apply to." }),
    issuePrice: PointPrice.openapi({ description: "What the partner pays the program per point it issues." }),
    redeemPrice: PointPrice.openapi({ description: "What the program pays the partner per point redeemed at its tills." }),
  })
  .strict()
  .openapi("PartnerTerms");
