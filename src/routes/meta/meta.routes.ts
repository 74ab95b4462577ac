// Route declarations for health and liveness (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { jsonResponse } from "../../app/openapi";
import { HealthSchema, PingSchema } from "./meta.schemas";

export const health = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Liveness, and whether D1 answers",
  description: "Runs one trivial query on D1 and answers `{\"status\":\"ok\",\"database\":\"ok\"}`; when D1 does not answer, a problem instead. No key needed.",
  tags: ["Meta"],
  security: [],
  responses: {
    200: jsonResponse(HealthSchema, "Up."),
  },
});

/** Touches no storage: the cheapest answer the Worker gives, the benchmark's ceiling. */
export const ping = createRoute({
  method: "get",
  path: "/ping",
  operationId: "ping",
  summary: "Liveness without touching D1 or any Durable Object",
  description: "Answers `{\"status\":\"ok\"}` from the Worker alone, reading nothing: for load balancers and uptime checks. No key needed.",
  tags: ["Meta"],
  security: [],
  responses: {
    200: jsonResponse(PingSchema, "Up."),
  },
});

export type HealthRoute = typeof health;
export type PingRoute = typeof ping;
