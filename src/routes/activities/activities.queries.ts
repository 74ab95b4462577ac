// The activity routes' own reads: a page of a member's activities, and one activity's time for its rules.
import { database } from "../../db/client";
import { activityListView } from "../../activities/activity";
import { activityPage, readActivity } from "../../activities/store";
import type { ActivityRecord } from "../../ledger/state";

export async function memberActivityPage(d1: D1Database, programId: string, memberId: string, status: ActivityRecord["status"] | undefined, limit: number, after: string | undefined) {
  const page = await activityPage(database(d1), programId, memberId, status, limit, after);
  return { data: page.data.map(activityListView), nextCursor: page.nextCursor };
}

/** When the activity occurred, to fetch the rules in force then; null when the member has no such activity. */
export async function activityOccurredAt(d1: D1Database, programId: string, memberId: string, activityId: string): Promise<Date | null> {
  const activity = await readActivity(database(d1), programId, memberId, activityId);
  return activity ? new Date(activity.occurredAt) : null;
}
