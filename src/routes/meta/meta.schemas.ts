// Response schemas of the meta routes.
import { z } from "@hono/zod-openapi";

export const HealthSchema = z.object({ status: z.literal("ok"), database: z.literal("ok") }).openapi("Health");
export const PingSchema = z.object({ status: z.literal("ok") }).openapi("Ping");
