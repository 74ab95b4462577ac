// Route declarations of the audit log (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse } from "../../app/openapi";
import { AuditLogPageSchema, AuditLogQuery } from "./audit.schemas";

export const listAuditLog = createRoute({
  method: "get",
  path: "/v1/audit-log",
  operationId: "listAuditLog",
  summary: "Who changed what in this program, newest first",
  description:
    "Every change made with an operator (admin) key: the key, the request id, the resource and action, and the resource before and after. Each row was written in the same batch as its change. Filter by `resource` and by time (`from` inclusive, `to` exclusive).",
  tags: ["Audit"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: AuditLogQuery },
  responses: { 200: jsonResponse(AuditLogPageSchema, "One page of the audit log."), ...errorResponses },
});

export type ListAuditLogRoute = typeof listAuditLog;
