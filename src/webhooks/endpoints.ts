// Webhook endpoints: which URLs are allowed, and which endpoints an event goes to.
import { and, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { webhookEndpoints } from "../db/schema";
import type { WebhookEvent, WebhookEventType } from "./events";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** Plain http only to this machine, for development; everything else must be https. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why a URL may not receive webhooks, or null when it may. */
export function urlRefusal(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.username || url.password) return "credentials in the URL would be sent in clear to every log on the way; use the signature instead";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) return null;
  return "only https URLs are allowed (plain http only to localhost or 127.0.0.1, for development)";
}

/** Stored as the validated list the endpoint was created with. */
export function eventTypesOf(row: EndpointRow): WebhookEventType[] | null {
  return row.eventTypes === null ? null : (JSON.parse(row.eventTypes) as WebhookEventType[]);
}

/**
 * Whether `endpoint` receives `event`: same program, a subscribed type, and
 * for a partner's endpoint only the events that partner caused.
 */
export function receives(endpoint: EndpointRow, event: WebhookEvent): boolean {
  if (endpoint.deletedAt !== null || endpoint.programId !== event.programId) return false;
  if (endpoint.partnerId !== null && endpoint.partnerId !== event.partnerId) return false;
  const types = eventTypesOf(endpoint);
  return types === null || (types as readonly string[]).includes(event.type);
}

/** The live endpoints of these programs, on the partial index of live endpoints. */
export async function liveEndpoints(db: Database, programIds: readonly string[]): Promise<EndpointRow[]> {
  if (programIds.length === 0) return [];
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.programId, [...programIds]), isNull(webhookEndpoints.deletedAt)));
}
