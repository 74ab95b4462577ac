// Campaigns and their earning rules: the one schema that validates them, fills their defaults and
// (through zod's .meta) describes them in the OpenAPI document. Plain data; nothing here reads storage.
import { z } from "zod";

const Channel = z.enum(["online", "store", "app"]);
const Count = z.number().int().min(1).max(1_000_000_000);
const Points = z.number().int().min(1).max(1_000_000_000);
const Minor = z.number().int().min(0).max(1_000_000_000_000_000);
const Timestamp = z.iso.datetime({ offset: true }).meta({ example: "2026-12-05T00:00:00Z" });
const Names = z.array(z.string().min(1).max(100)).min(1).max(500);

/** What sets a rule off: an order (an accrual), an activity of a type, the enrollment, the member's birthday. */
export const RuleTriggerSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("order") }).strict(),
    z
      .object({
        type: z.literal("activity"),
        activityType: z
          .string()
          .regex(/^(review|social_share|survey|custom:[a-z0-9_.-]{1,60})$/, "review, social_share, survey or custom:<name>")
          .meta({ example: "review" }),
      })
      .strict(),
    z.object({ type: z.literal("enrollment") }).strict(),
    z.object({ type: z.literal("birthday") }).strict(),
  ])
  .meta({ id: "RuleTrigger" });

/** Which line items a rule looks at: included by SKU or category, then the excluded ones taken out. */
export const ItemMatchSchema = z
  .object({
    skus: Names.optional(),
    categories: Names.optional(),
    excludeSkus: Names.optional(),
    excludeCategories: Names.optional(),
  })
  .strict()
  .meta({ id: "ItemMatch", description: "An item matches when it is included (by SKU or category; everything if neither is given) and not excluded." });

/** Local time of day in the program's time zone, [from, to): `{from: 18, to: 22}` is 18:00 to 21:59. */
const HoursSchema = z.object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) }).strict();

/** All optional; a rule applies when every condition given holds. Times are read in the program's time zone. */
export const RuleConditionsSchema = z
  .object({
    amountAtLeast: Minor.optional().meta({ description: "Order amount (minor units) at least this." }),
    amountAtMost: Minor.optional(),
    channels: z.array(Channel).min(1).max(3).optional(),
    stores: Names.optional().meta({ description: "Orders from these stores only (the accrual's storeId)." }),
    items: ItemMatchSchema.optional().meta({ description: "Line items the rule applies to; an order without a matching item does not match." }),
    tiers: z
      .array(z.string().min(1).max(40).nullable())
      .min(1)
      .max(20)
      .optional()
      .meta({ description: "Member's tier among these; null stands for no tier." }),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()]))
      .optional()
      .meta({ description: "Member attributes that must equal these values." }),
    windows: z
      .array(z.object({ from: Timestamp, to: Timestamp }).strict())
      .min(1)
      .max(50)
      .optional()
      .meta({ description: "Date windows [from, to) the order's occurredAt must fall in." }),
    daysOfWeek: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .optional()
      .meta({ description: "ISO weekdays, 1 = Monday ... 7 = Sunday, in the program's time zone." }),
    hours: HoursSchema.optional(),
    firstOrder: z.boolean().optional().meta({ description: "true: only the member's first order; false: every order but the first." }),
    partners: Names.optional().meta({ description: "Coalition programs: orders posted by these partners only." }),
    segments: z
      .array(z.string().regex(/^seg_[0-9A-Z]{26}$/, "a segment id"))
      .min(1)
      .max(20)
      .optional()
      .meta({ description: "Members in one of these segments (/v1/segments), as of their last batch." }),
    plans: z
      .array(z.string().regex(/^mpl_[0-9A-Z]{26}$/, "a membership plan id").meta({ example: "mpl_01JEXAMPLE0000000000000000" }))
      .min(1)
      .max(20)
      .optional()
      .meta({ description: "Members holding one of these membership plans (/v1/membership-plans) in force at the trigger's time." }),
  })
  .strict()
  .meta({ id: "RuleConditions" });

/**
 * What a matching rule gives. Percentages are integers (200 = double).
 * `multiply` adds (percent - 100)% of the base points of the order or of the
 * matching items; `cashback` gives the points worth percent% of the amount at
 * the program's redemption value, in basis points (500 = 5.00 %).
 */
export const RuleEffectSchema = z
  .discriminatedUnion("type", [
    z
      .object({
        type: z.literal("multiply"),
        percent: z.number().int().min(101).max(10_000).meta({ example: 200 }),
        scope: z.enum(["order", "items"]).default("order"),
      })
      .strict(),
    z
      .object({
        type: z.literal("fixed"),
        points: Points.meta({ example: 50 }),
        per: z.enum(["order", "item", "unit"]).default("order").meta({ description: "Once, per matching line item, or per unit of matching items." }),
      })
      .strict(),
    z
      .object({
        type: z.literal("per_amount"),
        points: Points.meta({ example: 5 }),
        perAmount: Count.meta({ example: 100, description: "Minor units of matching items (or of the order without an item condition)." }),
      })
      .strict(),
    z
      .object({
        type: z.literal("cashback"),
        basisPoints: z.number().int().min(1).max(10_000).meta({ example: 500, description: "500 = 5 % of the amount, as points worth that much." }),
        scope: z.enum(["order", "items"]).default("order"),
      })
      .strict(),
  ])
  .meta({ id: "RuleEffect" });

export const LimitPeriod = z.enum(["day", "week", "month", "year", "campaign"]);

