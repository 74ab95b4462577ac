// Job handlers: list this program's runs, or run a job now for this program.
import { and, desc, eq } from "drizzle-orm";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { jobRuns } from "../../db/schema";
import { CRON_JOBS, JOB_NAMES, JOBS, runJob as run } from "../../jobs/runner";
import type { ListJobsRoute, RunJobRoute } from "./jobs.routes";

export const listJobs: AppRouteHandler<ListJobsRoute> = async (c) => {
  const { programId } = c.get("principal");
  const { limit } = c.req.valid("query");
  const db = database(c.env.DB);
  const data = await Promise.all(
    JOB_NAMES.map(async (job) => {
      const rows = await db
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.programId, programId), eq(jobRuns.job, job)))
        .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
        .limit(limit);
      return {
        job,
        description: JOBS[job].description,
        schedules: Object.keys(CRON_JOBS).filter((cron) => CRON_JOBS[cron]!.includes(job)),
        runs: rows.map(({ programId: _programId, ...runRow }) => runRow),
      };
    }),
  );
  return c.json({ data }, 200);
};

export const runJob: AppRouteHandler<RunJobRoute> = async (c) => {
  const { programId, settings } = c.get("principal");
  const { job } = c.req.valid("param");
  const result = await run(c.env, job, { id: programId, settings }, { now: Date.now(), trigger: "manual" });
  return c.json(result, 200);
};
