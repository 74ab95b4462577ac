// Activities in D1: one by its id or by its type and reference, a member's page of them, and whether a bonus was given.
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { activities, memberBonuses } from "../db/schema";
import type { ActivityRecord } from "../ledger/state";

type ActivityRow = typeof activities.$inferSelect;

export function toActivity(row: ActivityRow): ActivityRecord {
  const { programId: _programId, attributes, breakdown, ...rest } = row;
  return { ...rest, attributes: JSON.parse(attributes) as Record<string, unknown>, breakdown: JSON.parse(breakdown) as unknown[] };
}

/** The member's activity of this type and reference (by the activities_once index), if any. */
export async function readActivityByReference(db: Database, programId: string, memberId: string, type: string, reference: string): Promise<ActivityRecord | null> {
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.programId, programId), eq(activities.memberId, memberId), eq(activities.type, type), eq(activities.reference, reference)));
  return row ? toActivity(row) : null;
}

/** One of the member's activities; another member's answers as a missing one. */
export async function readActivity(db: Database, programId: string, memberId: string, id: string): Promise<ActivityRecord | null> {
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.programId, programId), eq(activities.memberId, memberId), eq(activities.id, id)));
  return row ? toActivity(row) : null;
}

/** The member's activities, newest first (ids are time-ordered), by the activities_by_member index. */
export async function activityPage(
  db: Database,
  programId: string,
  memberId: string,
  status: ActivityRecord["status"] | undefined,
  limit: number,
  after: string | undefined,
): Promise<{ data: ActivityRecord[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(activities.programId, programId), eq(activities.memberId, memberId)];
  if (status) conditions.push(eq(activities.status, status));
  if (after) conditions.push(lt(activities.id, after));
  const rows = await db
    .select()
    .from(activities)
    .where(and(...conditions))
    .orderBy(desc(activities.id))
    .limit(limit + 1);
  const data = rows.slice(0, limit).map(toActivity);
  return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
}

/** Whether the member already has this once-only bonus ('enrollment', 'birthday:<year>'). */
export async function bonusGiven(db: Database, programId: string, memberId: string, bonus: string): Promise<boolean> {
  const [row] = await db
    .select({ bonus: memberBonuses.bonus })
    .from(memberBonuses)
    .where(and(eq(memberBonuses.programId, programId), eq(memberBonuses.memberId, memberId), eq(memberBonuses.bonus, bonus)));
  return row !== undefined;
}