/** At most `count` triggers or `points` points per member in a period: calendar (program time zone) or rolling. */
export const RuleLimitSchema = z
  .object({
    period: LimitPeriod,
    window: z.enum(["calendar", "rolling"]).default("calendar").meta({ description: "Calendar periods in the program's time zone, or the last day/7/30/365 days." }),
    count: Count.optional(),
    points: Points.optional(),
  })
  .strict()
  .refine((limit) => limit.count !== undefined || limit.points !== undefined, { message: "a limit needs count or points", path: ["count"] })
  .meta({ id: "RuleLimit" });

export const RuleSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "lowercase letters, digits, _ and -")
      .meta({ example: "weekend-double", description: "Unique within the campaign; stays the same across versions." }),
    name: z.string().min(1).max(200).optional(),
    trigger: RuleTriggerSchema,
    conditions: RuleConditionsSchema.default({}),
    effect: RuleEffectSchema,
    limits: z.array(RuleLimitSchema).max(10).default([]),
    cooldownSeconds: z.number().int().min(1).max(366 * 86_400).optional().meta({ description: "Time that must pass between two grants to one member." }),
    priority: z.number().int().min(0).max(1_000_000).default(100).meta({ description: "Higher applies first." }),
    exclusive: z.boolean().default(false).meta({ description: "When it applies, no rule of lower priority does." }),
  })
  .strict()
  .meta({ id: "Rule" });

export const CampaignBudgetSchema = z
  .object({
    points: Points.optional().meta({ description: "At most this many points issued by the campaign's rules, program-wide." }),
    amount: Minor.optional().meta({ description: "Or at most this much money, at the redemption value (minor units)." }),
  })
  .strict()
  .refine((budget) => budget.points !== undefined || budget.amount !== undefined, { message: "a budget needs points or amount", path: ["points"] })
  .meta({ id: "CampaignBudget" });

/**
 * A campaign opening earlier for some members, as a reward's early access
 * does: holders of the plan (in force at the trigger's time), or members of
 * the tier, earn by its rules from opensAt instead of startsAt.
 */
export const CampaignEarlyAccessSchema = z
  .object({
    planId: z
      .string()
      .regex(/^mpl_[0-9A-Z]{26}$/, "a membership plan id")
      .optional()
      .meta({ example: "mpl_01JEXAMPLE0000000000000000", description: "Members holding this membership plan earn from opensAt." }),
    tier: z.string().min(1).max(40).optional().meta({ description: "Members of this tier earn from opensAt." }),
    opensAt: Timestamp,
  })
  .strict()
  .meta({ id: "CampaignEarlyAccess" });

/** What an operator writes; status and versions are the campaign's own (see the routes). */
export const CampaignDefinitionSchema = z
  .object({
    name: z.string().min(1).max(200).meta({ example: "Weekend double points" }),
    description: z.string().max(2000).default(""),
    startsAt: Timestamp,
    endsAt: Timestamp.nullable().default(null),
    budget: CampaignBudgetSchema.nullable().default(null),
    earlyAccess: z
      .array(CampaignEarlyAccessSchema)
      .min(1)
      .max(20)
      .optional()
      .meta({
        description:
          "Plans or tiers whose members earn before startsAt. Besides these, a membership plan's benefits.earlyAccessDays opens every campaign that many days early to its holders.",
      }),
    rules: z.array(RuleSchema).min(1).max(50),
  })
  .strict()
  .meta({
    id: "CampaignDefinition",
    example: {
      name: "Weekend double points",
      description: "Double points on Saturdays and Sundays, five times on coffee.",
      startsAt: "2026-12-05T00:00:00Z",
      endsAt: "2027-01-31T00:00:00Z",
      budget: { points: 100000 },
      rules: [
        {
          id: "weekend-double",
          trigger: { type: "order" },
          conditions: { daysOfWeek: [6, 7] },
          effect: { type: "multiply", percent: 200, scope: "order" },
          limits: [],
          priority: 100,
          exclusive: false,
        },
        {
          id: "coffee-5x",
          trigger: { type: "order" },
          conditions: { items: { categories: ["coffee"] } },
          effect: { type: "multiply", percent: 500, scope: "items" },
          limits: [{ period: "day", window: "calendar", count: 1 }],
          priority: 200,
          exclusive: false,
        },
      ],
    },
  });

export const CampaignStatus = z.enum(["draft", "active", "paused", "ended"]);

export type RuleTrigger = z.output<typeof RuleTriggerSchema>;
export type ItemMatch = z.output<typeof ItemMatchSchema>;
export type RuleConditions = z.output<typeof RuleConditionsSchema>;
export type RuleEffect = z.output<typeof RuleEffectSchema>;
export type RuleLimit = z.output<typeof RuleLimitSchema>;
export type Rule = z.output<typeof RuleSchema>;
export type CampaignBudget = z.output<typeof CampaignBudgetSchema>;
export type CampaignEarlyAccess = z.output<typeof CampaignEarlyAccessSchema>;
export type CampaignDefinition = z.output<typeof CampaignDefinitionSchema>;
export type CampaignStatusName = z.output<typeof CampaignStatus>;

/**
 * One rule as the evaluator sees it: the campaign version in force at the order's time that carries it.
 * Treated as immutable: the evaluator keeps the timestamps it parsed per object (rules are cached per isolate).
 */
export interface ActiveRule {
  campaignId: string;
  version: number;
  /** The version's own window, from the campaign. */
  startsAt: string;
  endsAt: string | null;
  /** Budget of the campaign (shared by all its rules), if any. */
  budget: CampaignBudget | null;
  /** Plans or tiers the campaign opens to before startsAt (absent: none). */
  earlyAccess?: readonly CampaignEarlyAccess[];
  rule: Rule;
}
