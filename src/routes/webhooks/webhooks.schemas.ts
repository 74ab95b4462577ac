// Request and response schemas of the webhook routes.
import { z } from "@hono/zod-openapi";
import { PaginationQuery } from "../../app/openapi";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/events";

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

export const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    description: "Signing secret (Standard Webhooks). Shown only in this response.",
  }),
}).openapi("CreatedWebhookEndpoint");

export const CreateWebhookEndpointBody = z
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
export const EndpointParam = IdParam("whe_01JD4X3V7Q2M8N5K6P9R0S1T2U");
export const EventParam = IdParam("evt_01JD4X3V7Q2M8N5K6P9R0S1T2U");

export const DeliveriesQuery = PaginationQuery.extend({ eventId: z.string().max(64).optional().openapi({ description: "Only the attempts of this event." }) });

export const ResendBody = z
  .object({ endpointId: z.string().min(1).max(64).optional().openapi({ description: "Only to this endpoint; omit for every endpoint that receives the event." }) })
  .strict()
  .openapi("ResendEvent");

export const ResendResultSchema = z.object({ eventId: z.string(), endpointIds: z.array(z.string()) }).openapi("ResendResult");
