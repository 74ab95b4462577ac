// Webhook endpoints: which URLs are allowed, and which endpoints an event goes to.
import { auditStatement, type AuditRow } from "../audit/audit";
import { and, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { webhookEndpoints } from "../db/schema";
import { hostKind } from "./addresses";
import type { WebhookEvent, WebhookEventType } from "./events";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

export interface UrlPolicy {
  /**
   * Local development and the tests only (the WEBHOOKS_ALLOW_LOCAL binding):
   * this machine (localhost, 127.0.0.0/8, ::1) may receive webhooks, over
   * plain http too. Unset in production, where only public https is allowed.
   */
  allowLocal: boolean;
}

export function urlPolicy(env: { WEBHOOKS_ALLOW_LOCAL?: string }): UrlPolicy {
  return { allowLocal: env.WEBHOOKS_ALLOW_LOCAL === "true" };
}

/** Why a URL may not receive webhooks, or null when it may. */
export function urlRefusal(raw: string, policy: UrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.username || url.password) return "credentials in the URL would be sent in clear to every log on the way; use the signature instead";
  if (url.protocol !== "https:" && url.protocol !== "http:") return "only https URLs are allowed";
  const host = hostKind(url.hostname);
  if (host.kind === "refused") return `${url.hostname} is ${host.why}, not on the public internet`;
  if (host.kind === "loopback") {
    return policy.allowLocal ? null : `${url.hostname} is this machine; only local development may send webhooks there`;
  }
  if (url.protocol === "http:") return "only https URLs are allowed (plain http only to localhost, in local development)";
  return null;
}

/**
 * Inserts the endpoint unless its owner (the program's own, or its partner)
 * already has `limit` live ones. One statement counts and inserts, so
 * concurrent creates cannot all pass the count. False when it was full.
 */
export async function insertWithinLimit(d1: D1Database, row: EndpointRow, limit: number, audit?: AuditRow): Promise<boolean> {
  const insert = d1
    .prepare(
      `INSERT INTO webhook_endpoints (id, program_id, partner_id, url, event_types, description, secret, created_at, deleted_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL
       WHERE (SELECT count(*) FROM webhook_endpoints
              WHERE program_id = ?2 AND partner_id IS ?3 AND deleted_at IS NULL) < ?9`,
    )
    .bind(row.id, row.programId, row.partnerId, row.url, row.eventTypes, row.description, row.secret, row.createdAt, limit);
  // The audit row only if the endpoint was inserted (within the limit).
  const [inserted] = await d1.batch(audit ? [insert, auditStatement(d1, audit, { afterGuardedWrite: true })] : [insert]);
  return inserted!.meta.changes === 1;
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
