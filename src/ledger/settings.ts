// Program settings: one zod schema gives validation, defaults and (through zod's own .meta) the OpenAPI shape.
import { z } from "zod";
import { isKnownCurrency } from "./money";

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be a three-letter ISO 4217 code")
  .refine(isKnownCurrency, "unknown ISO 4217 currency")
  .meta({ example: "EUR" });

export const TierSchema = z.object({
  name: z.string().min(1).max(40).meta({ example: "gold" }),
  threshold: z.number().int().min(0).max(1_000_000_000).meta({ example: 5000, description: "Qualifying points needed." }),
  multiplierPercent: z
    .number()
    .int()
    .min(100)
    .max(1000)
    .default(100)
    .meta({ example: 150, description: "Earning multiplier in percent: 150 = 1.5x." }),
});

export const TierListSchema = z
  .array(TierSchema)
  .max(20)
  .superRefine((tiers, ctx) => {
    const names = new Set(tiers.map((t) => t.name));
    const thresholds = new Set(tiers.map((t) => t.threshold));
    if (names.size !== tiers.length) ctx.addIssue({ code: "custom", message: "tier names must be unique" });
    if (thresholds.size !== tiers.length) ctx.addIssue({ code: "custom", message: "tier thresholds must be unique" });
  });

const Period = z.enum(["month", "quarter", "year"]);

export const ExpiryPolicySchema = z
  .discriminatedUnion("policy", [
    z.object({ policy: z.literal("never") }),
    z.object({ policy: z.literal("rolling"), days: z.number().int().min(1).max(3650) }),
    z.object({
      policy: z.literal("period_end"),
      period: Period,
      plusPeriods: z.number().int().min(0).max(10).default(0),
    }),
    z.object({ policy: z.literal("inactivity"), days: z.number().int().min(1).max(3650) }),
  ])
  .meta({ id: "ExpiryPolicy", example: { policy: "rolling", days: 365 } });

export const TierQualificationSchema = z
  .object({
    basis: z
      .enum(["points", "spend"])
      .default("points")
      .meta({ description: "What qualifies for a tier: points earned, or money spent (then thresholds are minor units)." }),
    window: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("lifetime") }),
        z.object({ type: z.literal("rolling"), days: z.number().int().min(1).max(3650) }),
        z.object({ type: z.literal("calendar_year") }),
      ])
      .default({ type: "lifetime" })
      .meta({ description: "Over which time the qualifying points (or spend) count; UTC." }),
    grace: z
      .discriminatedUnion("policy", [
        z.object({ policy: z.literal("none") }),
        z.object({ policy: z.literal("days"), days: z.number().int().min(1).max(3650) }),
        z.object({ policy: z.literal("period_end"), period: Period, plusPeriods: z.number().int().min(0).max(10).default(0) }),
      ])
      .default({ policy: "none" })
      .meta({ description: "How long a member keeps a tier after first falling short of it." }),
    downgrade: z
      .enum(["one_step", "to_deserved"])
      .default("to_deserved")
      .meta({ description: "After the grace: one tier down (and a new grace), or straight to the tier the points deserve." }),
  })
  .meta({ id: "TierQualification" });

/** Referral rewards and their fraud rules (src/referrals); off unless enabled. */
export const ReferralSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    refereePoints: z.number().int().min(0).max(1_000_000_000).default(0).meta({ example: 500, description: "Points for the new member." }),
    referrerPoints: z.number().int().min(0).max(1_000_000_000).default(0).meta({ example: 1000, description: "Points for the member who referred them." }),
    refereeRewardId: z
      .string()
      .regex(/^rwd_[0-9A-Z]{26}$/, "a reward id")
      .nullable()
      .default(null)
      .meta({ description: "A catalog reward (/v1/rewards) given to the new member instead of points, at no cost: a claim with its coupon. null: points." }),
    referrerRewardId: z
      .string()
      .regex(/^rwd_[0-9A-Z]{26}$/, "a reward id")
      .nullable()
      .default(null)
      .meta({ description: "A catalog reward given to the referrer instead of points. null: points." }),
    grantOn: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("enrollment") }),
        z.object({
          type: z.literal("first_order"),
          minAmount: z.number().int().min(0).max(1_000_000_000_000).default(0).meta({ description: "Minor units: the referee's first order at or above this qualifies." }),
        }),
      ])
      .default({ type: "first_order", minAmount: 0 })
      .meta({ description: "When the rewards are granted: at enrollment, or on the referee's first order at or above an amount." }),
    shareLinkTemplate: z
      .string()
      .max(500)
      .refine((t) => t.includes("{code}"), "must contain {code}")
      .default("https://shop.example/r/{code}")
      .meta({ description: "The share link; {code} is replaced by the member's referral code." }),
    capPerReferrer: z
      .object({ count: z.number().int().min(1).max(1_000_000), period: Period })
      .nullable()
      .default(null)
      .meta({ description: "At most this many rewarded referrals per referrer per calendar period (UTC); null for no cap." }),
    minReferrerAgeDays: z.number().int().min(0).max(3650).default(0).meta({ description: "The referrer's account must be this many days old." }),
  })
  .meta({ id: "ReferralSettings" });

