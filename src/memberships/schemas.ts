// The benefits answer, shared by /v1/members/{memberId}/benefits and /v1/me/benefits.
import { z } from "@hono/zod-openapi";

export const BenefitsSchema = z
  .object({
    memberId: z.string(),
    asOf: z.string(),
    tier: z.object({ name: z.string(), multiplierPercent: z.number().int() }).nullable(),
    memberships: z.array(z.object({ membershipId: z.string(), planId: z.string(), planName: z.string(), paidUntil: z.string() })),
    earningMultiplierPercent: z.number().int().openapi({ example: 300, description: "Tier and membership together: tier x membership / 100, floored." }),
    tierMultiplierPercent: z.number().int(),
    membershipMultiplierPercent: z.number().int().openapi({ description: "The largest of the memberships in force; 100 for none." }),
    freeShipping: z.boolean(),
    earlyAccessDays: z.number().int().openapi({ description: "The most any membership in force gives." }),
    exclusiveRewardPlanIds: z.array(z.string()).openapi({ description: "Plans whose exclusive rewards the member may claim now." }),
  })
  .openapi("Benefits");
