// Route declarations for imports (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse, PaginationQuery } from "../../app/openapi";
import { ImportDetailSchema, ImportErrorsQuery, ImportFileBody, ImportHeaders, ImportIdParam, ImportPageSchema, ImportSchema } from "./imports.schemas";

const tags = ["Imports"];

export const createImport = createRoute({
  method: "post",
  path: "/v1/imports",
  operationId: "createImport",
  ...AUDITED,
  summary: "Import members and their opening balances from a JSONL or CSV file",
  description:
    "Every line is validated on its own (a bad line is kept as an error, the rest go on), staged, and applied in chunks through a queue, each member in one batch. " +
    "The same file sent again (or the same Idempotency-Key) answers 200 with the first import and posts nothing twice.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { headers: ImportHeaders, body: ImportFileBody },
  responses: {
    200: jsonResponse(ImportSchema, "This file (or key) was imported before: that import."),
    202: jsonResponse(ImportSchema, "Accepted: the lines are staged and queued."),
    ...errorResponses,
  },
});

export const getImport = createRoute({
  method: "get",
  path: "/v1/imports/{id}",
  operationId: "getImport",
  summary: "An import's progress and its lines' errors",
  description: "Status (queued, running, completed, failed), counts of lines done and failed, timing, and a page of the lines' errors (`cursor` pages through them).",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: ImportIdParam, query: ImportErrorsQuery },
  responses: { 200: jsonResponse(ImportDetailSchema, "The import; `errors` is paged by limit and cursor."), ...errorResponses },
});

export const listImports = createRoute({
  method: "get",
  path: "/v1/imports",
  operationId: "listImports",
  summary: "The program's imports, newest first",
  description: "The program's imports, newest first, with their status and line counts (done, failed, pending). Paged with `cursor`.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { query: PaginationQuery },
  responses: { 200: jsonResponse(ImportPageSchema, "A page of imports."), ...errorResponses },
});

export type CreateImportRoute = typeof createImport;
export type GetImportRoute = typeof getImport;
export type ListImportsRoute = typeof listImports;
