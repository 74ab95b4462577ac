// The referral routes' reads: whether the member exists, their code, and the referrals lists.
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";

export async function memberExists(db: Database, programId: string, memberId: string): Promise<boolean> {
  const [row] = await db.all<{ one: number }>(sql`SELECT 1 AS one FROM members WHERE program_id = ${programId} AND member_id = ${memberId}`);
  return row !== undefined;
}

export { codeOfMember, insertCode, programReferrals, referralOf, referralsBy } from "../../referrals/store";
