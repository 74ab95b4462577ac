// Request and response schemas of membership plans, memberships and benefits.
import { z } from "@hono/zod-openapi";
import { ExternalId, MemberId, MoneySchema } from "../../app/openapi";

const Timestamp = z.string().datetime({ offset: true }).openapi({ example: "2027-01-01T00:00:00Z" });

const BenefitsFields = {
  earningMultiplierPercent: z
    .number()
    .int()
    .min(100)
    .max(1000)
    .openapi({ example: 200, description: "Percent on what an order earns, on top of the tier's: 200 doubles it." }),
  freeShipping: z.boolean().openapi({ example: true }),
  earlyAccessDays: z.number().int().min(0).max(365).openapi({ example: 2, description: "Days before everyone else that rewards and campaigns open to members of the plan." }),
  exclusiveRewards: z.boolean().openapi({ description: "Rewards restricted to this plan are open to its members." }),
};

const PlanBenefitsBody = z
  .object({
    earningMultiplierPercent: BenefitsFields.earningMultiplierPercent.default(100),
    freeShipping: BenefitsFields.freeShipping.default(false),
    earlyAccessDays: BenefitsFields.earlyAccessDays.default(0),
    exclusiveRewards: BenefitsFields.exclusiveRewards.default(false),
  })
  .strict();

export const CreatePlanBody = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: "Prime" }),
    price: MoneySchema.openapi({ description: "What the storefront charges per term (informational: the storefront takes the payment)." }),
    term: z.enum(["month", "year"]).openapi({ example: "year" }),
    benefits: PlanBenefitsBody.prefault({}),
    renews: z.boolean().default(true).openapi({ description: "Whether the storefront renews it by itself; either way it lapses when not renewed past paidUntil." }),
  })
  .strict()
  .openapi("CreateMembershipPlan");

export const PatchPlanBody = z
  .object({
    name: z.string().min(1).max(100).optional(),
    price: MoneySchema.optional(),
    term: z.enum(["month", "year"]).optional(),
    benefits: z
      .object({
        earningMultiplierPercent: BenefitsFields.earningMultiplierPercent.optional(),
        freeShipping: BenefitsFields.freeShipping.optional(),
        earlyAccessDays: BenefitsFields.earlyAccessDays.optional(),
        exclusiveRewards: BenefitsFields.exclusiveRewards.optional(),
      })
      .strict()
      .optional(),
    renews: z.boolean().optional(),
  })
  .strict()
  .openapi("PatchMembershipPlan", { description: "A JSON Merge Patch: changes exactly what it names." });

export const PlanSchema = z
  .object({
    id: z.string().openapi({ example: "mpl_01JEXAMPLE0000000000000000" }),
    name: z.string(),
    price: MoneySchema,
    term: z.enum(["month", "year"]),
    benefits: z.object(BenefitsFields),
    renews: z.boolean(),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("MembershipPlan");

export const PlanPageSchema = z.object({ data: z.array(PlanSchema), nextCursor: z.string().nullable() }).openapi("MembershipPlanPage");

export const PlanParam = z.object({
  planId: z.string().min(1).max(64).openapi({ param: { name: "planId", in: "path" }, example: "mpl_01JEXAMPLE0000000000000000" }),
});

export const PlanListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z.string().optional().openapi({ description: "nextCursor from the previous page of the same list; opaque." }),
  includeArchived: z.enum(["true", "false"]).default("false").openapi({ description: "Archived plans too." }),
});

export const StartMembershipBody = z
  .object({
    planId: z.string().min(1).max(64).openapi({ example: "mpl_01JEXAMPLE0000000000000000" }),
    paidUntil: Timestamp.openapi({ description: "The end of what the storefront was paid for; benefits hold until then." }),
    externalRef: ExternalId.nullable().optional().openapi({ example: "sub_8842", description: "The storefront's subscription or payment id." }),
  })
  .strict()
  .openapi("StartMembership");

export const RenewMembershipBody = z
  .object({ paidUntil: Timestamp.openapi({ description: "The new end of what was paid; after the current one." }) })
  .strict()
  .openapi("RenewMembership");

export const CancelMembershipBody = z
  .object({
    at: z.enum(["term_end", "now"]).default("term_end").openapi({ description: "term_end: benefits until paidUntil, then it lapses; now: it ends at once." }),
  })
  .strict()
  .openapi("CancelMembership");

export const MembershipParams = z.object({
  memberId: MemberId.openapi({ param: { name: "memberId", in: "path" } }),
  membershipId: z.string().min(1).max(64).openapi({ param: { name: "membershipId", in: "path" }, example: "mbr_01JEXAMPLE0000000000000000" }),
});

export const MembershipSchema = z
  .object({
    id: z.string().openapi({ example: "mbr_01JEXAMPLE0000000000000000" }),
    memberId: z.string(),
    planId: z.string(),
    status: z.enum(["active", "cancelled", "lapsed"]),
    paidUntil: z.string(),
    externalRef: z.string().nullable(),
    cancelAtTermEnd: z.boolean(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Membership");

export const MembershipListSchema = z.object({ data: z.array(MembershipSchema) }).openapi("MembershipList");

export { BenefitsSchema } from "../../memberships/schemas";
