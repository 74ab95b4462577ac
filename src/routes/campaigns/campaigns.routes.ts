// Route declarations for campaigns, their versions and stats, and the earn preview (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import {
  CampaignPageSchema,
  CampaignParam,
  CampaignPatchBody,
  CampaignSchema,
  CampaignsQuery,
  CampaignStatsSchema,
  CampaignVersionsSchema,
  CreateCampaignBody,
  EarningPreviewBody,
  EarningPreviewSchema,
} from "./campaigns.schemas";

const tags = ["Campaigns"];
const invalidNote = "A rule that can never match or contradicts itself (a window that ends before it starts) is a 422 `campaign_invalid` listing `errors`.";

export const createCampaign = createRoute({
  method: "post",
  path: "/v1/campaigns",
  operationId: "createCampaign",
  ...AUDITED,
  summary: "Create a campaign (a draft)",
  description: `A draft earns nothing until it is activated. ${invalidNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreateCampaignBody) },
  responses: { 201: jsonResponse(CampaignSchema, "Created as a draft, version 1."), ...errorResponses },
});

export const listCampaigns = createRoute({
  method: "get",
  path: "/v1/campaigns",
  operationId: "listCampaigns",
  summary: "The program's campaigns, oldest first",
  description: "The program's campaigns with their status and current version; filter by `status`. Paged with `cursor`. Server keys may read them too, to show running promotions.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { query: CampaignsQuery },
  responses: { 200: jsonResponse(CampaignPageSchema, "One page of campaigns."), ...errorResponses },
});

export const getCampaign = createRoute({
  method: "get",
  path: "/v1/campaigns/{id}",
  operationId: "getCampaign",
  summary: "A campaign with its latest definition",
  description: "The campaign's status, current version and that version's definition (rules, window, budget).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CampaignParam },
  responses: { 200: jsonResponse(CampaignSchema, "The campaign."), ...errorResponses },
});

export const updateCampaign = createRoute({
  method: "patch",
  path: "/v1/campaigns/{id}",
  operationId: "updateCampaign",
  ...AUDITED,
  summary: "Edit a campaign's definition",
  description: `A draft is edited in place. Editing an active or paused campaign makes a new version; an active one's new version is in force from now, so orders that occurred before keep what the old version gave them (a late-posted one too). An ended campaign does not change (409 \`campaign_ended\`). ${invalidNote}`,
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: CampaignParam, body: jsonBody(CampaignPatchBody) },
  responses: { 200: jsonResponse(CampaignSchema, "The campaign after the edit."), ...errorResponses },
});

function transitionRoute<A extends "activate" | "pause" | "end">(action: A, operationId: string, summary: string, description: string) {
  return createRoute({
    method: "post",
    path: `/v1/campaigns/{id}/${action}` as `/v1/campaigns/{id}/${A}`,
    operationId,
    ...AUDITED,
    summary,
    description,
    tags,
    security: bearer,
    middleware: [requireKey("admin")] as const,
    request: { params: CampaignParam },
    responses: { 200: jsonResponse(CampaignSchema, "The campaign in its new state."), ...errorResponses },
  });
}

export const activateCampaign = transitionRoute(
  "activate",
  "activateCampaign",
  "Put a draft or paused campaign in force from now",
  "Orders that occur from now on (and within the definition's window) are valued by its latest version. 409 `campaign_already_active`, `campaign_ended`. Safe to retry: a repeat is the 409, and nothing changes.",
);

export const pauseCampaign = transitionRoute(
  "pause",
  "pauseCampaign",
  "Take an active campaign out of force from now",
  "Orders that occurred while it was active still earn by it, however late they are posted. 409 `campaign_not_active`, `campaign_ended`.",
);

export const endCampaign = transitionRoute(
  "end",
  "endCampaign",
  "End a campaign for good",
  "As a pause, but final: an ended campaign cannot be activated or edited. 409 `campaign_ended` when it has ended already.",
);

export const listCampaignVersions = createRoute({
  method: "get",
  path: "/v1/campaigns/{id}/versions",
  operationId: "listCampaignVersions",
  summary: "Every version of a campaign and when each was in force",
  description: "Each version's definition and the intervals it was in force: an order is valued by the version in force at its occurredAt, so this is how a past accrual's points are explained.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CampaignParam },
  responses: { 200: jsonResponse(CampaignVersionsSchema, "Newest first."), ...errorResponses },
});

export const getCampaignStats = createRoute({
  method: "get",
  path: "/v1/campaigns/{id}/stats",
  operationId: "getCampaignStats",
  summary: "Points a campaign issued, members and orders it reached, budget left",
  description: "What the campaign's rules have issued so far (gross of refunds), how many members and orders they reached, and, for a budgeted campaign, what its budget object says is left.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { params: CampaignParam },
  responses: { 200: jsonResponse(CampaignStatsSchema, "The campaign's figures."), ...errorResponses },
});

export const previewEarning = createRoute({
  method: "post",
  path: "/v1/earning/preview",
  operationId: "previewEarning",
  summary: "What an order would earn, posting nothing",
  description:
    "Runs the accrual's own evaluator on the cart: base, tier multiplier and every campaign rule in force at occurredAt, with the caps (budgets, the member's limits and cooldowns) as they stand and the tier the points would reach. Takes no Idempotency-Key: nothing is written.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { body: jsonBody(EarningPreviewBody) },
  responses: { 200: jsonResponse(EarningPreviewSchema, "The order's points and breakdown."), ...errorResponses },
});

export type CreateCampaignRoute = typeof createCampaign;
export type ListCampaignsRoute = typeof listCampaigns;
export type GetCampaignRoute = typeof getCampaign;
export type UpdateCampaignRoute = typeof updateCampaign;
export type ActivateCampaignRoute = typeof activateCampaign;
export type PauseCampaignRoute = typeof pauseCampaign;
export type EndCampaignRoute = typeof endCampaign;
export type ListCampaignVersionsRoute = typeof listCampaignVersions;
export type GetCampaignStatsRoute = typeof getCampaignStats;
export type PreviewEarningRoute = typeof previewEarning;