export const ProgramSettingsSchema = z
  .object({
    currency: CurrencyCode.default("EUR"),
    earnRate: z
      .object({
        points: z.number().int().min(1).max(1_000_000).meta({ example: 1 }),
        perAmount: z.number().int().min(1).max(1_000_000_000).meta({ example: 100, description: "Minor units." }),
      })
      .default({ points: 1, perAmount: 100 })
      .meta({ description: "Points earned per amount spent: 1 point per 100 minor units by default." }),
    rounding: z.enum(["floor", "round", "ceil"]).default("floor"),
    redemptionValue: z
      .object({
        points: z.number().int().min(1).max(1_000_000).meta({ example: 100 }),
        amount: z.number().int().min(1).max(1_000_000_000).meta({ example: 100, description: "Minor units." }),
      })
      .default({ points: 100, amount: 100 })
      .meta({ description: "What points are worth: 100 points = 1.00 by default." }),
    pendingDays: z.number().int().min(0).max(365).default(0),
    expiry: ExpiryPolicySchema.default({ policy: "never" }),
    minRedemptionPoints: z.number().int().min(1).max(1_000_000_000).default(1),
    holdTtlSeconds: z.number().int().min(10).max(7 * 86_400).default(900),
    enrollOnAccrual: z.boolean().default(false),
    maxBackdateDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(365)
      .meta({ description: "How many days before now an order's occurredAt may lie; older orders are refused (imports of old orders: raise it first)." }),
    settlementPeriod: z
      .enum(["month", "quarter"])
      .default("month")
      .meta({ description: "Coalition settlement periods: calendar months or quarters (UTC)." }),
    tiers: TierListSchema.default([]),
    // The defaults keep tiers as they were: lifetime points, no downgrade unless a refund takes points back.
    tierQualification: TierQualificationSchema.prefault({}),
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, "an IANA time zone name, e.g. Europe/Berlin")
      .default("UTC")
      .meta({ example: "Europe/Berlin", description: "IANA time zone the program's local dates are read in: campaign days, hours and calendar limits, birthdays." }),
    earning: z
      .object({
        tierMultiplierScope: z
          .enum(["base", "all"])
          .default("base")
          .meta({ description: "The tier multiplier applies to the base points only, or to the base and every campaign rule's points." }),
        maxMultiplierPercent: z
          .number()
          .int()
          .min(100)
          .max(100_000)
          .nullable()
          .default(null)
          .meta({ description: "Cap on an order's total points as a percent of its base points (rules and tier together); null: no cap." }),
      })
      .strict()
      .prefault({})
      .meta({ description: "How campaign rules and the tier multiplier combine." }),
    expiryWarning: z
      .object({ daysBefore: z.number().int().min(1).max(365).meta({ example: 14 }) })
      .nullable()
      .default(null)
      .meta({ description: "Send one `points.expiring` event per member and expiry date this many days ahead; null sends none." }),
    cors: z
      .object({
        allowedOrigins: z
          .array(z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "an origin: scheme, host and optional port, no path"))
          .max(50)
          .default([])
          .meta({ example: ["https://shop.example"], description: "Origins whose pages may call /v1/me with a member token." }),
      })
      .strict()
      .prefault({})
      .meta({ description: "Browsers' access to the member-token routes (/v1/me)." }),
    referrals: ReferralSettingsSchema.prefault({}),
    privacy: z
      .object({
        allowReenrollAfterErasure: z
          .boolean()
          .default(false)
          .meta({ description: "Whether an erased member's id may enroll again (the pseudonymous history stays attached to it)." }),
        retentionYears: z
          .number()
          .int()
          .min(1)
          .max(100)
          .nullable()
          .default(null)
          .meta({ example: 3, description: "Members inactive this many years (by last activity) are erased by the daily job; null keeps them." }),
      })
      .strict()
      .prefault({})
      .meta({ description: "Data protection: erasure and retention." }),
  })
  .meta({ id: "ProgramSettings" });

/** Whether the runtime knows `name` as an IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export type ProgramSettings = z.output<typeof ProgramSettingsSchema>;
export type Tier = z.output<typeof TierSchema>;
export type ExpiryPolicy = z.output<typeof ExpiryPolicySchema>;
export type TierQualification = z.output<typeof TierQualificationSchema>;
export type ReferralSettings = z.output<typeof ReferralSettingsSchema>;

/**
 * Settings as D1 stores them, validated (defaults applied), and the JSON text of the validated settings:
 * what the Worker sends members' objects, which take it with a plain JSON.parse (see SentCall).
 */
export function readSettings(stored: string): { settings: ProgramSettings; settingsText: string } {
  const settings = ProgramSettingsSchema.parse(JSON.parse(stored));
  return { settings, settingsText: JSON.stringify(settings) };
}

export function defaultSettings(overrides: Partial<z.input<typeof ProgramSettingsSchema>> = {}): ProgramSettings {
  return ProgramSettingsSchema.parse(overrides);
}

/** The JSON path SQL reads the period kind at in a program's stored settings: a rename of the key fails to compile here. */
export const SETTLEMENT_PERIOD_PATH = `$.${"settlementPeriod" satisfies keyof ProgramSettings}` as const;
