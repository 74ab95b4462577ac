// Request and response schemas of the KPI report, the cohort matrix and acquisition costs.
import { z } from "@hono/zod-openapi";
import { MoneySchema } from "../../app/openapi";

const LocalDay = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "a date YYYY-MM-DD");
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM");

export const KpiQuery = z
  .object({
    from: LocalDay.openapi({ example: "2026-01-01", description: "First local day (program time zone); widened to the start of its interval." }),
    to: LocalDay.openapi({ example: "2026-12-31", description: "Last local day; widened to the end of its interval. At most 731 days after `from`." }),
    interval: z.enum(["day", "week", "month"]).default("month").openapi({ description: "Weeks start on Monday." }),
    segment: z.string().optional().openapi({ description: "Not available yet: any value is a 422 `segments_not_available`." }),
    channel: z.enum(["online", "store", "app"]).optional().openapi({ description: "Only orders and points of this channel; customer-based figures are then null." }),
    partner: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "Only this partner's orders and points (`program` for the program's own); customer-based figures are then null." }),
  })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] });

const RateSchema = z
  .object({
    numerator: z.number().int(),
    denominator: z.number().int(),
    basisPoints: z.number().int().nullable().openapi({ description: "floor(numerator x 10000 / denominator); null when the denominator is 0." }),
  })
  .openapi({ example: { numerator: 42, denominator: 120, basisPoints: 3500 } });

const QuotientSchema = z
  .object({
    numerator: z.number().int(),
    denominator: z.number().int(),
    value: z.number().int().nullable().openapi({ description: "floor(numerator / denominator); null when the denominator is 0." }),
  })
  .openapi({ example: { numerator: 125000, denominator: 50, value: 2500 } });

function split<T extends z.ZodType>(schema: T) {
  return z.object({ members: schema, nonMembers: schema, all: schema }).openapi({ description: "Members, non-members (guests) and everyone." });
}

const CountSplit = split(z.number().int());
const RateSplit = split(RateSchema);
const QuotientSplit = split(QuotientSchema);
const ClvSchema = z
  .object({
    revenuePerCustomer: QuotientSchema.openapi({ description: "AOV x purchase frequency: revenue over customers." }),
    expectedLifetime: QuotientSchema.openapi({ description: "1 / churn in periods: previous period's customers over those of them who did not come back." }),
    value: z.number().int().nullable().openapi({ description: "floor(revenue per customer x expected lifetime); null when nobody churned or a count is 0." }),
  })
  .openapi({ description: "Customer lifetime value = AOV x purchase frequency x expected lifetime." });
const ClvSplit = split(ClvSchema);

export const KpiPeriodSchema = z
  .object({
    period: z.string().openapi({ example: "2026-11" }),
    from: z.string().openapi({ example: "2026-11-01" }),
    to: z.string().openapi({ example: "2026-11-30" }),
    orders: CountSplit,
    grossRevenue: CountSplit,
    refundedAmount: CountSplit,
    revenue: CountSplit,
    refunds: CountSplit,
    newCustomers: CountSplit,
    customers: CountSplit.nullable(),
    returningCustomers: CountSplit.nullable(),
    retentionRate: RateSplit.nullable(),
    simpleRetentionRate: RateSplit.nullable(),
    repeatPurchaseRate: RateSplit.nullable(),
    purchaseFrequency: QuotientSplit.nullable(),
    averageOrderValue: QuotientSplit,
    membersRevenueShare: RateSchema,
    customerLifetimeValue: ClvSplit.nullable(),
    acquisitionCost: z.number().int().nullable(),
    customerAcquisitionCost: QuotientSchema.nullable(),
    ltvToCac: z.object({ basisPoints: z.number().int().nullable() }).nullable(),
    enrollments: z.number().int(),
    activeMembers: z.number().int().nullable(),
    tierMoves: z.number().int(),
    points: z.object({ issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int(), clawedBack: z.number().int() }),
    redemptionRate: RateSchema,
    breakageRate: RateSchema,
    programCost: z
      .object({ redeemedValue: z.number().int(), rewards: z.number().int(), donations: z.number().int(), total: z.number().int() })
      .openapi({ description: "Points redeemed (other than for rewards) and points spent on catalog rewards at the redemption value; donations at the money passed on to their causes." }),
    membersIncrementalRevenue: z.number().int().nullable(),
    referralConversions: z.number().int().nullable().openapi({ description: "Referrals rewarded in the period (the referee enrolled or placed the qualifying order); null with a channel or partner filter." }),
    activities: z
      .object({ total: z.number().int(), byType: z.array(z.object({ type: z.string().openapi({ example: "review" }), count: z.number().int() })) })
      .nullable()
      .openapi({ description: "Activities accepted in the period (posted without moderation, or confirmed), by type; null with a channel or partner filter." }),
    surveyResponseRate: RateSchema.nullable().openapi({ description: "Activities of type 'survey' over active members in the period; null with a filter." }),
  })
  .openapi("KpiPeriod");

