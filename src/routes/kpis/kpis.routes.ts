// Route declarations for the KPI report, the cohort matrix and acquisition costs (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import {
  AcquisitionCostBody,
  AcquisitionCostListSchema,
  AcquisitionCostQuery,
  AcquisitionCostSchema,
  CohortQuery,
  CohortReportSchema,
  KpiQuery,
  KpiReportSchema,
} from "./kpis.schemas";

const tags = ["KPIs"];

export const getKpis = createRoute({
  method: "get",
  path: "/v1/kpis",
  operationId: "getKpis",
  summary: "The program's KPIs per interval (JSON, or CSV with Accept: text/csv)",
  description:
    "Read from rollups written with each order, refund and ledger change: the cost follows the days asked for, not the orders. Ratios are exact fractions with a floored integer (basis points for rates). The CSV has a row per period.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: KpiQuery },
  responses: {
    200: { description: "The report.", content: { "application/json": { schema: KpiReportSchema }, "text/csv": { schema: z.string() } } },
    ...errorResponses,
  },
});

export const getCohorts = createRoute({
  method: "get",
  path: "/v1/kpis/cohorts",
  operationId: "getKpiCohorts",
  summary: "Retention matrix of enrolment-month cohorts, with revenue and CLV per cohort",
  description: "Members grouped by the month they enrolled: for each cohort, the share still buying 0, 1, 2 ... months after enrolling (the retention matrix), its revenue, and its customer lifetime value. Computed from the rollups, never from the raw history.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: CohortQuery },
  responses: { 200: jsonResponse(CohortReportSchema, "The matrix."), ...errorResponses },
});

export const putAcquisitionCost = createRoute({
  method: "post",
  path: "/v1/kpis/acquisition-costs",
  operationId: "setAcquisitionCost",
  ...AUDITED,
  summary: "Set what acquiring members cost in a month (and channel); a later POST for the same month and channel replaces it",
  description: "Setting the same value again changes nothing, so a retry is safe without an Idempotency-Key.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(AcquisitionCostBody) },
  responses: { 200: jsonResponse(AcquisitionCostSchema, "Stored."), ...errorResponses },
});

export const listAcquisitionCosts = createRoute({
  method: "get",
  path: "/v1/kpis/acquisition-costs",
  operationId: "listAcquisitionCosts",
  summary: "Acquisition costs entered for the months asked for",
  description: "The acquisition costs the operator entered, per month and channel, that LTV:CAC in GET /v1/kpis divides by.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: AcquisitionCostQuery },
  responses: { 200: jsonResponse(AcquisitionCostListSchema, "The costs, by month and channel."), ...errorResponses },
});

export type GetKpisRoute = typeof getKpis;
export type GetCohortsRoute = typeof getCohorts;
export type PutAcquisitionCostRoute = typeof putAcquisitionCost;
export type ListAcquisitionCostsRoute = typeof listAcquisitionCosts;
