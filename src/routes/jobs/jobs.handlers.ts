// Job handlers: list this program's runs, or run a job now for this program.
import type { AppRouteHandler } from "../../app/types";
import { auditOf } from "../../audit/audit";
import { CRON_JOBS, JOB_NAMES, JOBS, runJob as run } from "../../jobs/runner";
import { latestRuns } from "./jobs.queries";
import type { ListJobsRoute, RunJobRoute } from "./jobs.routes";

export const listJobs: AppRouteHandler<ListJobsRoute> = async (c) => {
  const { programId } = c.get("principal");
  const { limit } = c.req.valid("query");
  const data = await Promise.all(
    JOB_NAMES.map(async (job) => ({
      job,
      description: JOBS[job].description,
      schedules: Object.keys(CRON_JOBS).filter((cron) => CRON_JOBS[cron]!.includes(job)),
      runs: await latestRuns(c.env.DB, programId, job, limit),
    })),
  );
  return c.json({ data }, 200);
};

export const runJob: AppRouteHandler<RunJobRoute> = async (c) => {
  const { programId, settings } = c.get("principal");
  const { job } = c.req.valid("param");
  const result = await run(c.env, job, { id: programId, settings }, { now: Date.now(), trigger: "manual", audit: auditOf(c, `job:${job}`, "run") });
  return c.json(result, 200);
};
