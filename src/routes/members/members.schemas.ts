// Request and response schemas of the member routes (the ones other folders share live in app/schemas).
import { z } from "@hono/zod-openapi";
import { ChannelSchema, ExternalId } from "../../app/openapi";
import { BalanceSchema } from "../../app/schemas";

export const EnrollBody = z
  .object({
    email: z.string().email().max(254).nullable().optional().openapi({ example: "ada@example.com" }),
    name: z.string().max(200).nullable().optional().openapi({ example: "Ada Lovelace" }),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
      .refine((a) => Object.keys(a).length <= 50, "at most 50 attributes")
      .optional(),
    referralCode: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ example: "7KQ3M9XW2T", description: "The code of the member who referred this one: recorded as a pending referral, or rejected by the fraud rules." }),
    deviceFingerprint: z
      .string()
      .min(8)
      .max(512)
      .optional()
      .openapi({ description: "A hash of the shopper's device the storefront computed; only a hash of it is stored, to tell self-referrals." }),
    paymentFingerprint: z
      .string()
      .min(8)
      .max(512)
      .optional()
      .openapi({ description: "A hash of the shopper's payment method the storefront computed; only a hash of it is stored." }),
  })
  .strict()
  .openapi("EnrollMember");

export const MemberSchema = z
  .object({
    memberId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    tier: z.string().nullable(),
    enrolledAt: z.string(),
    updatedAt: z.string(),
    lastActivityAt: z.string().nullable(),
    balance: BalanceSchema,
  })
  .openapi("Member");

export const RedeemBody = z
  .object({
    mode: z.enum(["capture", "hold"]).default("capture").openapi({ description: "capture takes the points now; hold reserves them." }),
    points: z.number().int().min(1).max(1_000_000_000).openapi({ example: 500 }),
    orderId: ExternalId.optional(),
    channel: ChannelSchema,
    ttlSeconds: z.number().int().min(10).max(7 * 86_400).optional().openapi({ description: "Hold lifetime; program default if absent." }),
  })
  .strict()
  .openapi("Redeem");
