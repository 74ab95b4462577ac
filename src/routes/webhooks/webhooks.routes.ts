// Route declarations for webhook endpoints, their deliveries and event resends (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse, PaginationQuery } from "../../app/openapi";
import {
  CreatedWebhookEndpointSchema,
  CreateWebhookEndpointBody,
  DeliveriesQuery,
  DeliverySchema,
  EndpointParam,
  EventParam,
  ResendBody,
  ResendResultSchema,
  WebhookEndpointSchema,
} from "./webhooks.schemas";

const tags = ["Webhooks"];

export const createWebhookEndpoint = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints",
  operationId: "createWebhookEndpoint",
  ...AUDITED,
  summary: "Register a URL for the program's events",
  description:
    "An admin key's endpoint receives every event of the program (of the chosen types); a partner key's, only the events that partner caused. The answer carries the signing secret, shown only this once. At most 20 endpoints of the program's own, and 5 per partner (counted apart).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { body: jsonBody(CreateWebhookEndpointBody) },
  responses: { 201: jsonResponse(CreatedWebhookEndpointSchema, "Registered."), ...errorResponses },
});

export const listWebhookEndpoints = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints",
  operationId: "listWebhookEndpoints",
  summary: "The program's endpoints (a partner key: its own)",
  description: "The program's webhook endpoints (a partner key sees only its own), without their secrets. Paged by `cursor`.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { query: PaginationQuery },
  responses: {
    200: jsonResponse(z.object({ data: z.array(WebhookEndpointSchema), nextCursor: z.string().nullable() }), "Oldest first."),
    ...errorResponses,
  },
});

export const getWebhookEndpoint = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/{id}",
  operationId: "getWebhookEndpoint",
  summary: "One endpoint",
  description: "An endpoint by id: its URL, the event types it receives and who owns it; never its secret.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { params: EndpointParam },
  responses: { 200: jsonResponse(WebhookEndpointSchema, "The endpoint."), ...errorResponses },
});

export const deleteWebhookEndpoint = createRoute({
  method: "delete",
  path: "/v1/webhook-endpoints/{id}",
  operationId: "deleteWebhookEndpoint",
  ...AUDITED,
  summary: "Stop sending to an endpoint",
  description: "Deliveries still queued for it are dropped; its secret is erased.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { params: EndpointParam },
  responses: { 204: { description: "Deleted." }, ...errorResponses },
});

export const listWebhookDeliveries = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  summary: "Every delivery attempt to an endpoint, newest first",
  description: "Every attempt to deliver events to the endpoint, newest first, with its outcome. Filter by `eventId`; paged by `cursor` (the previous page's `nextCursor`).",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: {
    params: EndpointParam,
    query: DeliveriesQuery,
  },
  responses: {
    200: jsonResponse(z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }), "Newest first."),
    ...errorResponses,
  },
});

export const resendEvent = createRoute({
  method: "post",
  path: "/v1/events/{id}/resend",
  operationId: "resendEvent",
  summary: "Send an event again",
  description:
    "Queues a fresh delivery (attempts count from 1 again) to every live endpoint that receives the event, or to one. The `webhook-id` is the event's id as before, so a receiver that already has it can drop it. A partner key resends only its own events, to its own endpoints.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: {
    params: EventParam,
    body: { required: false, description: "Optional.", content: { "application/json": { schema: ResendBody } } },
  },
  responses: {
    202: jsonResponse(ResendResultSchema, "Queued."),
    ...errorResponses,
  },
});

export type CreateWebhookEndpointRoute = typeof createWebhookEndpoint;
export type ListWebhookEndpointsRoute = typeof listWebhookEndpoints;
export type GetWebhookEndpointRoute = typeof getWebhookEndpoint;
export type DeleteWebhookEndpointRoute = typeof deleteWebhookEndpoint;
export type ListWebhookDeliveriesRoute = typeof listWebhookDeliveries;
export type ResendEventRoute = typeof resendEvent;
