// Route declarations for settlement statements and a partner's own transactions (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse } from "../../app/openapi";
import { EntryPageSchema } from "../../app/schemas";
import { PartnerTransactionsQuery, PeriodParam, StatementSchema } from "./settlements.schemas";

const tags = ["Settlement"];

export const getSettlement = createRoute({
  method: "get",
  path: "/v1/settlements/{period}",
  operationId: "getSettlement",
  summary: "The settlement statement of a period (JSON, or CSV with Accept: text/csv)",
  description: "Admin keys see every partner; a partner key sees its own line and its own row and column of the matrix.",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { params: PeriodParam },
  responses: {
    200: {
      description: "The statement.",
      content: { "application/json": { schema: StatementSchema }, "text/csv": { schema: z.string() } },
    },
    ...errorResponses,
  },
});

export const closeSettlement = createRoute({
  method: "post",
  path: "/v1/settlements/{period}/close",
  operationId: "closeSettlement",
  ...AUDITED,
  summary: "Close a period and freeze its statement",
  description: "Periods close in order, once they are over. Entries that arrive later for a closed period land in the next open one.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PeriodParam },
  responses: { 200: jsonResponse(StatementSchema, "Closed; the frozen statement."), ...errorResponses },
});

export const partnerTransactions = createRoute({
  method: "get",
  path: "/v1/partner/transactions",
  operationId: "listPartnerTransactions",
  summary: "The calling partner's own ledger entries, newest first",
  description: "A partner key's view of the ledger: the entries its own accruals and refunds made, newest first, filterable by settlement period. Paged by `cursor` (the previous page's `nextCursor`).",
  tags,
  security: bearer,
  middleware: [requireKey("partner")] as const,
  request: {
    query: PartnerTransactionsQuery,
  },
  responses: {
    200: jsonResponse(EntryPageSchema, "One page."),
    ...errorResponses,
  },
});

export type GetSettlementRoute = typeof getSettlement;
export type CloseSettlementRoute = typeof closeSettlement;
export type PartnerTransactionsRoute = typeof partnerTransactions;
