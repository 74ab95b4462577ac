// Membership handlers: plans in D1 (admin), memberships through the member's object, benefits read from both.
import { auditOf } from "../../audit/audit";
import type { Context } from "hono";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { forgetCampaignRules } from "../../campaigns/active";
import { database } from "../../db/client";
import { memberNotFound } from "../../ledger/errors";
import { ApiError, fromDomain } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { memberBenefits } from "../../memberships/member-benefits";
import type { MembershipPlan } from "../../memberships/memberships";
import { insertPlan, memberTier, membershipsOf, plansAfter, readPlan, updatePlan } from "./memberships.queries";
import type {
  ArchiveMembershipPlanRoute,
  CancelMembershipRoute,
  CreateMembershipPlanRoute,
  GetBenefitsRoute,
  GetMembershipPlanRoute,
  ListMembershipPlansRoute,
  ListMembershipsRoute,
  RenewMembershipRoute,
  StartMembershipRoute,
  UpdateMembershipPlanRoute,
} from "./memberships.routes";

/** The plan, or the same 404 whether it is missing or another program's. */
async function visiblePlan(c: Context<AppEnv>, planId: string): Promise<MembershipPlan> {
  const plan = await readPlan(database(c.env.DB), c.get("principal").programId, planId);
  if (!plan) throw new ApiError("membership_plan_not_found", `No membership plan '${planId}'.`);
  return plan;
}

async function savePlan(c: Context<AppEnv>, before: MembershipPlan, after: MembershipPlan, action: string): Promise<MembershipPlan> {
  const audit = auditOf(c, `membership_plan:${before.id}`, action, { before, after });
  if (!(await updatePlan(database(c.env.DB), c.get("principal").programId, before, after, audit))) {
    throw new ApiError("concurrent_update", "The plan changed meanwhile; read it again and retry.");
  }
  // Its early-access days bound how soon campaigns open: this isolate's rules cache reads them afresh.
  forgetCampaignRules(c.get("principal").programId);
  return after;
}

export const createMembershipPlan: AppRouteHandler<CreateMembershipPlanRoute> = async (c) => {
  const body = c.req.valid("json");
  const at = new Date().toISOString();
  const plan: MembershipPlan = { id: newId("mpl"), ...body, archivedAt: null, createdAt: at, updatedAt: at };
  await insertPlan(database(c.env.DB), c.get("principal").programId, plan, auditOf(c, `membership_plan:${plan.id}`, "create", { after: plan }));
  forgetCampaignRules(c.get("principal").programId);
  return c.json(plan, 201);
};

export const listMembershipPlans: AppRouteHandler<ListMembershipPlansRoute> = async (c) => {
  const { limit, cursor, includeArchived } = c.req.valid("query");
  const { programId } = c.get("principal");
  const scope = ["membership-plans", programId, includeArchived] as const;
  const after = await resumeAfter(c, scope, cursor);
  const rows = await plansAfter(database(c.env.DB), programId, after, limit, includeArchived === "true");
  const page = rows.slice(0, limit);
  return c.json(await sealedPage(c, scope, { data: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }), 200);
};

export const getMembershipPlan: AppRouteHandler<GetMembershipPlanRoute> = async (c) => {
  return c.json(await visiblePlan(c, c.req.valid("param").planId), 200);
};

export const updateMembershipPlan: AppRouteHandler<UpdateMembershipPlanRoute> = async (c) => {
  const plan = await visiblePlan(c, c.req.valid("param").planId);
  const { benefits, ...patch } = c.req.valid("json");
  const next: MembershipPlan = { ...plan, ...patch, benefits: { ...plan.benefits, ...benefits }, updatedAt: laterThan(plan.updatedAt) };
  return c.json(await savePlan(c, plan, next, "update"), 200);
};

export const archiveMembershipPlan: AppRouteHandler<ArchiveMembershipPlanRoute> = async (c) => {
  const plan = await visiblePlan(c, c.req.valid("param").planId);
  if (plan.archivedAt !== null) return c.json(plan, 200);
  const at = laterThan(plan.updatedAt);
  return c.json(await savePlan(c, plan, { ...plan, archivedAt: at, updatedAt: at }, "archive"), 200);
};

/** Now, or a millisecond past the plan's last change: updatedAt is the version a write is guarded by. */
function laterThan(updatedAt: string): string {
  return new Date(Math.max(Date.now(), Date.parse(updatedAt) + 1)).toISOString();
}

export const startMembership: AppRouteHandler<StartMembershipRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const body = c.req.valid("json");
  const plan = await visiblePlan(c, body.planId);
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: memberId, body });
  return respond(c, await memberLedger(c, memberId).startMembership(call, { plan, paidUntil: body.paidUntil, externalRef: body.externalRef ?? null }));
};

export const listMemberships: AppRouteHandler<ListMembershipsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { programId } = c.get("principal");
  const db = database(c.env.DB);
  if (!(await memberTier(db, programId, memberId))) throw fromDomain(memberNotFound(memberId).toFailure());
  return c.json({ data: await membershipsOf(db, programId, memberId) }, 200);
};

export const renewMembership: AppRouteHandler<RenewMembershipRoute> = async (c) => {
  const { memberId, membershipId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: `${memberId}\n${membershipId}`, body });
  return respond(c, await memberLedger(c, memberId).changeMembership(call, { membershipId, kind: "renew", paidUntil: body.paidUntil }));
};

export const cancelMembership: AppRouteHandler<CancelMembershipRoute> = async (c) => {
  const { memberId, membershipId } = c.req.valid("param");
  const body = c.req.valid("json");
  const call = await ledgerCall(c, memberId, { idempotencyKey: c.req.valid("header")["idempotency-key"], target: `${memberId}\n${membershipId}`, body });
  return respond(c, await memberLedger(c, memberId).changeMembership(call, { membershipId, kind: "cancel", at: body.at }));
};

export const getBenefits: AppRouteHandler<GetBenefitsRoute> = async (c) => {
  return c.json(await memberBenefits(c, c.req.valid("param").memberId), 200);
};
