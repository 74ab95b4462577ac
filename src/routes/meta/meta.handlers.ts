// Meta handlers: liveness, D1's health, and the reference page with its assets.
import type { Context } from "hono";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { docsPage } from "./docs-page";
import { pingDatabase } from "./meta.queries";
import { SWAGGER_UI_CSS, SWAGGER_UI_SCRIPT } from "./reference-assets.generated";
import type { HealthRoute, PingRoute } from "./meta.routes";

export const ping: AppRouteHandler<PingRoute> = (c) => c.json({ status: "ok" as const }, 200);

export const health: AppRouteHandler<HealthRoute> = async (c) => {
  await pingDatabase(c.env.DB);
  return c.json({ status: "ok" as const, database: "ok" as const }, 200);
};

/** Not in the document: an HTML page for people, not an API operation. */
export const docs = (c: Context<AppEnv>) => c.html(docsPage);

// The asset URLs carry their content's hash (./docs-page.ts), so a browser keeps them for good.
const IMMUTABLE = { "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff" };

export const referenceScript = (c: Context<AppEnv>) =>
  c.body(SWAGGER_UI_SCRIPT, 200, { ...IMMUTABLE, "Content-Type": "application/javascript; charset=utf-8" });

export const referenceCss = (c: Context<AppEnv>) => c.body(SWAGGER_UI_CSS, 200, { ...IMMUTABLE, "Content-Type": "text/css; charset=utf-8" });
