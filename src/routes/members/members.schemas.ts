// Request and response schemas of the member routes (the ones other folders share live in app/schemas).
import { z } from "@hono/zod-openapi";
import { ChannelSchema, ExternalId } from "../../app/openapi";
import { BalanceSchema } from "../../app/schemas";
import { birthdayProblem, localDate } from "../../bonuses/birthday";

/** The zone furthest ahead (UTC+14): a birthday that is today anywhere is not refused as future. */
const EARLIEST_ZONE = "Pacific/Kiritimati";

export const BirthdaySchema = z
  .object({
    month: z.number().int().min(1).max(12).openapi({ example: 5 }),
    day: z.number().int().min(1).max(31).openapi({ example: 17 }),
    year: z.number().int().min(1900).max(9999).nullable().optional().openapi({ example: 1990, description: "Optional; the bonus needs only month and day." }),
  })
  .strict()
  .superRefine((birthday, ctx) => {
    const problem = birthdayProblem(birthday, localDate(new Date(), EARLIEST_ZONE));
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: [problem.path.split(".").at(-1)!] });
  })
  .openapi("Birthday", {
    description:
      "A real calendar date: 31 April is refused, 29 February only in a leap year (or without a year). In common years a 29 February birthday is celebrated on 28 February.",
  });

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
    birthday: BirthdaySchema.nullable().optional().openapi({ description: "Month and day (year optional) for the birthday bonus; null removes it." }),
    marketingConsent: z
      .object({
        granted: z.boolean().openapi({ example: true }),
        source: z.string().min(1).max(64).optional().openapi({ example: "checkout", description: "How it was given or withdrawn; `api` if absent." }),
      })
      .strict()
      .optional()
      .openapi({ description: "Marketing consent given (or withdrawn) now; recorded with this request's time. Absent: left as it is." }),
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
    birthday: z
      .object({ month: z.number().int(), day: z.number().int(), year: z.number().int().nullable() })
      .nullable()
      .openapi({ example: { month: 5, day: 17, year: null } }),
    marketingConsent: z
      .object({ granted: z.boolean(), at: z.string(), source: z.string() })
      .nullable()
      .openapi({ description: "Marketing consent as last said, when and how; null when never said.", example: { granted: true, at: "2026-03-01T10:00:00.000Z", source: "checkout" } }),
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
