// Request and answer schemas of the segment routes (the conditions themselves are src/segments/conditions.ts).
import { z } from "@hono/zod-openapi";
import { MemberIdParam, PaginationQuery } from "../../app/openapi";
import { SegmentConditionsSchema } from "../../segments/conditions";
import { SEGMENT_EXPORT_PURPOSES } from "../../segments/store";

export const SegmentIdParam = z.object({
  id: z
    .string()
    .regex(/^seg_[0-9A-Z]{26}$/, "a segment id")
    .openapi({ param: { name: "id", in: "path" }, example: "seg_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});

export const CreateSegmentBody = z
  .object({
    name: z.string().min(1).max(200).openapi({ example: "Lapsing big spenders" }),
    description: z.string().max(2000).nullable().optional(),
    conditions: SegmentConditionsSchema.openapi({ example: { lifetimeSpend: { min: 50000 }, daysSinceLastOrder: { min: 60 } } }),
  })
  .strict()
  .openapi("CreateSegment");

export const UpdateSegmentBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).nullable().optional(),
    conditions: SegmentConditionsSchema.optional(),
  })
  .strict()
  .openapi("UpdateSegment");

export const SegmentSchema = z
  .object({
    id: z.string().openapi({ example: "seg_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    name: z.string(),
    description: z.string().nullable(),
    conditions: SegmentConditionsSchema,
    memberCount: z.number().int().openapi({ description: "Members in the segment as of their last batch (the maintained membership, counted now), erased members left out: what `purpose=service` lists." }),
    marketableCount: z.number().int().openapi({ description: "Of them, the members who gave marketing consent: what the default `purpose=marketing` list holds." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Segment");

export const SegmentListSchema = z.object({ data: z.array(SegmentSchema.omit({ memberCount: true, marketableCount: true })) }).openapi("SegmentList");

const Purpose = z.enum(SEGMENT_EXPORT_PURPOSES);

export const SegmentMembersQuery = PaginationQuery.extend({
  purpose: Purpose.default("marketing").openapi({
    example: "marketing",
    description:
      "What the list is for. `marketing` (the default): only members who gave marketing consent. `service`: every member, for messages about their account or analysis, never for marketing. Erased members are never listed.",
  }),
});

export const SegmentMemberPageSchema = z
  .object({
    data: z.array(z.object({ memberId: z.string(), enteredAt: z.string().openapi({ description: "When the member's batch moved them in." }) })),
    nextCursor: z.string().nullable(),
    purpose: Purpose.openapi({ description: "The purpose the page was filtered for (a cursor carries on with the same one)." }),
  })
  .openapi("SegmentMemberPage");

export const MemberSegmentListSchema = z
  .object({
    data: z.array(z.object({ id: z.string(), name: z.string() })),
    evaluatedAt: z.string().openapi({ description: "The time the member's statistics were evaluated at." }),
  })
  .openapi("MemberSegmentList");

export const MemberStatsSchema = z
  .object({
    lifetimeSpend: z.number().int(),
    orderCount: z.number().int(),
    firstOrderAt: z.string().nullable(),
    lastOrderAt: z.string().nullable(),
    availablePoints: z.number().int(),
    channels: z.object({ online: z.number().int(), store: z.number().int(), app: z.number().int() }),
    favouriteCategories: z.array(z.string()),
    lastRedemptionAt: z.string().nullable(),
  })
  .openapi("MemberStats");

export const BackfillResultSchema = z
  .object({ evaluated: z.number().int(), memberCount: z.number().int(), complete: z.boolean().openapi({ description: "false when the program has more members than one evaluation covers; the rest join as their batches run." }) })
  .openapi("SegmentBackfill");

export { MemberIdParam };
