// Health, the OpenAPI document and the reference page.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../app/create-app";
import { jsonResponse } from "../../app/openapi";
import { docsPage } from "./docs-page";

export const health = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Liveness, and whether D1 answers",
  tags: ["Meta"],
  security: [],
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ok"), database: z.literal("ok") }).openapi("Health"), "Up."),
  },
});

/** Touches no storage: the cheapest answer the Worker gives, the benchmark's ceiling. */
export const ping = createRoute({
  method: "get",
  path: "/ping",
  operationId: "ping",
  summary: "Liveness without touching D1 or any Durable Object",
  tags: ["Meta"],
  security: [],
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ok") }).openapi("Ping"), "Up."),
  },
});

export const metaRouter = createRouter()
  .openapi(ping, (c) => c.json({ status: "ok" as const }, 200))
  .openapi(health, async (c) => {
    await c.env.DB.prepare("SELECT 1").first();
    return c.json({ status: "ok" as const, database: "ok" as const }, 200);
  })
  .get("/docs", (c) => c.html(docsPage));
