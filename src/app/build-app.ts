// Wires every router into one app and publishes the OpenAPI document.
import { createApp } from "./create-app";
import { publishedDocument } from "./openapi-document";
import { ProgramSettingsSchema } from "../ledger/settings";
import { keysRouter } from "../routes/keys/keys.index";
import { settlementsRouter } from "../routes/settlements/settlements.index";
import { membersRouter } from "../routes/members/members.index";
import { metaRouter } from "../routes/meta/meta.index";
import { partnersRouter } from "../routes/partners/partners.index";
import { programsRouter } from "../routes/programs/programs.index";
import { jobsRouter } from "../routes/jobs/jobs.index";
import { redemptionsRouter } from "../routes/redemptions/redemptions.index";
import { tiersRouter } from "../routes/tiers/tiers.index";
import { webhooksRouter } from "../routes/webhooks/webhooks.index";
import { transactionsRouter } from "../routes/transactions/transactions.index";
import { ordersRouter } from "../routes/orders/orders.index";
import { kpisRouter } from "../routes/kpis/kpis.index";
import { tokensRouter } from "../routes/tokens/tokens.index";
import { meRouter } from "../routes/me/me.index";
import { posRouter } from "../routes/pos/pos.index";
import { widgetRouter } from "../routes/widget/widget.index";
import { rewardsRouter } from "../routes/rewards/rewards.index";
import { couponsRouter } from "../routes/coupons/coupons.index";
import { causesRouter } from "../routes/causes/causes.index";
import { segmentsRouter } from "../routes/segments/segments.index";
import { offersRouter } from "../routes/offers/offers.index";
import { referralsRouter } from "../routes/referrals/referrals.index";
import { membershipsRouter } from "../routes/memberships/memberships.index";
import { campaignsRouter } from "../routes/campaigns/campaigns.index";
import { activitiesRouter } from "../routes/activities/activities.index";
import { importsRouter } from "../routes/imports/imports.index";
import { adjustmentsRouter } from "../routes/adjustments/adjustments.index";
import { consoleRouter } from "../routes/console/console.index";
import { privacyRouter } from "../routes/privacy/privacy.index";
import { auditRouter } from "../routes/audit/audit.index";

function executionContextOf(c: { readonly executionCtx: unknown }): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}

export function buildApp() {
  const app = createApp();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A program key (`trk_...`), or the platform ADMIN_TOKEN for /v1/programs.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "memberToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A member token (POST /v1/members/{memberId}/tokens) for /v1/me: the shopper's own data only. Program keys are refused here, and member tokens everywhere else.",
  });
  app.route("/", metaRouter);
  app.route("/", programsRouter);
  // Statements before partner terms: the document's PartnerTerms is first met in a statement, as it always was.
  app.route("/", settlementsRouter);
  app.route("/", partnersRouter);
  app.route("/", keysRouter);
  app.route("/", membersRouter);
  app.route("/", redemptionsRouter);
  app.route("/", tiersRouter);
  app.route("/", jobsRouter);
  app.route("/", webhooksRouter);
  app.route("/", transactionsRouter);
  app.route("/", ordersRouter);
  app.route("/", kpisRouter);
  app.route("/", tokensRouter);
  app.route("/", meRouter);
  app.route("/", posRouter);
  app.route("/", widgetRouter);
  app.route("/", rewardsRouter);
  app.route("/", couponsRouter);
  app.route("/", causesRouter);
  app.route("/", segmentsRouter);
  app.route("/", offersRouter);
  app.route("/", referralsRouter);
  app.route("/", membershipsRouter);
  app.route("/", campaignsRouter);
  app.route("/", activitiesRouter);
  app.route("/", importsRouter);
  app.route("/", adjustmentsRouter);
  // The operator console calls this same app, in-process, with the session's key.
  app.route("/", consoleRouter((c) => async (request) => app.fetch(request, c.env, executionContextOf(c))));
  app.route("/", privacyRouter);
  app.route("/", auditRouter);
  let document: ReturnType<typeof publishedDocument> | undefined;
  app.get("/openapi.json", (c) => {
    document ??= publishedDocument(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: "Treue loyalty API",
          version: "1.0.0",
          description:
            "Headless loyalty engine: points ledger with lots, holds, refunds and tiers. Errors are application/problem+json with a stable `code`. Ledger POSTs require an Idempotency-Key.",
        },
      }),
      { ProgramSettings: ProgramSettingsSchema },
    );
    // The API answers where the document is served.
    return c.json({ ...document, servers: [{ url: new URL(c.req.url).origin, description: "This deployment." }] });
  });
  return app;
}
