// The offers answer as the OpenAPI document declares it (shared by /v1/members/{memberId}/offers and /v1/me/offers).
import { z } from "@hono/zod-openapi";

export const OfferSchema = z
  .object({
    kind: z.enum(["reward"]).openapi({ description: "What is offered; campaigns join as kinds of their own." }),
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
  .openapi("Offer");

export const OfferListSchema = z
  .object({
    data: z.array(OfferSchema).openapi({ description: "Ranked: affordable rewards first (the one closest to the balance first), then those fewest points away." }),
    availablePoints: z.number().int(),
  })
  .openapi("OfferList");
