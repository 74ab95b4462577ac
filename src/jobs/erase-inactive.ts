// Job: erases members inactive for the program's privacy.retentionYears, through the same path as DELETE /v1/members/{id}.
import { sql } from "drizzle-orm";
import { retentionCutoff } from "../privacy/retention";
import { askMember, LEFT_COUNT_CAP, type Job } from "./support";
import { walkMembers } from "./walk";

/**
 * Walks members not erased whose last activity is older than the cutoff (by
 * members_by_activity). An erased member leaves the walk's rows, so a second
 * or an overlapping run finds nothing new and the erasure itself is
 * idempotent. A member still holding an unused coupon is left for a later run.
 */
export const eraseInactive: Job = async (ctx) => {
  const { db, programId, now, settings } = ctx;
  const cutoff = retentionCutoff(now, settings.privacy.retentionYears);
  if (!cutoff) return { left: 0 };
  const walked = await walkMembers(ctx, {
    from: { at: "", id: "" },
    page: (after, limit) =>
      db.all<{ member_id: string; last_activity_at: string }>(sql`
        SELECT member_id, last_activity_at FROM members
        WHERE program_id = ${programId} AND last_activity_at <= ${cutoff} AND erased_at IS NULL
          AND (last_activity_at > ${after.at} OR (last_activity_at = ${after.at} AND member_id > ${after.id}))
        ORDER BY last_activity_at, member_id LIMIT ${limit}`),
    key: (row) => ({ at: row.last_activity_at, id: row.member_id }),
    left: () => sql`SELECT 1 FROM members WHERE program_id = ${programId} AND last_activity_at <= ${cutoff} AND erased_at IS NULL LIMIT ${LEFT_COUNT_CAP}`,
    member: (row) => row.member_id,
    visit: async (memberId) => {
      const erased = await askMember<{ memberId: string; erasedAt: string } | null>(ctx, memberId, async (object, call) => {
        const reply = await object.erase(call);
        // Blocked (an unused coupon): not an error of the run, and tried again on a later one.
        return !reply.ok && reply.error.code === "member_erasure_blocked" ? { ok: true as const, value: null, replayed: false } : reply;
      });
      return erased ? 1 : 0;
    },
  });
  return { left: walked.left };
};
