// Request and response schemas of the job routes.
import { z } from "@hono/zod-openapi";
import { JOB_NAMES, type JobName } from "../../jobs/runner";

export const JobRunSchema = z
  .object({
    id: z.string().openapi({ example: "run_01JD4X3V7Q2M8N5K6P9R0S1T2U" }),
    job: z.string().openapi({ example: "expire-points" }),
    trigger: z.enum(["cron", "manual"]),
    status: z.enum(["running", "done", "partial", "failed"]).openapi({ description: "partial: stopped at its budget with work left for the next run." }),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    itemsDone: z.number().int().openapi({ example: 1200, description: "Lots expired, warnings sent, members reviewed, or records cleaned." }),
    itemsLeft: z.number().int().openapi({ example: 0, description: "Work still due when the run stopped, counted up to 10,000." }),
    errors: z.number().int(),
    lastError: z.string().nullable(),
  })
  .openapi("JobRun");

export const JobSchema = z
  .object({
    job: z.string().openapi({ example: "expire-points" }),
    description: z.string(),
    schedules: z.array(z.string()).openapi({ example: ["*/10 * * * *"], description: "Cron expressions (UTC) that run it." }),
    runs: z.array(JobRunSchema).openapi({ description: "This program's latest runs, newest first." }),
  })
  .openapi("Job");

export const JobParam = z.object({
  job: z.enum(JOB_NAMES as [JobName, ...JobName[]]).openapi({ param: { name: "job", in: "path" }, example: "expire-points" }),
});
