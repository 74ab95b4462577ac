// Job: moves referrals along: rewards those whose referee's order came, completes or cancels them after the order's window.
import { advanceReferral } from "../referrals/advance";
import { openReferrals } from "../referrals/store";
import type { Job } from "./support";
import { walkPages } from "./walk";

/**
 * Walks the program's referrals with work left, oldest first (also after the
 * program turned referrals off: what was recorded under them is seen through). No saved
 * cursor: a referral that is done leaves the query, and one still waiting
 * (no qualifying order yet, window not over) is looked at again next run.
 */
export const advanceReferrals: Job = async (ctx) => {
  const walked = await walkPages(
    ctx,
    {
      from: "",
      page: (after, limit) => openReferrals(ctx.db, ctx.programId, after, limit),
      key: (row) => row.id,
      left: () => null,
    },
    async (rows) => {
      for (const referral of rows) {
        try {
          ctx.tally.done += (await advanceReferral(ctx, referral)).length;
        } catch (error) {
          ctx.tally.errors += 1;
          ctx.tally.lastError = `${referral.id}: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      return rows.length;
    },
  );
  return { left: walked.left };
};
