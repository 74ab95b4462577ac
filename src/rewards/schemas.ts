// The rewards' request and answer schemas, shared by the rewards, coupons and causes routes (the OpenAPI contract).
import { z } from "@hono/zod-openapi";
import { ExternalId, MAX_SAFE_AMOUNT } from "../app/openapi";
import { CurrencyCode } from "../ledger/settings";
import { BalanceSchema } from "../app/schemas";
import { LIMIT_PERIODS, REWARD_TYPES, type RewardDefinition } from "./types";

/** Money that may be null: an unnamed object, so the document says `null` beside it rather than beside a $ref. */
const RewardMoney = z.object({ amount: z.number().int().min(1).max(MAX_SAFE_AMOUNT).openapi({ example: 500, description: "Integer minor units." }), currency: CurrencyCode });
const Timestamp = z.string().datetime({ offset: true }).openapi({ example: "2026-12-01T00:00:00Z" });
const AttributeValue = z.union([z.string().max(500), z.number(), z.boolean()]);
const Attributes = z
  .record(z.string().min(1).max(64), AttributeValue)
  .refine((a) => Object.keys(a).length <= 50, "at most 50 attributes");
const OpaqueId = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

const EarlyAccessSchema = z
  .object({
    planId: OpaqueId.optional().openapi({ description: "Members holding this paid plan may claim from opensAt." }),
    tier: z.string().min(1).max(100).optional().openapi({ description: "Members of this tier may claim from opensAt." }),
    opensAt: Timestamp,
  })
  .strict()
  .openapi("RewardEarlyAccess");

const LimitSchema = z
  .object({
    count: z.number().int().min(1).max(1000).openapi({ example: 1 }),
    per: z.enum(LIMIT_PERIODS).openapi({ description: "A calendar period (UTC; weeks start on Monday), or the member's lifetime." }),
  })
  .strict();

