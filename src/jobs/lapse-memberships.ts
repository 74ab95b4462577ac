// Job: lapses memberships not renewed past their paidUntil, one membership.lapsed event each.
import { sql } from "drizzle-orm";
import { dueLapses } from "../memberships/store";
import { askMember, LEFT_COUNT_CAP, type Job } from "./support";
import { walkMembers } from "./walk";

/**
 * Walks active memberships past their paidUntil by the partial index; each
 * member's object lapses what is due on its own reading, so a second or an
 * overlapping run finds nothing and sends no second event.
 */
export const lapseMemberships: Job = async (ctx) => {
  const { db, programId, now } = ctx;
  const walked = await walkMembers(ctx, {
    from: { paidUntil: "", id: "" },
    page: (after, limit) => dueLapses(db, programId, now, after, limit),
    key: (row) => ({ paidUntil: row.paid_until, id: row.id }),
    left: () =>
      sql`SELECT 1 FROM memberships WHERE program_id = ${programId} AND status = 'active' AND paid_until <= ${now.toISOString()} LIMIT ${LEFT_COUNT_CAP}`,
    member: (row) => row.member_id,
    visit: async (memberId) => (await askMember(ctx, memberId, (object, call) => object.lapseMemberships(call))).lapsed.length,
  });
  return { left: walked.left };
};
