// Campaign handlers: the lifecycle's pure functions decide, the queries write in one batch, the rules cache forgets.
import type { Context } from "hono";
import { FUTURE_SKEW_MS } from "../../app/clock";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { forgetCampaignRules, rulesInForceFor } from "../../campaigns/active";
import { budgetPoints } from "../../budgets/budget";
import { budgetLimits, budgetsLeftNow } from "../../budgets/draws";
import { validateCampaign } from "../../campaigns/validate";
import { database } from "../../db/client";
import { planIdsOf } from "../../memberships/store";
import {
  createCampaign as createDefinition,
  editCampaign,
  isRefusal,
  transition,
  type CampaignAction,
  type CampaignChange,
  type DefinitionCheck,
  type CampaignRefusal,
} from "../../campaigns/lifecycle";
import { budgetStates } from "../../campaigns/member-rules";
import { accrue, type AccrualInput } from "../../ledger/ops/accrue";
import { auditOf } from "../../audit/audit";
import { ApiError } from "../../lib/errors";
import { newId, ulid } from "../../lib/ids";
import type {
  ActivateCampaignRoute,
  CreateCampaignRoute,
  EndCampaignRoute,
  GetCampaignRoute,
  GetCampaignStatsRoute,
  ListCampaignsRoute,
  ListCampaignVersionsRoute,
  PauseCampaignRoute,
  PreviewEarningRoute,
  UpdateCampaignRoute,
} from "./campaigns.routes";
import {
  applyCampaignChange,
  campaignsAfter,
  campaignStats,
  foldPendingGrants,
  campaignVersionsOf,
  findCampaign,
  StaleCampaign,
  type CampaignWithDefinition,
} from "./campaigns.queries";

/** Reads and writes before a change that keeps losing the race answers 409 campaign_changed. */
const MAX_ATTEMPTS = 5;

function campaignView({ campaign, definition }: CampaignWithDefinition) {
  return { id: campaign.id, status: campaign.status, version: campaign.version, definition, createdAt: campaign.createdAt, updatedAt: campaign.updatedAt };
}

/** The rules engine's checks of what the schema cannot see, under the program's settings and with the plans it has. */
async function checks(c: Context<AppEnv>): Promise<DefinitionCheck> {
  const { settings, programId } = c.get("principal");
  const planIds = await planIdsOf(database(c.env.DB), programId);
  return (definition) => validateCampaign(definition, settings, { planIds });
}

function refusal(outcome: CampaignRefusal): ApiError {
  return new ApiError(outcome.refused, outcome.detail, outcome.errors ? { errors: outcome.errors } : {});
}

/** The campaign of the key's program, or the same 404 whether it is missing or another program's. */
async function visibleCampaign(c: Context<AppEnv>, id: string): Promise<CampaignWithDefinition> {
  const found = await findCampaign(c.env.DB, c.get("principal").programId, id);
  if (!found) throw new ApiError("campaign_not_found", `No campaign '${id}'.`);
  return found;
}

/**
 * Reads the campaign, decides, writes; a write that lost the race to another
 * change of the same campaign reads again. The program's rules cache in this
 * isolate is forgotten at once, so its next accrual sees the change.
 */
async function change(c: Context<AppEnv>, id: string, action: string, decide: (current: CampaignWithDefinition, now: Date) => CampaignChange | CampaignRefusal | null) {
  const { programId } = c.get("principal");
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await visibleCampaign(c, id);
    const outcome = decide(current, new Date());
    if (isRefusal(outcome)) throw refusal(outcome);
    if (outcome === null) return campaignView(current);
    const after = campaignView({ campaign: outcome.campaign, definition: outcome.version?.definition ?? current.definition });
    try {
      await applyCampaignChange(c.env.DB, programId, outcome, false, auditOf(c, `campaign:${id}`, action, { before: campaignView(current), after }));
    } catch (error) {
      if (error instanceof StaleCampaign) continue;
      throw error;
    }
    forgetCampaignRules(programId);
    return after;
  }
  throw new ApiError("campaign_changed", `Campaign '${id}' kept changing meanwhile; read it and try again.`);
}

export const createCampaign: AppRouteHandler<CreateCampaignRoute> = async (c) => {
  const { programId } = c.get("principal");
  const outcome = createDefinition(`cmp_${ulid()}`, c.req.valid("json"), await checks(c), new Date());
  if (isRefusal(outcome)) throw refusal(outcome);
  const after = campaignView({ campaign: outcome.campaign, definition: outcome.version!.definition });
  await applyCampaignChange(c.env.DB, programId, outcome, true, auditOf(c, `campaign:${outcome.campaign.id}`, "create", { after }));
  return c.json(after, 201);
};

