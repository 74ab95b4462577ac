// Webhook endpoints, their deliveries and the outbox events in D1, as a key may see them.
import { auditInsert, type AuditRow } from "../../audit/audit";
import { and, asc, desc, eq, gt, isNull, lt, type SQL } from "drizzle-orm";
import { database } from "../../db/client";
import { outboxEvents, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import type { EndpointRow } from "../../webhooks/endpoints";

/** Whose endpoints a key sees: its program's, and for a partner key only its own. */
export interface Viewer {
  programId: string;
  partnerId: string | null;
}

/** Live endpoints the viewer may see. */
function visible(viewer: Viewer): SQL {
  const conditions = [eq(webhookEndpoints.programId, viewer.programId), isNull(webhookEndpoints.deletedAt)];
  if (viewer.partnerId) conditions.push(eq(webhookEndpoints.partnerId, viewer.partnerId));
  return and(...conditions)!;
}

export async function findVisibleEndpoint(d1: D1Database, viewer: Viewer, id: string): Promise<EndpointRow | undefined> {
  const [row] = await database(d1)
    .select()
    .from(webhookEndpoints)
    .where(and(visible(viewer), eq(webhookEndpoints.id, id)));
  return row;
}

/** Up to `limit + 1` visible endpoints after the id `after`, oldest first: the extra row says a next page exists. */
export async function endpointsAfter(d1: D1Database, viewer: Viewer, after: string | undefined, limit: number): Promise<EndpointRow[]> {
  const conditions = [visible(viewer)];
  if (after) conditions.push(gt(webhookEndpoints.id, after));
  return database(d1)
    .select()
    .from(webhookEndpoints)
    .where(and(...conditions))
    .orderBy(asc(webhookEndpoints.id))
    .limit(limit + 1);
}

/** Kept as a row so deliveries already queued find it deleted and stop; the secret goes at once. */
export async function deleteEndpoint(d1: D1Database, id: string, at: Date, audit: AuditRow): Promise<void> {
  const db = database(d1);
  await db.batch([db.update(webhookEndpoints).set({ deletedAt: at.toISOString(), secret: "" }).where(eq(webhookEndpoints.id, id)), auditInsert(db, audit)]);
}

/** Up to `limit + 1` of the endpoint's deliveries before the id `after`, newest first, optionally of one event. */
export async function deliveriesBefore(d1: D1Database, endpointId: string, after: string | undefined, eventId: string | undefined, limit: number) {
  const conditions = [eq(webhookDeliveries.endpointId, endpointId)];
  if (after) conditions.push(lt(webhookDeliveries.id, after));
  if (eventId) conditions.push(eq(webhookDeliveries.eventId, eventId));
  return database(d1)
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit + 1);
}

export async function findEvent(d1: D1Database, programId: string, id: string) {
  const [row] = await database(d1)
    .select()
    .from(outboxEvents)
    .where(and(eq(outboxEvents.programId, programId), eq(outboxEvents.id, id)));
  return row;
}
