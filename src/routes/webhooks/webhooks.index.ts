// The webhooks router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

export const webhooksRouter = createRouter()
  .openapi(routes.createWebhookEndpoint, handlers.createWebhookEndpoint)
  .openapi(routes.listWebhookEndpoints, handlers.listWebhookEndpoints)
  .openapi(routes.getWebhookEndpoint, handlers.getWebhookEndpoint)
  .openapi(routes.deleteWebhookEndpoint, handlers.deleteWebhookEndpoint)
  .openapi(routes.listWebhookDeliveries, handlers.listWebhookDeliveries)
  .openapi(routes.resendEvent, handlers.resendEvent);
