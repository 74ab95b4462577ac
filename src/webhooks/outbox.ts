// Hands committed outbox events to the webhook queue; the consumer (or the sweep) marks them sent.
import { and, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { outboxEvents } from "../db/schema";
import type { WebhookEvent, WebhookMessage } from "./events";

/** Queues takes at most 100 messages and 256 KB per sendBatch; stay under both. */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200_000;
const MAX_IDS_PER_STATEMENT = 90;

export async function enqueue(env: Env, messages: readonly WebhookMessage[]): Promise<void> {
  let chunk: MessageSendRequest<WebhookMessage>[] = [];
  let bytes = 0;
  for (const body of messages) {
    const size = JSON.stringify(body).length;
    if (chunk.length === MAX_MESSAGES_PER_SEND || (chunk.length > 0 && bytes + size > MAX_BYTES_PER_SEND)) {
      await env.WEBHOOK_QUEUE.sendBatch(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push({ body, contentType: "json" });
    bytes += size;
  }
  if (chunk.length > 0) await env.WEBHOOK_QUEUE.sendBatch(chunk);
}

/**
 * Marks outbox rows as handed over, so the sweep leaves them alone. Rows
 * already marked keep their first time.
 */
export async function markSent(db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const sentAt = new Date().toISOString();
  // D1 binds at most 100 parameters per statement.
  const updates = [];
  for (let at = 0; at < ids.length; at += MAX_IDS_PER_STATEMENT) {
    updates.push(
      db
        .update(outboxEvents)
        .set({ sentAt })
        .where(and(inArray(outboxEvents.id, ids.slice(at, at + MAX_IDS_PER_STATEMENT)), isNull(outboxEvents.sentAt))),
    );
  }
  await db.batch(updates as [(typeof updates)[number], ...(typeof updates)[number][]]);
}

/**
 * The sweep's send: queues the events for fan-out, then marks them sent, so
 * its next page moves on. A crash between the two leaves them unsent and a
 * later sweep queues them again: a receiver may see an event twice (with
 * the same `webhook-id`), never not at all.
 */
export async function publish(env: Env, db: Database, events: readonly WebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  await enqueue(env, events.map((event) => ({ kind: "event", event })));
  await markSent(db, events.map((e) => e.id));
}

/**
 * Right after a commit: queues the events and nothing more. The consumer
 * marks them sent when it fans them out (one D1 update per queue batch, not
 * one per write); what never reaches it stays unsent and the sweep sends it.
 * The change has happened whatever becomes of its events, so this never
 * throws.
 */
export async function publishCommitted(env: Env, events: readonly WebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await enqueue(env, events.map((event) => ({ kind: "event", event })));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(JSON.stringify({ level: "warn", what: "outbox events left for the sweep", events: events.map((e) => e.id), error: message }));
  }
}
