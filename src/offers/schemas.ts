// The offers answer as the OpenAPI document declares it (shared by /v1/members/{memberId}/offers and /v1/me/offers).
import { z } from "@hono/zod-openapi";

export const RewardOfferSchema = z
  .object({
    kind: z.literal("reward").openapi({ description: "A reward of the catalog." }),
    rewardId: z.string().openapi({ example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    name: z.string().openapi({ example: "5 EUR off" }),
    costPoints: z.number().int(),
    pointsNeeded: z.number().int().openapi({ description: "Points the member still lacks (0 when affordable)." }),
    claimable: z.boolean(),
    reasons: z
      .array(
        z.object({
          code: z.enum(["affordable", "points_to_go", "segment"]),
          detail: z.string(),
          segmentId: z.string().optional(),
        }),
      )
      .openapi({ description: "Why it is shown: affordable now or the points to go, and the member's segment it is restricted to." }),
  })
  .openapi("RewardOffer");

export const CampaignOfferSchema = z
  .object({
    kind: z.literal("campaign").openapi({ description: "A campaign rule in force whose member conditions hold for the member now." }),
    campaignId: z.string().openapi({ example: "cmp_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    ruleId: z.string().openapi({ example: "coffee-double" }),
    name: z.string().openapi({ example: "Coffee week", description: "The campaign's name, as of the version in force." }),
    ruleName: z.string().nullable(),
    trigger: z.enum(["order", "activity"]),
    effect: z.string().openapi({ example: "double points on coffee", description: "What the rule gives, in words." }),
    endsAt: z.string().nullable().openapi({ description: "When it stops applying (the campaign's end or its current date window's); null: open-ended." }),
    reasons: z
      .array(
        z.object({
          code: z.enum(["favourite_category", "segment", "tier", "plan", "early_access", "attributes", "first_order", "schedule", "order_condition", "ends_soon"]),
          detail: z.string().openapi({ example: "Matches your favourite category coffee." }),
          segmentId: z.string().optional(),
          planId: z.string().optional(),
          category: z.string().optional(),
          condition: z.string().optional().openapi({ description: "For order_condition: the rule's condition on the order (channels, stores, amountAtLeast, amountAtMost, partners)." }),
        }),
      )
      .openapi({ description: "Why it is shown, and the conditions on the order still to be met." }),
  })
  .openapi("CampaignOffer");

export const OfferSchema = z.discriminatedUnion("kind", [RewardOfferSchema, CampaignOfferSchema]).openapi("Offer");

export const OfferListSchema = z
  .object({
    data: z.array(OfferSchema).openapi({
      description:
        "Ranked: affordable rewards (the one closest to the balance first), campaigns on the member's favourite categories, other campaigns (ending within a week first, soonest first), then rewards fewest points away.",
    }),
    availablePoints: z.number().int(),
  })
  .openapi("OfferList");