export const listCampaigns: AppRouteHandler<ListCampaignsRoute> = async (c) => {
  const { limit, cursor, status } = c.req.valid("query");
  const { programId } = c.get("principal");
  const scope = ["campaigns", programId, status ?? null] as const;
  const rows = await campaignsAfter(c.env.DB, programId, await resumeAfter(c, scope, cursor), status, limit);
  const page = rows.slice(0, limit);
  return c.json(await sealedPage(c, scope, { data: page.map(campaignView), nextCursor: rows.length > limit ? page[page.length - 1]!.campaign.id : null }), 200);
};

export const getCampaign: AppRouteHandler<GetCampaignRoute> = async (c) => {
  return c.json(campaignView(await visibleCampaign(c, c.req.valid("param").id)), 200);
};

export const updateCampaign: AppRouteHandler<UpdateCampaignRoute> = async (c) => {
  const patch = c.req.valid("json");
  const check = await checks(c);
  const view = await change(c, c.req.valid("param").id, "update", (current, now) => editCampaign(current.campaign, current.definition, patch, check, now));
  await foldPendingGrants(c.env.DB, c.get("principal").programId);
  return c.json(view, 200);
};

function transitionHandler(action: CampaignAction) {
  return async (c: Context<AppEnv>, id: string) => c.json(await change(c, id, action, (current, now) => transition(current.campaign, action, now)), 200);
}

const activate = transitionHandler("activate");
const pause = transitionHandler("pause");
const end = transitionHandler("end");

export const activateCampaign: AppRouteHandler<ActivateCampaignRoute> = (c) => activate(c, c.req.valid("param").id);
export const pauseCampaign: AppRouteHandler<PauseCampaignRoute> = (c) => pause(c, c.req.valid("param").id);
export const endCampaign: AppRouteHandler<EndCampaignRoute> = (c) => end(c, c.req.valid("param").id);

export const listCampaignVersions: AppRouteHandler<ListCampaignVersionsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  await visibleCampaign(c, id);
  return c.json({ data: await campaignVersionsOf(c.env.DB, c.get("principal").programId, id) }, 200);
};

export const getCampaignStats: AppRouteHandler<GetCampaignStatsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { definition } = await visibleCampaign(c, id);
  const { programId, settings } = c.get("principal");
  const stats = await campaignStats(c.env.DB, programId, id);
  const budget = definition.budget ? budgetPoints(definition.budget, settings) : null;
  // The budget's own object counts what is left: points issued and reservations in flight, program-wide.
  const left = budget === null ? null : ((await budgetsLeftNow(c.env, programId, new Map([[id, budget]]))).get(id) ?? budget);
  return c.json({ campaignId: id, ...stats, budget, budgetLeft: left }, 200);
};

/**
 * With a member, their object evaluates (their tier, attributes, first order,
 * limits used), exactly as their accrual will; without one, the same plan is
 * built here for a new member. Either way nothing is written.
 */
export const previewEarning: AppRouteHandler<PreviewEarningRoute> = async (c) => {
  const body = c.req.valid("json");
  const nowMs = Date.now();
  const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date(nowMs);
  if (occurredAt.getTime() > nowMs + FUTURE_SKEW_MS) {
    throw new ApiError("occurred_in_future", "occurredAt lies in the future.", { errors: [{ path: "occurredAt", message: "in the future" }] });
  }
  const { programId, settings, partnerId } = c.get("principal");
  const rules = await rulesInForceFor(c.env, programId, settings, occurredAt, "order");
  const input: AccrualInput = {
    orderId: "preview",
    amount: body.amount,
    channel: body.channel,
    occurredAt: occurredAt.toISOString(),
    items: body.items,
    storeId: body.storeId ?? null,
  };
  if (body.memberId !== undefined) {
    const call = await ledgerCall(c, body.memberId);
    call.rules = rules;
    call.now = nowMs;
    return respond(c, await memberLedger(c, body.memberId).previewAccrual(call, input));
  }
  const campaigns = { rules, grants: [], budgetLeft: await budgetsLeftNow(c.env, programId, budgetLimits(rules, settings)), firstOrder: true };
  const now = new Date(nowMs);
  const plan = accrue(
    { member: null, lots: [], holds: [] },
    "(preview)",
    input,
    { settings: { ...settings, enrollOnAccrual: true }, now, newId, partnerId },
    campaigns,
  );
  const { points, breakdown, capped, tierChange } = plan.result;
  return c.json({ points, breakdown, capped, tierChange, budgets: budgetStates(plan, campaigns), memberKnown: false }, 200);
};
