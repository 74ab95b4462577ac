// Job: queue the outbox events that were committed but never sent (the object died, the queue refused them, or no endpoint listened then).
import { sql } from "drizzle-orm";
import { liveEndpoints, receives } from "../webhooks/endpoints";
import { fromRow } from "../webhooks/events";
import { markSent, publish } from "../webhooks/outbox";
import { LEFT_COUNT_CAP, type Job } from "./support";
import { walkPages } from "./walk";

/**
 * The member's object queues its events right after its commit and the
 * consumer marks them sent when it fans them out; an event unsent for this
 * long never reached the queue (or the queue is that far behind: a second
 * copy keeps its `webhook-id`).
 */
export const SWEEP_GRACE_MS = 60_000;

/**
 * The program's unsent events committed before `cutoff`, oldest first, on the
 * partial index of unsent rows. Named, because the planner would rather take
 * every row of the program; unsent rows are few, so filtering them by program
 * is cheap.
 */
export function unsentPage(programId: string, cutoff: string, limit: number) {
  return sql`
    SELECT id, program_id AS programId, member_id AS memberId, partner_id AS partnerId, type, payload, created_at AS createdAt
    FROM outbox_events INDEXED BY outbox_unsent
    WHERE sent_at IS NULL AND created_at <= ${cutoff} AND program_id = ${programId}
    ORDER BY created_at, id LIMIT ${limit}`;
}

/**
 * A sent row leaves the index, so every page starts at the front and there
 * is no position to keep. Two overlapping runs may both queue a row:
 * receivers see it twice with the same `webhook-id`. A failed send stops the
 * run; its rows stay for the next.
 *
 * Members' objects leave unqueued the events no endpoint listened for when
 * the Worker last read the program's endpoints (src/webhooks/listening.ts).
 * The sweep asks D1 which endpoints are live now: what one of them receives
 * is queued (an endpoint created in another isolate within the key cache's
 * age gets it this way, late but not lost); what none receives is marked
 * sent, as the consumer's fan-out to no endpoint would.
 */
export const sweepOutbox: Job = async (ctx) => {
  const cutoff = new Date(ctx.now.getTime() - SWEEP_GRACE_MS).toISOString();
  const walked = await walkPages(
    ctx,
    {
      from: null,
      page: (_front, limit) => ctx.db.all<Parameters<typeof fromRow>[0]>(unsentPage(ctx.programId, cutoff, limit)),
      key: () => null,
      left: () => unsentPage(ctx.programId, cutoff, LEFT_COUNT_CAP),
    },
    async (rows) => {
      const events = rows.map(fromRow);
      const endpoints = await liveEndpoints(ctx.db, [ctx.programId]);
      const heard = new Set(events.filter((event) => endpoints.some((endpoint) => receives(endpoint, event))));
      await publish(ctx.env, ctx.db, [...heard]);
      await markSent(ctx.db, events.filter((event) => !heard.has(event)).map((e) => e.id));
      ctx.tally.done += rows.length;
      return rows.length;
    },
  );
  return { left: walked.left };
};