/** Every field of a reward as the operator writes it; the types' own rules are checked after (src/rewards/check.ts). */
const rewardFields = {
  name: z.string().min(1).max(200).openapi({ example: "5 EUR off" }),
  description: z.string().max(2000).nullable().openapi({ example: "5 EUR off your next order." }),
  type: z.enum(REWARD_TYPES).openapi({ description: "fixed_discount (value), percent_discount (percent, maxDiscount), free_shipping, free_product (sku), donation (value, causeId), custom (attributes)." }),
  costPoints: z.number().int().min(1).max(MAX_SAFE_AMOUNT).openapi({ example: 500 }),
  value: RewardMoney.nullable().openapi({ description: "fixed_discount: the discount; donation: what each claim gives the cause." }),
  percent: z.number().int().min(1).max(100).nullable().openapi({ example: 10 }),
  maxDiscount: RewardMoney.nullable().openapi({ description: "percent_discount: the largest discount it gives." }),
  sku: ExternalId.nullable().openapi({ example: "TOTE-BAG-01" }),
  causeId: z.string().min(1).max(64).nullable().openapi({ example: "cause_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
  attributes: Attributes.openapi({ description: "What the shop needs to fulfil it (custom rewards, or extra details of any)." }),
  stock: z.number().int().min(0).max(1_000_000_000).nullable().openapi({ example: 50, description: "Units all members together may claim; null for no limit." }),
  codeSource: z.enum(["generated", "pool"]).openapi({ description: "generated: Treue makes each code; pool: codes uploaded with POST /v1/rewards/{id}/codes." }),
  tiers: z.array(z.string().min(1).max(100)).max(50).openapi({ description: "Only these tiers may claim; empty for all." }),
  memberAttributes: Attributes.openapi({ description: "Only members whose attributes equal these may claim." }),
  limit: LimitSchema.nullable().openapi({ description: "Claims per member; null for no limit." }),
  validFrom: Timestamp.nullable(),
  validUntil: Timestamp.nullable(),
  couponValidDays: z.number().int().min(1).max(3650).openapi({ example: 30 }),
  onExpiry: z.enum(["return_points", "keep_points"]).openapi({ description: "What happens to the points of a coupon that expires unused." }),
  planIds: z.array(OpaqueId).max(50).openapi({ description: "Only members holding one of these paid plans may claim; empty for all." }),
  segmentIds: z
    .array(z.string().regex(/^seg_[0-9A-Z]{26}$/, "a segment id"))
    .max(20)
    .optional()
    .openapi({ description: "Offered only to members in one of these segments (GET /v1/members/{memberId}/segments); absent or empty for all.", example: ["seg_01JDZ8K3M4N5P6Q7R8S9T0V1W2"] }),
  earlyAccess: z.array(EarlyAccessSchema).max(20).openapi({ description: "Plans or tiers that may claim before validFrom." }),
};

export const CreateRewardBody = z
  .object({
    ...rewardFields,
    description: rewardFields.description.optional(),
    value: rewardFields.value.optional(),
    percent: rewardFields.percent.optional(),
    maxDiscount: rewardFields.maxDiscount.optional(),
    sku: rewardFields.sku.optional(),
    causeId: rewardFields.causeId.optional(),
    attributes: rewardFields.attributes.optional(),
    stock: rewardFields.stock.optional(),
    codeSource: rewardFields.codeSource.default("generated"),
    tiers: rewardFields.tiers.default([]),
    memberAttributes: rewardFields.memberAttributes.optional(),
    limit: rewardFields.limit.optional(),
    validFrom: rewardFields.validFrom.optional(),
    validUntil: rewardFields.validUntil.optional(),
    couponValidDays: rewardFields.couponValidDays.default(30),
    onExpiry: rewardFields.onExpiry.default("keep_points"),
    planIds: rewardFields.planIds.default([]),
    earlyAccess: rewardFields.earlyAccess.default([]),
  })
  .strict()
  .openapi("CreateReward");

export const UpdateRewardBody = z
  .object(Object.fromEntries(Object.entries(rewardFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof rewardFields]: z.ZodOptional<(typeof rewardFields)[K]> })
  .strict()
  .openapi("UpdateReward");

const iso = (at: string | null | undefined) => (at ? new Date(at).toISOString() : null);

/** A creation body as a definition: absent fields empty, timestamps in one form so they compare as text. */
export function definitionOf(body: z.output<typeof CreateRewardBody>): RewardDefinition {
  return {
    name: body.name,
    description: body.description ?? null,
    type: body.type,
    costPoints: body.costPoints,
    value: body.value ?? null,
    percent: body.percent ?? null,
    maxDiscount: body.maxDiscount ?? null,
    sku: body.sku ?? null,
    causeId: body.causeId ?? null,
    attributes: body.attributes ?? {},
    stock: body.stock ?? null,
    codeSource: body.codeSource,
    tiers: body.tiers,
    memberAttributes: body.memberAttributes ?? {},
    limit: body.limit ?? null,
    validFrom: iso(body.validFrom),
    validUntil: iso(body.validUntil),
    couponValidDays: body.couponValidDays,
    onExpiry: body.onExpiry,
    planIds: body.planIds,
    earlyAccess: body.earlyAccess.map((w) => ({ ...w, opensAt: iso(w.opensAt)! })),
    ...(body.segmentIds?.length ? { segmentIds: body.segmentIds } : {}),
  };
}

/** A PATCH over a stored definition: what it names replaces, what it leaves out stays. */
export function patchedDefinition(current: RewardDefinition, patch: z.output<typeof UpdateRewardBody>): RewardDefinition {
  const merged = { ...current } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) merged[key] = value;
  const next = merged as unknown as RewardDefinition;
  return {
    ...next,
    validFrom: iso(next.validFrom),
    validUntil: iso(next.validUntil),
    earlyAccess: next.earlyAccess.map((w) => ({ ...w, opensAt: iso(w.opensAt)! })),
  };
}

const InventorySchema = z
  .object({
    stock: z.number().int().nullable().openapi({ description: "The reward's stock; null for no limit." }),
    left: z.number().int().nullable().openapi({ description: "Units a claim can still take; null for no limit." }),
    reserved: z.number().int().openapi({ description: "Units reserved by claims in flight." }),
    claimed: z.number().int().openapi({ description: "Units taken by committed claims." }),
    freeCodes: z.number().int().nullable().openapi({ description: "Pool codes not handed out yet; null when codes are generated." }),
  })
  .openapi("RewardInventory");

export const RewardSchema = z
  .object({
    id: z.string().openapi({ example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    status: z.enum(["active", "archived"]),
    ...rewardFields,
    inventory: InventorySchema.nullable().openapi({ description: "Stock and pool as the reward's own object counts them; null without stock or pool." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Reward");

export const RewardListSchema = z.object({ data: z.array(RewardSchema) }).openapi("RewardList");

export const RewardIdParam = z.object({
  id: z
    .string()
    .regex(/^rwd_[0-9A-Z]{26}$/, "a reward id")
    .openapi({ param: { name: "id", in: "path" }, example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});

export const UploadCodesBody = z
  .object({
    codes: z
      .array(z.string().min(4).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, _ and - only"))
      .min(1)
      .max(5000)
      .openapi({ example: ["SHOP-5OFF-7K2Q", "SHOP-5OFF-9XPA"] }),
  })
  .strict()
  .openapi("UploadRewardCodes");

export const UploadCodesResultSchema = z
  .object({ added: z.number().int(), duplicates: z.number().int(), inventory: InventorySchema })
  .openapi("UploadRewardCodesResult");

const MoneyAnswer = z.object({ amount: z.number().int(), currency: z.string() });

export const ClaimSchema = z
  .object({
    id: z.string().openapi({ example: "clm_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    memberId: z.string(),
    rewardId: z.string(),
    rewardType: z.enum(REWARD_TYPES),
    status: z.enum(["issued", "used", "cancelled", "expired", "donated"]),
    points: z.number().int(),
    redemptionId: z.string().nullable().openapi({ description: "The redemption that took the points (GET /v1/redemptions/{id}); null for a reward a referral gave, which cost nothing." }),
    referralId: z.string().nullable().openapi({ description: "The referral whose reward this claim is (points 0, no redemption); null for a claim bought with points." }),
    value: MoneyAnswer.nullable().openapi({ description: "The money the claim stands for: a donation's amount, a fixed discount." }),
    causeId: z.string().nullable(),
    coupon: z
      .object({
        code: z.string().openapi({ example: "7K2QX9PAM4ND3V" }),
        source: z.enum(["generated", "pool"]),
        expiresAt: z.string(),
      })
      .nullable()
      .openapi({ description: "null for a donation: nothing to use at a checkout." }),
    createdAt: z.string(),
  })
  .openapi("RewardClaim");

export const ClaimWithBalanceSchema = ClaimSchema.extend({ balance: BalanceSchema }).openapi("RewardClaimWithBalance");

export const CouponSchema = z
  .object({
    code: z.string(),
    valid: z.boolean().openapi({ description: "Whether the checkout may apply it now." }),
    status: z.enum(["issued", "used", "cancelled", "expired"]),
    type: z.enum(REWARD_TYPES),
    value: MoneyAnswer.nullable(),
    percent: z.number().int().nullable(),
    maxDiscount: MoneyAnswer.nullable(),
    sku: z.string().nullable(),
    attributes: z.record(z.string(), AttributeValue),
    currency: z.string(),
    expiresAt: z.string(),
    rewardId: z.string(),
    memberId: z.string(),
    claimId: z.string(),
    orderId: z.string().nullable().openapi({ description: "The order it was used on." }),
    usedAt: z.string().nullable(),
  })
  .openapi("Coupon");

export const CouponPageSchema = z
  .object({ data: z.array(CouponSchema).openapi({ description: "Newest first." }), nextCursor: z.string().nullable() })
  .openapi("CouponPage");

export const CouponCodeParam = z.object({
  code: z.string().min(1).max(64).openapi({ param: { name: "code", in: "path" }, example: "7K2QX9PAM4ND3V" }),
});

export const RedeemCouponBody = z.object({ orderId: ExternalId.openapi({ example: "order_90210" }) }).strict().openapi("RedeemCoupon");

export const MemberRewardSchema = z
  .object({
    reward: RewardSchema.omit({ inventory: true }),
    claimable: z.boolean(),
    pointsNeeded: z.number().int().openapi({ description: "Points the member still lacks (0 when they have enough)." }),
    unavailable: z
      .array(
        z.object({
          reason: z.enum(["archived", "not_yet_open", "ended", "plan_required", "tier_required", "member_attributes", "limit_reached", "out_of_stock", "insufficient_points"]),
          detail: z.string(),
        }),
      )
      .openapi({ description: "Why it cannot be claimed now; empty when it can." }),
    stockLeft: z.number().int().nullable(),
  })
  .openapi("MemberReward");

export const MemberRewardListSchema = z.object({ data: z.array(MemberRewardSchema) }).openapi("MemberRewardList");


// ------------------------------------------------------------ causes and donations

export const CauseBody = z
  .object({
    name: z.string().min(1).max(200).openapi({ example: "Clean Rivers" }),
    description: z.string().max(2000).nullable().optional(),
    url: z.string().url().max(500).nullable().optional().openapi({ example: "https://cleanrivers.example" }),
  })
  .strict()
  .openapi("CreateCause");

export const UpdateCauseBody = CauseBody.partial().strict().openapi("UpdateCause");

export const CauseSchema = z
  .object({
    id: z.string().openapi({ example: "cause_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    name: z.string(),
    description: z.string().nullable(),
    url: z.string().nullable(),
    status: z.enum(["active", "archived"]),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Cause");

export const CauseListSchema = z.object({ data: z.array(CauseSchema) }).openapi("CauseList");

export const CauseIdParam = z.object({
  id: z
    .string()
    .regex(/^cause_[0-9A-Z]{26}$/, "a cause id")
    .openapi({ param: { name: "id", in: "path" }, example: "cause_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});

export const DonationsSchema = z
  .object({
    causeId: z.string(),
    name: z.string(),
    currency: z.string(),
    periods: z.array(
      z.object({
        period: z.string().openapi({ example: "2026-12" }),
        claims: z.number().int(),
        points: z.number().int(),
        amount: MoneyAnswer.openapi({ description: "What to pass on to the cause for the period." }),
      }),
    ),
    total: MoneyAnswer,
  })
  .openapi("CauseDonations");
