// Request and response schemas of the campaign routes and the earn preview.
import { z } from "@hono/zod-openapi";
import { ChannelSchema, ExternalId, MemberId, PaginationQuery, PositiveMoneySchema } from "../../app/openapi";
import { CappedRuleSchema, EarnLineSchema } from "../../app/schemas";
import { CampaignDefinitionSchema, CampaignStatus } from "../../campaigns/rules";

const exampleDefinition = {
  name: "Weekend double points",
  description: "Double points on Saturdays and Sundays in December, at most 500 bonus points per member and month.",
  startsAt: "2026-12-01T00:00:00Z",
  endsAt: "2027-01-01T00:00:00Z",
  budget: { points: 1_000_000 },
  rules: [
    {
      id: "weekend-double",
      trigger: { type: "order" },
      conditions: { daysOfWeek: [6, 7], channels: ["online", "app"] },
      effect: { type: "multiply", percent: 200 },
      limits: [{ period: "month", points: 500 }],
    },
  ],
};

/** The definition an operator writes, as the create body (rules, windows, budget). */
export const CreateCampaignBody = CampaignDefinitionSchema.openapi({ example: exampleDefinition });

export const CampaignPatchBody = z
  .record(z.string(), z.unknown())
  .openapi("CampaignPatch", {
    description:
      "A JSON Merge Patch (RFC 7396) of the definition: objects merge key by key, null removes a key (back to its default), arrays (rules) replace. The result is validated whole.",
    example: { endsAt: "2027-01-15T00:00:00Z", budget: { points: 2_000_000 } },
  });

export const CampaignParam = z.object({
  id: z
    .string()
    .regex(/^cmp_[0-9A-Z]{26}$/, "a campaign id")
    .openapi({ param: { name: "id", in: "path" }, example: "cmp_01JE4Q8Z3W5Y7X9V1T3R5P7N9M" }),
});

export const CampaignsQuery = PaginationQuery.extend({
  status: CampaignStatus.optional().openapi({ description: "Only campaigns of this status." }),
});

export const CampaignSchema = z
  .object({
    id: z.string().openapi({ example: "cmp_01JE4Q8Z3W5Y7X9V1T3R5P7N9M" }),
    status: CampaignStatus.openapi({ example: "active" }),
    version: z.number().int().openapi({ example: 2, description: "The latest version: what an edit starts from and what activation puts in force." }),
    definition: CampaignDefinitionSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Campaign");

export const CampaignPageSchema = z.object({ data: z.array(CampaignSchema), nextCursor: z.string().nullable() }).openapi("CampaignPage");

const InForce = z
  .object({
    from: z.string().openapi({ example: "2026-12-01T09:00:00.000Z" }),
    to: z.string().nullable().openapi({ description: "null while the version is in force." }),
  })
  .openapi("CampaignInterval");

export const CampaignVersionSchema = z
  .object({
    version: z.number().int(),
    definition: CampaignDefinitionSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    inForce: z.array(InForce).openapi({
      description: "When this version was in force, by recorded time: an order whose occurredAt falls in one (and in the definition's window) is valued by it.",
    }),
  })
  .openapi("CampaignVersion");

export const CampaignVersionsSchema = z.object({ data: z.array(CampaignVersionSchema) }).openapi("CampaignVersions");

export const CampaignStatsSchema = z
  .object({
    campaignId: z.string(),
    pointsIssued: z.number().int().openapi({ example: 48_200, description: "Points the campaign's rules gave (refunds not deducted)." }),
    membersReached: z.number().int().openapi({ example: 311 }),
    orders: z.number().int().openapi({ example: 902 }),
    budget: z.number().int().nullable().openapi({ example: 1_000_000, description: "The budget in points (a money budget at the redemption value); null for none." }),
    budgetLeft: z.number().int().nullable().openapi({ example: 951_800 }),
  })
  .openapi("CampaignStats");

const PreviewItem = z
  .object({
    sku: z.string().min(1).max(100),
    category: z.string().max(100).optional(),
    quantity: z.number().int().min(1).max(100_000),
    price: PositiveMoneySchema.openapi({ description: "Unit price." }),
  })
  .strict();

export const EarningPreviewBody = z
  .object({
    amount: PositiveMoneySchema,
    items: z.array(PreviewItem).max(500).optional(),
    channel: ChannelSchema,
    storeId: ExternalId.optional(),
    occurredAt: z.string().datetime({ offset: true }).optional().openapi({ description: "When the order happens; defaults to now." }),
    memberId: MemberId.optional().openapi({ description: "Evaluate for this member: their tier, attributes, first order and limits used. Without it: a new member's order." }),
  })
  .strict()
  .openapi("EarningPreviewRequest", {
    example: {
      amount: { amount: 4999, currency: "EUR" },
      items: [{ sku: "BEANS-1KG", category: "coffee", quantity: 2, price: { amount: 1999, currency: "EUR" } }],
      channel: "online",
      memberId: "cust_1042",
    },
  });

export const EarningPreviewSchema = z
  .object({
    points: z.number().int().openapi({ example: 98 }),
    breakdown: z.array(EarnLineSchema),
    capped: z.array(CappedRuleSchema),
    tierChange: z.object({ from: z.string().nullable(), to: z.string().nullable() }).nullable(),
    budgets: z
      .array(z.object({ campaignId: z.string(), left: z.number().int(), drawn: z.number().int() }))
      .openapi({ description: "Each budgeted campaign in force: what it may still issue, and what this order would draw." }),
    memberKnown: z.boolean().openapi({ description: "false: no member of that id (or none given); the preview is a new member's." }),
  })
  .openapi("EarningPreview");
