// Route declarations for webhook endpoints, their deliveries and event resends (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse, PaginationQuery } from "../../app/openapi";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/events";

const tags = ["Webhooks"];

const EventType = z.enum(WEBHOOK_EVENT_TYPES).openapi({ example: "points.earned" });

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: "whe_01JD4X3V7Q2M8N5K6P9R0S1T2U" }),
    url: z.string().openapi({ example: "https://shop.example/hooks/treue" }),
    eventTypes: z.array(EventType).nullable().openapi({ description: "The types it receives; null for every type, including types added later." }),
    description: z.string().nullable(),
    partnerId: z.string().nullable().openapi({ description: "Set when a partner key registered it: it receives only that partner's events." }),
    createdAt: z.string(),
  })
  .openapi("WebhookEndpoint");

const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    description: "Signing secret (Standard Webhooks). Shown only in this response.",
  }),
}).openapi("CreatedWebhookEndpoint");

const CreateWebhookEndpointBody = z
  .object({
    url: z.string().min(1).max(2048).openapi({ example: "https://shop.example/hooks/treue", description: "https to a public address; this machine (plain http too) only in local development." }),
    eventTypes: z
      .array(EventType)
      .min(1)
      .refine((types) => new Set(types).size === types.length, "each type once")
      .optional()
      .openapi({ example: ["points.earned", "points.redeemed"], description: "Omit to receive every type." }),
    description: z.string().max(200).optional().openapi({ example: "Order service" }),
  })
  .strict()
  .openapi("CreateWebhookEndpoint");

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ example: "dlv_01JD4X3V7Q2M8N5K6P9R0S1T2U" }),
    eventId: z.string().openapi({ example: "evt_01JD4X3V7Q2M8N5K6P9R0S1T2U", description: "Also the `webhook-id` header of every attempt." }),
    eventType: z.string().openapi({ example: "points.earned" }),
    attempt: z.number().int().openapi({ example: 1, description: "1 for the first try; a resend counts from 1 again." }),
    status: z.enum(["delivered", "retrying", "failed"]).openapi({ description: "failed: the last attempt failed and the event was dead-lettered." }),
    responseStatus: z.number().int().nullable().openapi({ example: 200, description: "null when no response came (timeout, refused)." }),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    attemptedAt: z.string(),
  })
  .openapi("WebhookDelivery");

const IdParam = (example: string) => z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example }) });
const EndpointParam = IdParam("whe_01JD4X3V7Q2M8N5K6P9R0S1T2U");

export const createWebhookEndpoint = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints",
  operationId: "createWebhookEndpoint",
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
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: {
    params: EndpointParam,
    query: PaginationQuery.extend({ eventId: z.string().max(64).optional().openapi({ description: "Only the attempts of this event." }) }),
  },
  responses: {
    200: jsonResponse(z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }), "Newest first."),
    ...errorResponses,
  },
});

const ResendBody = z
  .object({ endpointId: z.string().min(1).max(64).optional().openapi({ description: "Only to this endpoint; omit for every endpoint that receives the event." }) })
  .strict()
  .openapi("ResendEvent");

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
    params: IdParam("evt_01JD4X3V7Q2M8N5K6P9R0S1T2U"),
    body: { required: false, description: "Optional.", content: { "application/json": { schema: ResendBody } } },
  },
  responses: {
    202: jsonResponse(z.object({ eventId: z.string(), endpointIds: z.array(z.string()) }).openapi("ResendResult"), "Queued."),
    ...errorResponses,
  },
});

export type CreateWebhookEndpointRoute = typeof createWebhookEndpoint;
export type ListWebhookEndpointsRoute = typeof listWebhookEndpoints;
export type GetWebhookEndpointRoute = typeof getWebhookEndpoint;
export type DeleteWebhookEndpointRoute = typeof deleteWebhookEndpoint;
export type ListWebhookDeliveriesRoute = typeof listWebhookDeliveries;
export type ResendEventRoute = typeof resendEvent;
