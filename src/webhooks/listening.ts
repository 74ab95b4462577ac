// Which events a program's live endpoints could receive, so a member's object queues only those right after its commit.
import { sql, type AnyColumn } from "drizzle-orm";

/**
 * The event types some live endpoint of the program subscribes to: "all"
 * when one takes every type. An empty list: the program has no live
 * endpoint, and its events need no queue message.
 */
export type Listening = "all" | readonly string[];

/**
 * One column for the key lookup's row: every live endpoint's `event_types`
 * (a JSON list, or 'null' for all types), gathered in a JSON array. A
 * subquery, so the key lookup stays one round trip.
 */
export function listeningColumn(programId: AnyColumn) {
  return sql<string>`(SELECT json_group_array(coalesce(event_types, 'null')) FROM webhook_endpoints
    WHERE program_id = ${programId} AND deleted_at IS NULL)`;
}

/** The column's text as a `Listening`. */
export function listeningOf(column: string): Listening {
  const types = new Set<string>();
  for (const entry of JSON.parse(column) as string[]) {
    const subscribed = JSON.parse(entry) as string[] | null;
    if (subscribed === null) return "all";
    for (const type of subscribed) types.add(type);
  }
  return [...types];
}

/**
 * Whether an event of `type` may have a receiver. Unknown (a job's call, a
 * member token's): yes. A partner's endpoint takes only its partner's
 * events; counting it for every event of its types only queues more.
 */
export function mayBeHeard(listening: Listening | undefined, type: string): boolean {
  return listening === undefined || listening === "all" || listening.includes(type);
}
