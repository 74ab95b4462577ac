// The Worker's entry: wires the HTTP app, the scheduled jobs and the webhook queue, and exports the Durable Object class.
import { buildApp } from "./app/build-app";
import { runCron } from "./jobs/runner";
import { handleWebhookBatch } from "./webhooks/delivery";
import type { WebhookMessage } from "./webhooks/events";
import { handleImportBatch } from "./imports/consumer";
import type { ImportChunkMessage } from "./imports/store";
import { balanceReadBeforeRouter } from "./routes/members/balance-read";

export { MemberLedger } from "./members/member-ledger";
export { RewardStock } from "./rewards/stock-object";
export { BudgetObject } from "./budgets/budget-object";

const app = buildApp();

/** The import queue's name in wrangler.toml. */
const IMPORT_QUEUE = "treue-imports";

export default {
  // The balance read's plain case is answered before the router (src/routes/members/balance-read.ts).
  fetch(request, env, ctx) {
    return balanceReadBeforeRouter(request, env) ?? app.fetch(request, env, ctx);
  },
  // Cron Triggers: expiry, warnings, tiers and housekeeping, by the trigger's own time.
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runCron(env, controller.cron, controller.scheduledTime));
  },
  // The webhook queue: fan-out of committed events, and signed deliveries with retries; the import queue: chunks of a staged file.
  queue(batch, env) {
    if (batch.queue === IMPORT_QUEUE) return handleImportBatch(batch as MessageBatch<ImportChunkMessage>, env);
    return handleWebhookBatch(batch as MessageBatch<WebhookMessage>, env);
  },
} satisfies ExportedHandler<Env, WebhookMessage | ImportChunkMessage>;
