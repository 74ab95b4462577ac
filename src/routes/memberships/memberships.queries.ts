// The membership routes' reads and the plan rows they write.
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";

/** The member's tier, or undefined when there is no such member. */
export async function memberTier(db: Database, programId: string, memberId: string): Promise<{ tier: string | null } | undefined> {
  const [row] = await db.all<{ tier: string | null }>(sql`SELECT tier FROM members WHERE program_id = ${programId} AND member_id = ${memberId}`);
  return row;
}

export { heldMemberships, insertPlan, membershipsOf, plansAfter, readPlan, updatePlan } from "../../memberships/store";
