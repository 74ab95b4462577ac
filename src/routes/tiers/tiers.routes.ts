// Route declarations for tiers granted by hand (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
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

export const setTier = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/tier",
  operationId: "setTier",
  summary: "Grant a tier by hand, optionally until a date",
  description:
    "Writes a `tier` entry and a `tier.changed` event. A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).",
  tags: ["Members"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(SetTierBody) },
  responses: { 200: jsonResponse(MemberTierSchema, "The member's tier now."), ...errorResponses },
});

export type SetTierRoute = typeof setTier;