export const KpiReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    interval: z.enum(["day", "week", "month"]),
    currency: z.string().openapi({ example: "EUR" }),
    timeZone: z.string().openapi({ example: "Europe/Berlin" }),
    channel: z.string().nullable(),
    partner: z.string().nullable(),
    periods: z.array(KpiPeriodSchema),
    pointsByRule: z.array(z.object({ campaignId: z.string().nullable(), rule: z.string(), points: z.number().int() })),
    byPartner: z.array(
      z.object({
        partnerId: z.string().nullable(),
        orders: z.number().int(),
        revenue: z.number().int(),
        pointsIssued: z.number().int(),
        pointsRedeemed: z.number().int(),
        pointsExpired: z.number().int(),
        pointsClawedBack: z.number().int(),
      }),
    ),
    now: z.object({
      liability: z.object({
        outstandingPoints: z.number().int(),
        availablePoints: z.number().int(),
        pendingPoints: z.number().int(),
        heldPoints: z.number().int(),
        value: z.number().int(),
        expectedBreakageRate: RateSchema,
        maturedEarnMonths: z.number().int(),
        adjustedValue: z.number().int(),
      }),
      tiers: z.array(z.object({ tier: z.string().nullable(), members: z.number().int() })),
    }),
    notes: z.array(z.string()),
    pendingChanges: z.number().int().openapi({
      example: 0,
      description:
        "Members' changes recorded but not yet in these figures. A KPI request first folds what is pending into the rollups, so this is 0 unless it ran out of time doing so (a backlog the fold-kpis job is still working through).",
    }),
  })
  .openapi("KpiReport");

export const CohortQuery = z
  .object({
    by: z.literal("enrollment_month").default("enrollment_month"),
    from: Month.openapi({ example: "2026-01", description: "First cohort (enrolment month)." }),
    to: Month.openapi({ example: "2026-12", description: "Last cohort; at most 36 cohorts." }),
  })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] });

export const CohortReportSchema = z
  .object({
    by: z.literal("enrollment_month"),
    throughMonth: z.string().openapi({ example: "2026-12", description: "The current local month: the matrix's last column." }),
    cohorts: z.array(
      z.object({
        cohort: z.string().openapi({ example: "2026-03" }),
        enrolled: z.number().int(),
        orders: z.number().int(),
        revenue: z.number().int(),
        months: z.array(
          z.object({
            monthsSinceEnrollment: z.number().int(),
            month: z.string(),
            activeMembers: z.number().int(),
            retentionRate: RateSchema,
            orders: z.number().int(),
            revenue: z.number().int(),
          }),
        ),
        averageOrderValue: QuotientSchema,
        monthlyRetention: RateSchema,
        customerLifetimeValue: z.number().int().nullable(),
      }),
    ),
    pendingChanges: z.number().int().openapi({
      example: 0,
      description:
        "Members' changes recorded but not yet in these figures. A KPI request first folds what is pending into the rollups, so this is 0 unless it ran out of time doing so (a backlog the fold-kpis job is still working through).",
    }),
  })
  .openapi("CohortReport");

export const AcquisitionCostBody = z
  .object({
    month: Month.openapi({ example: "2026-11" }),
    channel: z.enum(["online", "store", "app", "all"]).default("all").openapi({ description: "`all` for a cost not split by channel." }),
    amount: MoneySchema,
  })
  .strict()
  .openapi("AcquisitionCostInput");

export const AcquisitionCostSchema = z
  .object({ month: z.string(), channel: z.string(), amount: MoneySchema, updatedAt: z.string() })
  .openapi("AcquisitionCost");

export const AcquisitionCostQuery = z
  .object({ from: Month.openapi({ example: "2026-01" }), to: Month.openapi({ example: "2026-12" }) })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] });

export const AcquisitionCostListSchema = z.object({ items: z.array(AcquisitionCostSchema) }).openapi("AcquisitionCostList");
