// Request and response schemas of the activity routes.
import { z } from "@hono/zod-openapi";
import { MemberIdParam } from "../../app/openapi";
import { BalanceSchema, CappedRuleSchema, EarnLineSchema } from "../../app/schemas";

const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: "2026-12-01T10:15:00Z" });

export const ActivityType = z
  .string()
  .regex(/^(review|social_share|survey|custom:[a-z0-9_.-]{1,60})$/, "review, social_share, survey or custom:<name>")
  .openapi({ example: "review" });

export const ActivityBody = z
  .object({
    type: ActivityType,
    reference: z
      .string()
      .min(1)
      .max(200)
      .refine((reference) => !/[\p{Cc}\p{Cf}]/u.test(reference), "printable characters only")
      .openapi({ example: "sku-espresso-beans", description: "What the activity is about (the reviewed product, the shared page, the survey): one per type earns once." }),
    occurredAt: Timestamp.optional().openapi({ description: "When it happened; defaults to now. Campaign rules are those in force then." }),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
      .refine((a) => Object.keys(a).length <= 50, "at most 50 attributes")
      .default({})
      .openapi({ example: { rating: 5 } }),
    status: z.literal("pending").optional().openapi({ description: "Post it awaiting moderation (a review, typically): it earns when confirmed." }),
  })
  .strict()
  .openapi("ActivityPost");

const ActivityFields = {
  id: z.string().openapi({ example: "act_01JE5B2K8Q4W6Y8A0C2E4G6J8M" }),
  memberId: z.string(),
  type: z.string().openapi({ example: "review" }),
  reference: z.string().openapi({ example: "sku-espresso-beans" }),
  status: z.enum(["pending", "confirmed", "rejected"]).openapi({ description: "confirmed: it earned (when posted, or on confirm); pending: awaiting moderation; rejected: it never earns." }),
  occurredAt: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  points: z.number().int().openapi({ example: 50 }),
  breakdown: z.array(EarnLineSchema).openapi({ description: "Which campaign rule gave what; empty while nothing was earned." }),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const ActivitySchema = z.object(ActivityFields).openapi("Activity");

export const ActivityResultSchema = z
  .object({
    ...ActivityFields,
    capped: z.array(CappedRuleSchema).openapi({ description: "Rules that matched but gave nothing (a budget, a member limit, a cooldown)." }),
    lot: z.object({ id: z.string(), availableAt: z.string(), expiresAt: z.string().nullable() }).nullable(),
    tierChange: z.object({ from: z.string().nullable(), to: z.string().nullable() }).nullable(),
    balance: BalanceSchema,
  })
  .openapi("ActivityResult");

export const ActivityPageSchema = z.object({ data: z.array(ActivitySchema), nextCursor: z.string().nullable() }).openapi("ActivityPage");

export const ActivityParams = MemberIdParam.extend({
  activityId: z.string().min(1).max(64).openapi({ param: { name: "activityId", in: "path" }, example: "act_01JE5B2K8Q4W6Y8A0C2E4G6J8M" }),
});

export const ActivityListQuery = z.object({
  status: z.enum(["pending", "confirmed", "rejected"]).optional().openapi({ description: "Only activities in this status (e.g. the reviews awaiting moderation)." }),
});
