// Meta handlers: liveness, D1's health, and the reference page.
import type { Context } from "hono";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { docsPage } from "./docs-page";
import { pingDatabase } from "./meta.queries";
import type { HealthRoute, PingRoute } from "./meta.routes";

export const ping: AppRouteHandler<PingRoute> = (c) => c.json({ status: "ok" as const }, 200);

export const health: AppRouteHandler<HealthRoute> = async (c) => {
  await pingDatabase(c.env.DB);
  return c.json({ status: "ok" as const, database: "ok" as const }, 200);
};

/** Not in the document: an HTML page for people, not an API operation. */
export const docs = (c: Context<AppEnv>) => c.html(docsPage);
