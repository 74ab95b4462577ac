// Webhook handlers: endpoints of the key's program (a partner key: its own), their delivery log, resends.
import { auditOf } from "../../audit/audit";
import { forgetProgramKeys } from "../../app/auth";
import type { Context } from "hono";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { ApiError } from "../../lib/errors";
import { ulid } from "../../lib/ids";
import { eventTypesOf, insertWithinLimit, liveEndpoints, receives, urlPolicy, urlRefusal, type EndpointRow } from "../../webhooks/endpoints";
import { fromRow, type WebhookMessage } from "../../webhooks/events";
import { enqueue } from "../../webhooks/outbox";
import { newSigningSecret } from "../../webhooks/signing";
import type {
  CreateWebhookEndpointRoute,
  DeleteWebhookEndpointRoute,
  GetWebhookEndpointRoute,
  ListWebhookDeliveriesRoute,
  ListWebhookEndpointsRoute,
  ResendEventRoute,
} from "./webhooks.routes";
import { deleteEndpoint, deliveriesBefore, endpointsAfter, findEvent, findVisibleEndpoint } from "./webhooks.queries";

/**
 * Fan-out per event stays bounded: the program's own endpoints receive every
 * event, a partner's only its own, so an event goes to at most 20 + 5. Each
 * partner has its own allowance, so partners cannot use up the operator's.
 */
const MAX_PROGRAM_ENDPOINTS = 20;
const MAX_PARTNER_ENDPOINTS = 5;

function endpointView(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    eventTypes: eventTypesOf(row),
    description: row.description,
    partnerId: row.partnerId,
    createdAt: row.createdAt,
  };
}

/** The endpoint, or the same 404 whether it is missing, deleted, another program's or another partner's. */
async function visibleEndpoint(c: Context<AppEnv>, id: string): Promise<EndpointRow> {
  const row = await findVisibleEndpoint(c.env.DB, c.get("principal"), id);
  if (!row) throw new ApiError("webhook_endpoint_not_found", `No webhook endpoint '${id}'.`);
  return row;
}

export const createWebhookEndpoint: AppRouteHandler<CreateWebhookEndpointRoute> = async (c) => {
  const { url, eventTypes, description } = c.req.valid("json");
  const refusal = urlRefusal(url, urlPolicy(c.env));
  if (refusal) throw new ApiError("webhook_url_not_allowed", `'${url}' may not receive webhooks: ${refusal}.`);
  const principal = c.get("principal");
  const limit = principal.partnerId ? MAX_PARTNER_ENDPOINTS : MAX_PROGRAM_ENDPOINTS;
  const row: EndpointRow = {
    id: `whe_${ulid()}`,
    programId: principal.programId,
    partnerId: principal.partnerId,
    url,
    eventTypes: eventTypes ? JSON.stringify(eventTypes) : null,
    description: description ?? null,
    secret: newSigningSecret(),
    createdAt: new Date().toISOString(),
    deletedAt: null,
  };
  if (!(await insertWithinLimit(c.env.DB, row, limit, auditOf(c, `webhook_endpoint:${row.id}`, "create", { after: endpointView(row) })))) {
    throw new ApiError(
      "too_many_webhook_endpoints",
      principal.partnerId
        ? `A partner has at most ${limit} webhook endpoints; delete one first.`
        : `A program has at most ${limit} webhook endpoints of its own (partners' endpoints count apart); delete one first.`,
    );
  }
  // The keys' cache holds what the program's endpoints listen for; the next call reads it again (src/webhooks/listening.ts).
  forgetProgramKeys(principal.programId);
  return c.json({ ...endpointView(row), secret: row.secret }, 201);
};

export const listWebhookEndpoints: AppRouteHandler<ListWebhookEndpointsRoute> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const { programId, partnerId } = c.get("principal");
  const scope = ["webhook-endpoints", programId, partnerId] as const;
  const after = await resumeAfter(c, scope, cursor);
  const rows = await endpointsAfter(c.env.DB, c.get("principal"), after, limit);
  const page = rows.slice(0, limit);
  return c.json(await sealedPage(c, scope, { data: page.map(endpointView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }), 200);
};

export const getWebhookEndpoint: AppRouteHandler<GetWebhookEndpointRoute> = async (c) => {
  return c.json(endpointView(await visibleEndpoint(c, c.req.valid("param").id)), 200);
};

export const deleteWebhookEndpoint: AppRouteHandler<DeleteWebhookEndpointRoute> = async (c) => {
  const endpoint = await visibleEndpoint(c, c.req.valid("param").id);
  await deleteEndpoint(c.env.DB, endpoint.id, new Date(), auditOf(c, `webhook_endpoint:${endpoint.id}`, "delete", { before: endpointView(endpoint) }));
  forgetProgramKeys(endpoint.programId);
  return c.body(null, 204);
};

export const listWebhookDeliveries: AppRouteHandler<ListWebhookDeliveriesRoute> = async (c) => {
  const endpoint = await visibleEndpoint(c, c.req.valid("param").id);
  const { limit, cursor, eventId } = c.req.valid("query");
  const scope = ["webhook-deliveries", endpoint.programId, endpoint.id, eventId ?? null] as const;
  const after = await resumeAfter(c, scope, cursor);
  const rows = await deliveriesBefore(c.env.DB, endpoint.id, after, eventId, limit);
  const page = rows.slice(0, limit).map(({ programId: _p, endpointId: _e, ...row }) => row);
  return c.json(await sealedPage(c, scope, { data: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }), 200);
};

export const resendEvent: AppRouteHandler<ResendEventRoute> = async (c) => {
  const principal = c.get("principal");
  const { id } = c.req.valid("param");
  const { endpointId } = c.req.valid("json") ?? {};
  const row = await findEvent(c.env.DB, principal.programId, id);
  // A partner sees only the events it caused; any other is as missing.
  if (!row || (principal.partnerId && row.partnerId !== principal.partnerId)) throw new ApiError("event_not_found", `No event '${id}'.`);
  const event = fromRow(row);
  if (endpointId) await visibleEndpoint(c, endpointId);
  const targets = (await liveEndpoints(database(c.env.DB), [principal.programId])).filter(
    (endpoint) =>
      receives(endpoint, event) &&
      (!principal.partnerId || endpoint.partnerId === principal.partnerId) &&
      (!endpointId || endpoint.id === endpointId),
  );
  await enqueue(c.env, targets.map((endpoint): WebhookMessage => ({ kind: "delivery", endpointId: endpoint.id, event })));
  return c.json({ eventId: event.id, endpointIds: targets.map((e) => e.id) }, 202);
};
