// Route declarations for members' activities (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam, PaginationQuery } from "../../app/openapi";
import { ActivityBody, ActivityListQuery, ActivityPageSchema, ActivityParams, ActivityResultSchema } from "./activities.schemas";

const tags = ["Activities"];
const replayNote = "A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).";

export const recordActivity = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/activities",
  operationId: "recordActivity",
  summary: "Record an activity (a review, a share, a survey) and earn its campaign points",
  description: `Earns by the activity rules of the campaigns in force at occurredAt, within the member's limits and the campaigns' budgets. One activity per type and reference earns once: a second is a 409 \`activity_already_recorded\` with the first, whatever the Idempotency-Key. Posted with \`status: "pending"\`, it earns only when confirmed. Sends \`activity.recorded\`. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(ActivityBody) },
  responses: { 201: jsonResponse(ActivityResultSchema, "Recorded, with what it earned."), ...errorResponses },
});

export const listActivities = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/activities",
  operationId: "listActivities",
  summary: "The member's activities, newest first",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, query: PaginationQuery.merge(ActivityListQuery) },
  responses: { 200: jsonResponse(ActivityPageSchema, "One page of activities."), ...errorResponses },
});

export const confirmActivity = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/activities/{activityId}/confirm",
  operationId: "confirmActivity",
  summary: "Confirm a pending activity after moderation: it earns now",
  description: `By the rules in force when it occurred. Only a pending activity: otherwise 409 \`activity_not_pending\`. Sends \`activity.recorded\` with status confirmed. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: ActivityParams, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(ActivityResultSchema, "Confirmed, with what it earned."), ...errorResponses },
});

export const rejectActivity = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/activities/{activityId}/reject",
  operationId: "rejectActivity",
  summary: "Reject a pending activity after moderation: it never earns",
  description: `Its type and reference stay taken. Only a pending activity: otherwise 409 \`activity_not_pending\`. Sends \`activity.recorded\` with status rejected. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: ActivityParams, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(ActivityResultSchema, "Rejected."), ...errorResponses },
});

export type RecordActivityRoute = typeof recordActivity;
export type ListActivitiesRoute = typeof listActivities;
export type ConfirmActivityRoute = typeof confirmActivity;
export type RejectActivityRoute = typeof rejectActivity;
