// The webhook queue's consumer: fans committed events out to endpoints, POSTs each one signed, records every attempt.
import { inArray } from "drizzle-orm";
import { database, type Database } from "../db/client";
import { webhookDeliveries, webhookEndpoints } from "../db/schema";
import { ulid } from "../lib/ids";
import { liveEndpoints, receives, urlPolicy, urlRefusal, type EndpointRow, type UrlPolicy } from "./endpoints";
import { webhookBody, type WebhookEvent, type WebhookMessage } from "./events";
import { enqueue, markSent } from "./outbox";
import { signature } from "./signing";

/**
 * Seconds to wait after failed attempt n (index n - 1): 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h, about a day in all. The queue's max_retries in
 * wrangler.toml must be this list's length: after the last attempt the queue
 * itself moves the message to the dead-letter queue.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** An endpoint gets this long to answer; a slow one counts as failed and is retried. */
const TIMEOUT_MS = 10_000;

type DeliveryRow = typeof webhookDeliveries.$inferInsert;
type EventMessage = Message<Extract<WebhookMessage, { kind: "event" }>>;
type DeliveryMessage = Message<Extract<WebhookMessage, { kind: "delivery" }>>;

export function retryDelay(attempt: number): number {
  return RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1]!;
}

export async function handleWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = database(env.DB);
  const events: EventMessage[] = [];
  const deliveries: DeliveryMessage[] = [];
  for (const message of batch.messages) {
    if (message.body.kind === "event") events.push(message as EventMessage);
    else deliveries.push(message as DeliveryMessage);
  }
  await Promise.all([fanOut(env, db, events), deliver(db, deliveries, urlPolicy(env))]);
}

/**
 * Marks the events sent (from now on the queue holds them until they are
 * acked, so the outbox sweep leaves them alone) and queues one delivery
 * message per endpoint that receives the event, so each endpoint is retried
 * on its own. If either fails, the whole fan-out is retried: an endpoint may
 * then get the event twice, with the same `webhook-id`.
 */
async function fanOut(env: Env, db: Database, messages: EventMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    const [endpoints] = await Promise.all([
      liveEndpoints(db, [...new Set(messages.map((m) => m.body.event.programId))]),
      // Before the deliveries are queued, so an endpoint never hears of an event the sweep would still send again.
      markSent(db, messages.map((m) => m.body.event.id)),
    ]);
    const deliveries = messages.flatMap(({ body: { event } }) =>
      endpoints.filter((endpoint) => receives(endpoint, event)).map((endpoint): WebhookMessage => ({ kind: "delivery", endpointId: endpoint.id, event })),
    );
    await enqueue(env, deliveries);
    for (const message of messages) message.ack();
  } catch (error) {
    log("error", "fan-out failed; retrying", { events: messages.map((m) => m.body.event.id), error: errorText(error) });
    for (const message of messages) message.retry({ delaySeconds: retryDelay(message.attempts) });
  }
}

async function deliver(db: Database, messages: DeliveryMessage[], policy: UrlPolicy): Promise<void> {
  if (messages.length === 0) return;
  let endpoints: Map<string, EndpointRow>;
  try {
    const ids = [...new Set(messages.map((m) => m.body.endpointId))];
    endpoints = new Map((await db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, ids))).map((e) => [e.id, e]));
  } catch (error) {
    log("error", "endpoints could not be read; retrying", { error: errorText(error) });
    for (const message of messages) message.retry({ delaySeconds: retryDelay(message.attempts) });
    return;
  }
  const attempts = await Promise.all(
    messages.map(async (message): Promise<DeliveryRow | null> => {
      const { endpointId, event } = message.body;
      const endpoint = endpoints.get(endpointId);
      // Deleted (or changed) since the event was queued: there is no one left to deliver to.
      if (!endpoint || !receives(endpoint, event)) {
        message.ack();
        return null;
      }
      const result = await post(endpoint, event, policy);
      const delivered = result.error === null;
      const last = message.attempts >= MAX_ATTEMPTS;
      if (delivered) message.ack();
      // Out of retries: retrying once more makes the queue park the message in its dead-letter queue.
      else if (last) message.retry();
      else message.retry({ delaySeconds: retryDelay(message.attempts) });
      return {
        id: `dlv_${ulid()}`,
        programId: event.programId,
        endpointId,
        eventId: event.id,
        eventType: event.type,
        attempt: message.attempts,
        status: delivered ? "delivered" : last ? "failed" : "retrying",
        ...result,
        attemptedAt: new Date().toISOString(),
      };
    }),
  );
  const rows = attempts.filter((row): row is DeliveryRow => row !== null);
  if (rows.length === 0) return;
  try {
    // One statement per row: D1 binds at most 100 parameters per statement.
    const [first, ...rest] = rows.map((row) => db.insert(webhookDeliveries).values(row));
    await db.batch([first!, ...rest]);
  } catch (error) {
    // The attempts happened and the queue has its answer; only their record is lost.
    log("error", "delivery attempts not recorded", { deliveries: rows.map((r) => `${r.endpointId}/${r.eventId}#${r.attempt}`), error: errorText(error) });
  }
}

interface PostResult {
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One signed POST. The `webhook-id` is the event's id on every attempt and
 * resend, so receivers can drop duplicates; the timestamp and signature are
 * the attempt's own. Redirects are not followed: a 3xx is a failure. The URL
 * is checked again before each send: an endpoint registered under another
 * policy (local development's database, an older release) is not reached.
 */
export async function post(endpoint: EndpointRow, event: WebhookEvent, policy: UrlPolicy): Promise<PostResult> {
  const refusal = urlRefusal(endpoint.url, policy);
  if (refusal) return { responseStatus: null, error: `not sent: ${refusal}`.slice(0, 500), durationMs: 0 };
  const body = webhookBody(event, endpoint.partnerId !== null);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Treue-Webhooks/1",
    "webhook-id": event.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signature(endpoint.secret, event.id, timestamp, body),
  };
  const started = Date.now();
  try {
    const response = await fetch(endpoint.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    // Only the status matters; don't hold the connection for a body nobody reads.
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { responseStatus: response.status, error: ok ? null : `HTTP ${response.status}`, durationMs: Date.now() - started };
  } catch (error) {
    return { responseStatus: null, error: errorText(error).slice(0, 500), durationMs: Date.now() - started };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function log(level: "warn" | "error", what: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, what, ...fields }));
}
