// Route declarations for the scheduled jobs (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse } from "../../app/openapi";
import { JobParam, JobSchema, JobRunSchema } from "./jobs.schemas";

const tags = ["Jobs"];

export const listJobs = createRoute({
  method: "get",
  path: "/v1/jobs",
  operationId: "listJobs",
  summary: "The scheduled jobs and their latest runs for this program",
  description: "The scheduled jobs (point expiry, tier recalculation, expiry warnings, housekeeping and the others) with their latest runs for this program.",
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
  ...AUDITED,
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
