// Settlement handlers: a period's statement (JSON or CSV), closing a period, a partner's own entries.
import { auditOf } from "../../audit/audit";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { closedThroughOf } from "../../settlement/queries";
import { checkPeriod, closePeriod, partnerView, statementCsv, statementFor } from "../../settlement/settle";
import { partnerEntryPage } from "./settlements.queries";
import type { CloseSettlementRoute, GetSettlementRoute, PartnerTransactionsRoute } from "./settlements.routes";

export const getSettlement: AppRouteHandler<GetSettlementRoute> = async (c) => {
  const { period } = c.req.valid("param");
  const { programId, partnerId, settings } = c.get("principal");
  checkPeriod(period, settings.settlementPeriod);
  const db = database(c.env.DB);
  const full = await statementFor(db, c.env.DB, programId, period, settings.currency, await closedThroughOf(db, programId));
  const statement = partnerId ? partnerView(full, partnerId) : full;
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    return c.body(statementCsv(statement), 200, { "Content-Type": "text/csv; charset=utf-8" });
  }
  return c.json(statement, 200);
};

export const closeSettlement: AppRouteHandler<CloseSettlementRoute> = async (c) => {
  const { period } = c.req.valid("param");
  const { programId, settings } = c.get("principal");
  checkPeriod(period, settings.settlementPeriod);
  const db = database(c.env.DB);
  const closedThrough = await closedThroughOf(db, programId);
  const audit = auditOf(c, "settlement", "close", { before: { closedThrough }, after: { closedThrough: period } });
  const statement = await closePeriod(db, c.env.DB, programId, period, settings.currency, closedThrough, new Date(), audit);
  return c.json(statement, 200);
};

export const partnerTransactions: AppRouteHandler<PartnerTransactionsRoute> = async (c) => {
  const { limit, cursor, period } = c.req.valid("query");
  const { programId, partnerId } = c.get("principal");
  const scope = ["partner-transactions", programId, partnerId, period ?? null] as const;
  // The route admits partner keys only, so partnerId is set.
  const page = await partnerEntryPage(c.env.DB, programId, partnerId!, period, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};
