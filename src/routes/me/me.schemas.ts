// Response schemas of the member's own routes (/v1/me).
import { z } from "@hono/zod-openapi";
import { BalanceSchema } from "../../app/schemas";

export { IdempotencyHeader } from "../../app/openapi";
export { OfferListSchema } from "../../offers/schemas";
export { ReferralCodeSchema } from "../../referrals/schemas";
export { BenefitsSchema } from "../../memberships/schemas";
export { ClaimWithBalanceSchema, CouponPageSchema, MemberRewardListSchema } from "../../rewards/schemas";

export const MyClaimParams = z.object({
  rewardId: z
    .string()
    .regex(/^rwd_[0-9A-Z]{26}$/, "a reward id")
    .openapi({ param: { name: "rewardId", in: "path" }, example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});

/** What a shopper sees of their own record: not the shop's custom attributes, which are the shop's notes. */
export const MeSchema = z
  .object({
    memberId: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    tier: z.string().nullable(),
    enrolledAt: z.string(),
    balance: BalanceSchema,
  })
  .openapi("Me");

export const MemberCardSchema = z
  .object({
    code: z.string().openapi({
      example: "T1.MFSGC.59400312.K5QWE3TB.GEZDGNBVGY3TQOJQ",
      description: "What the QR code holds; the till sends it to POST /v1/pos/scans. Upper-case letters, digits and dots only, so it can be typed too.",
    }),
    refreshAt: z.string().openapi({ example: "2026-12-02T10:00:30.000Z", description: "Show a new code from then on (every 30 seconds)." }),
    expiresAt: z.string().openapi({ example: "2026-12-02T10:01:00.000Z", description: "The till refuses the code from then on (`card_code_expired`)." }),
    svg: z.string().openapi({ description: "The QR code as an SVG document (black on white, a quiet zone included)." }),
  })
  .openapi("MemberCard");
