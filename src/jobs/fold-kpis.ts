// Job: fold members' pending KPI figures into the rollups, so they never wait long for a KPI request to do it.
import { foldPendingKpis, pendingCount } from "../kpis/fold";
import { hasBudget, LEFT_COUNT_CAP, spendBatch, type Job } from "./support";

export const foldKpis: Job = async (ctx) => {
  while (hasBudget(ctx.budget)) {
    const { folded, more } = await foldPendingKpis(ctx.db, ctx.programId, ctx.now.toISOString(), { maxChunks: 1 });
    if (folded === 0 && !more) return { left: 0 };
    spendBatch(ctx.budget);
    ctx.tally.done += folded;
    if (!more) return { left: 0 };
  }
  return { left: await pendingCount(ctx.db, ctx.programId, LEFT_COUNT_CAP) };
};
