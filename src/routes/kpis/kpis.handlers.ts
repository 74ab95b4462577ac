// KPI handlers: check the range, read the rollups through src/kpis, answer JSON or CSV.
import { auditOf } from "../../audit/audit";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { readCosts, writeCost } from "../../kpis/queries";
import { cohortReport, kpiCsv, kpiReport, MAX_COHORTS, MAX_RANGE_DAYS, monthsInRange, rangeDays } from "../../kpis/report";
import { ApiError } from "../../lib/errors";
import type { GetCohortsRoute, GetKpisRoute, ListAcquisitionCostsRoute, PutAcquisitionCostRoute } from "./kpis.routes";

export const getKpis: AppRouteHandler<GetKpisRoute> = async (c) => {
  const query = c.req.valid("query");
  if (query.segment !== undefined) {
    throw new ApiError("segments_not_available", "Segments are not available yet: ask without `segment`.", { errors: [{ path: "segment", message: "not available" }] });
  }
  if (rangeDays(query.from, query.to) > MAX_RANGE_DAYS) {
    throw new ApiError("kpi_range_too_long", `At most ${MAX_RANGE_DAYS} days per request.`, { errors: [{ path: "to", message: `more than ${MAX_RANGE_DAYS} days after from` }] });
  }
  const principal = c.get("principal");
  const report = await kpiReport(
    database(c.env.DB),
    principal.programId,
    principal.settings,
    { from: query.from, to: query.to, interval: query.interval, channel: query.channel ?? null, partner: query.partner ?? null },
    new Date(),
  );
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    return c.body(kpiCsv(report), 200, { "Content-Type": "text/csv; charset=utf-8" });
  }
  return c.json(report, 200);
};

export const getCohorts: AppRouteHandler<GetCohortsRoute> = async (c) => {
  const query = c.req.valid("query");
  if (monthsInRange(query.from, query.to) > MAX_COHORTS) {
    throw new ApiError("kpi_range_too_long", `At most ${MAX_COHORTS} cohorts per request.`, { errors: [{ path: "to", message: `more than ${MAX_COHORTS} months after from` }] });
  }
  const principal = c.get("principal");
  return c.json(await cohortReport(database(c.env.DB), principal.programId, principal.settings, query, new Date()), 200);
};

export const putAcquisitionCost: AppRouteHandler<PutAcquisitionCostRoute> = async (c) => {
  const body = c.req.valid("json");
  const principal = c.get("principal");
  if (body.amount.currency !== principal.settings.currency) {
    throw new ApiError("currency_mismatch", `This program runs in ${principal.settings.currency}, not ${body.amount.currency}.`);
  }
  const at = new Date().toISOString();
  const after = { month: body.month, channel: body.channel, amount: body.amount, updatedAt: at };
  const audit = auditOf(c, `acquisition_cost:${body.month}:${body.channel}`, "set", { after });
  await writeCost(database(c.env.DB), principal.programId, { month: body.month, channel: body.channel, amount: body.amount.amount, currency: body.amount.currency }, at, audit);
  return c.json(after, 200);
};

export const listAcquisitionCosts: AppRouteHandler<ListAcquisitionCostsRoute> = async (c) => {
  const query = c.req.valid("query");
  const rows = await readCosts(database(c.env.DB), c.get("principal").programId, query.from, query.to);
  return c.json({ items: rows.map((r) => ({ month: r.month, channel: r.channel, amount: { amount: r.amount, currency: r.currency }, updatedAt: r.updatedAt })) }, 200);
};
