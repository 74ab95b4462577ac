// Route declarations for the scheduled jobs (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse } from "../../app/openapi";
import { JOB_NAMES, type JobName } from "../../jobs/runner";

const tags = ["Jobs"];

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

const JobParam = z.object({
  job: z.enum(JOB_NAMES as [JobName, ...JobName[]]).openapi({ param: { name: "job", in: "path" }, example: "expire-points" }),
});

export const listJobs = createRoute({
  method: "get",
  path: "/v1/jobs",
  operationId: "listJobs",
  summary: "The scheduled jobs and their latest runs for this program",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: {
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(5).openapi({ description: "Runs per job." }) }),
  },
  responses: { 200: jsonResponse(z.object({ data: z.array(JobSchema) }), "Every job."), ...errorResponses },
});

export const runJob = createRoute({
  method: "post",
  path: "/v1/jobs/{job}/run",
  operationId: "runJob",
  summary: "Run a job now for this program",
  description:
    "Runs within a short budget and answers with the run. `status: partial` means work is left: call again, or let the next scheduled run carry on. Safe to repeat: a second run changes nothing already done.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: JobParam },
  responses: { 200: jsonResponse(JobRunSchema, "The run."), ...errorResponses },
});

export type ListJobsRoute = typeof listJobs;
export type RunJobRoute = typeof runJob;
