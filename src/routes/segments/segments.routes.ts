// Route declarations for segments (the operator's) and a member's segments (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import {
  CreateSegmentBody,
  MemberIdParam,
  MemberSegmentListSchema,
  MemberStatsSchema,
  SegmentIdParam,
  SegmentListSchema,
  SegmentMemberPageSchema,
  SegmentMembersQuery,
  SegmentSchema,
  UpdateSegmentBody,
} from "./segments.schemas";

const tags = ["Segments"];
const membershipNote =
  "Membership is kept by each member's own ledger batch (their statistics change, the segment is evaluated, `segment.entered` / `segment.left` go out with the batch). Existing members are evaluated once when a segment is created or its conditions change, without events.";

export const createSegment = createRoute({
  method: "post",
  path: "/v1/segments",
  operationId: "createSegment",
  ...AUDITED,
  summary: "Define a segment of members",
  description: `Every condition given must hold. ${membershipNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreateSegmentBody) },
  responses: { 201: jsonResponse(SegmentSchema, "Created, with the members it has now."), ...errorResponses },
});

export const listSegments = createRoute({
  method: "get",
  path: "/v1/segments",
  operationId: "listSegments",
  summary: "The program's segments, oldest first",
  description: "The program's segments with their conditions and live member counts, oldest first. Paged with `cursor`.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(SegmentListSchema, "Every segment."), ...errorResponses },
});

export const getSegment = createRoute({
  method: "get",
  path: "/v1/segments/{id}",
  operationId: "getSegment",
  summary: "A segment and how many members it has now",
  description: "A segment's conditions and how many members it holds now (kept up to date by each member's batches).",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: SegmentIdParam },
  responses: { 200: jsonResponse(SegmentSchema, "The segment."), ...errorResponses },
});

export const updateSegment = createRoute({
  method: "patch",
  path: "/v1/segments/{id}",
  operationId: "updateSegment",
  ...AUDITED,
  summary: "Rename a segment or replace its conditions",
  description: `Conditions replace the old ones whole. ${membershipNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: SegmentIdParam, body: jsonBody(UpdateSegmentBody) },
  responses: { 200: jsonResponse(SegmentSchema, "Updated."), ...errorResponses },
});

export const deleteSegment = createRoute({
  method: "delete",
  path: "/v1/segments/{id}",
  operationId: "deleteSegment",
  ...AUDITED,
  summary: "Delete a segment and its membership",
  description: "Rewards that name it are offered to members of their other segments only (to none, if it was their only one).",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: SegmentIdParam },
  responses: { 200: jsonResponse(z.object({ id: z.string(), deleted: z.literal(true) }).openapi("DeletedSegment"), "Deleted."), ...errorResponses },
});

export const listSegmentMembers = createRoute({
  method: "get",
  path: "/v1/segments/{id}/members",
  operationId: "listSegmentMembers",
  summary: "Page through a segment's members, by member id",
  description:
    "Reads the kept membership, so a page costs the same for any program size. A member joins or leaves with their next batch. By default the page is for marketing and holds only members who gave marketing consent; `purpose=service` lists every member. Erased members never appear. Member ids only: the email tool looks the contact up with its own consent record.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: SegmentIdParam, query: SegmentMembersQuery },
  responses: { 200: jsonResponse(SegmentMemberPageSchema, "One page."), ...errorResponses },
});

export const getMemberSegments = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/segments",
  operationId: "getMemberSegments",
  summary: "The segments a member is in now, and the statistics they are evaluated on",
  description: "Reads the member's statistics row and the program's segments (cached), and evaluates them at the time of the request.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(MemberSegmentListSchema.extend({ stats: MemberStatsSchema }).openapi("MemberSegments"), "The member's segments."), ...errorResponses },
});

export type CreateSegmentRoute = typeof createSegment;
export type ListSegmentsRoute = typeof listSegments;
export type GetSegmentRoute = typeof getSegment;
export type UpdateSegmentRoute = typeof updateSegment;
export type DeleteSegmentRoute = typeof deleteSegment;
export type ListSegmentMembersRoute = typeof listSegmentMembers;
export type GetMemberSegmentsRoute = typeof getMemberSegments;
