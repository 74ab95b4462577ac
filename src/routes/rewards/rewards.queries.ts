// The reward routes' reads and writes in D1 (claims themselves go through the member's object).
import { database } from "../../db/client";
import { claimsByReward, codesInUse, insertReward, listRewards, readCause, readReward, updateReward, updateRewardAudited } from "../../rewards/queries";

export { claimsByReward, codesInUse, insertReward, listRewards, readReward, updateReward, updateRewardAudited };

/** Whether the program has the cause and it is not archived: a donation reward may only name such a one. */
export async function activeCauseExists(d1: D1Database, programId: string, causeId: string): Promise<boolean> {
  const cause = await readCause(database(d1), programId, causeId);
  return cause !== null && cause.archivedAt === null;
}
