// The Worker's entry: wires the HTTP app, the scheduled jobs and the webhook queue, and exports the Durable Object class.
import { buildApp } from "./app/build-app";
import { runCron } from "./jobs/runner";
import { handleWebhookBatch } from "./webhooks/delivery";
import type { WebhookMessage } from "./webhooks/events";

export { MemberLedger } from "./members/member-ledger";
export { RewardStock } from "./rewards/stock-object";
export { BudgetObject } from "./budgets/budget-object";

const app = buildApp();

export default {
  fetch: app.fetch,
  // Cron Triggers: expiry, warnings, tiers and housekeeping, by the trigger's own time.
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runCron(env, controller.cron, controller.scheduledTime));
  },
  // The webhook queue: fan-out of committed events, and signed deliveries with retries.
  queue(batch, env) {
    return handleWebhookBatch(batch, env);
  },
} satisfies ExportedHandler<Env, WebhookMessage>;
