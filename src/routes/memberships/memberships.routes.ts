// Route declarations for membership plans, members' memberships and their benefits (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, MemberIdParam } from "../../app/openapi";
import {
  BenefitsSchema,
  CancelMembershipBody,
  CreatePlanBody,
  MembershipListSchema,
  MembershipParams,
  MembershipSchema,
  PatchPlanBody,
  PlanListQuery,
  PlanPageSchema,
  PlanParam,
  PlanSchema,
  RenewMembershipBody,
  StartMembershipBody,
} from "./memberships.schemas";

const tags = ["Memberships"];
const replayNote = "A retry with the same Idempotency-Key and body replays this answer (header `Idempotent-Replayed: true`).";

export const createMembershipPlan = createRoute({
  method: "post",
  path: "/v1/membership-plans",
  operationId: "createMembershipPlan",
  ...AUDITED,
  summary: "Create a paid or VIP membership plan",
  description: "A plan a storefront sells (price and term) and the benefits its members get while it is in force: an earning multiplier, free shipping, early access days, exclusive rewards.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreatePlanBody) },
  responses: { 201: jsonResponse(PlanSchema, "Created."), ...errorResponses },
});

export const listMembershipPlans = createRoute({
  method: "get",
  path: "/v1/membership-plans",
  operationId: "listMembershipPlans",
  summary: "The program's membership plans, oldest first",
  description: "The plans, oldest first; archived plans only with `includeArchived=true`. Paged with `cursor`.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { query: PlanListQuery },
  responses: { 200: jsonResponse(PlanPageSchema, "One page of plans."), ...errorResponses },
});

export const getMembershipPlan = createRoute({
  method: "get",
  path: "/v1/membership-plans/{planId}",
  operationId: "getMembershipPlan",
  summary: "One membership plan",
  description: "A plan with its price, term and benefits, archived or not.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: PlanParam },
  responses: { 200: jsonResponse(PlanSchema, "The plan."), ...errorResponses },
});

export const updateMembershipPlan = createRoute({
  method: "patch",
  path: "/v1/membership-plans/{planId}",
  operationId: "updateMembershipPlan",
  ...AUDITED,
  summary: "Change a membership plan (JSON Merge Patch)",
  description: "Memberships already held keep their plan: what changes applies to them from now on (benefits are read from the plan).",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PlanParam, body: jsonBody(PatchPlanBody) },
  responses: { 200: jsonResponse(PlanSchema, "The plan now."), ...errorResponses },
});

export const archiveMembershipPlan = createRoute({
  method: "post",
  path: "/v1/membership-plans/{planId}/archive",
  operationId: "archiveMembershipPlan",
  ...AUDITED,
  summary: "Stop selling a plan",
  description: "No new memberships of it start (422 `membership_plan_archived`); memberships held run on until they lapse or are cancelled. Archiving twice changes nothing.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PlanParam },
  responses: { 200: jsonResponse(PlanSchema, "The archived plan."), ...errorResponses },
});

export const startMembership = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/memberships",
  operationId: "startMembership",
  summary: "Record a membership the storefront was paid for",
  description: `The storefront takes the payment and says until when it is paid. 409 \`membership_exists\` when the member holds the plan in force already (renew it instead). ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader, body: jsonBody(StartMembershipBody) },
  responses: { 201: jsonResponse(MembershipSchema, "Started."), ...errorResponses },
});

export const listMemberships = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/memberships",
  operationId: "listMemberships",
  summary: "The member's memberships, oldest first, whatever their status",
  description: "Every membership the member has held, active, cancelled or lapsed, with until when each is paid.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(MembershipListSchema, "Every membership of the member."), ...errorResponses },
});

export const renewMembership = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/memberships/{membershipId}/renew",
  operationId: "renewMembership",
  summary: "Extend a membership to a new paidUntil",
  description: `Withdraws a cancellation for the term's end. A membership past its paidUntil, cancelled or lapsed, is 409 \`membership_not_active\`: start a new one. ${replayNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MembershipParams, headers: IdempotencyHeader, body: jsonBody(RenewMembershipBody) },
  responses: { 200: jsonResponse(MembershipSchema, "Renewed."), ...errorResponses },
});

export const cancelMembership = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/memberships/{membershipId}/cancel",
  operationId: "cancelMembership",
  summary: "Cancel a membership at the end of its term, or at once",
  description: replayNote,
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: MembershipParams, headers: IdempotencyHeader, body: jsonBody(CancelMembershipBody) },
  responses: { 200: jsonResponse(MembershipSchema, "Cancelled (or set to end with its term)."), ...errorResponses },
});

export const getBenefits = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/benefits",
  operationId: "getBenefits",
  summary: "Everything the checkout should apply now, from the tier and the memberships together",
  description: "What the checkout should apply for this member now: free shipping, the earning multiplier (tier and the best membership in force together), early access, and the plans whose exclusive rewards the member may claim. One call, so a storefront needs no rules of its own.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server", "partner")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(BenefitsSchema, "The member's benefits at this moment."), ...errorResponses },
});

export type CreateMembershipPlanRoute = typeof createMembershipPlan;
export type ListMembershipPlansRoute = typeof listMembershipPlans;
export type GetMembershipPlanRoute = typeof getMembershipPlan;
export type UpdateMembershipPlanRoute = typeof updateMembershipPlan;
export type ArchiveMembershipPlanRoute = typeof archiveMembershipPlan;
export type StartMembershipRoute = typeof startMembership;
export type ListMembershipsRoute = typeof listMemberships;
export type RenewMembershipRoute = typeof renewMembership;
export type CancelMembershipRoute = typeof cancelMembership;
export type GetBenefitsRoute = typeof getBenefits;
