// The Worker's entry: wires the HTTP app and the scheduled jobs, and exports the Durable Object class.
import { buildApp } from "./app/build-app";
import { runCron } from "./jobs/runner";

export { MemberLedger } from "./members/member-ledger";

const app = buildApp();

export default {
  fetch: app.fetch,
  // Cron Triggers: expiry, warnings, tiers and housekeeping, by the trigger's own time.
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runCron(env, controller.cron, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
