// Cause handlers: the operator's causes, and what each one received per period.
import type { Context } from "hono";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { auditOf } from "../../audit/audit";
import { ApiError } from "../../lib/errors";
import { ulid } from "../../lib/ids";
import { donationsCsv, donationsOf } from "../../rewards/donations";
import { causeDonations, insertCause, listCauses as causesOf, readCause, writeCause, type CauseRow } from "./causes.queries";
import type { ArchiveCauseRoute, CreateCauseRoute, GetCauseRoute, ListCauseDonationsRoute, ListCausesRoute, UpdateCauseRoute } from "./causes.routes";

function causeView(row: CauseRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    url: row.url,
    status: row.archivedAt === null ? ("active" as const) : ("archived" as const),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function findCause(c: Context<AppEnv>, id: string): Promise<CauseRow> {
  const row = await readCause(database(c.env.DB), c.get("principal").programId, id);
  if (!row) throw new ApiError("cause_not_found", `No cause '${id}' in this program.`);
  return row;
}

export const createCause: AppRouteHandler<CreateCauseRoute> = async (c) => {
  const body = c.req.valid("json");
  const at = new Date().toISOString();
  const row: CauseRow = {
    id: `cause_${ulid()}`,
    programId: c.get("principal").programId,
    name: body.name,
    description: body.description ?? null,
    url: body.url ?? null,
    archivedAt: null,
    createdAt: at,
    updatedAt: at,
  };
  await insertCause(c.env.DB, row, auditOf(c, `cause:${row.id}`, "create", { after: causeView(row) }));
  return c.json(causeView(row), 201);
};

export const listCauses: AppRouteHandler<ListCausesRoute> = async (c) =>
  c.json({ data: (await causesOf(database(c.env.DB), c.get("principal").programId)).map(causeView) }, 200);

export const getCause: AppRouteHandler<GetCauseRoute> = async (c) => c.json(causeView(await findCause(c, c.req.valid("param").id)), 200);

export const updateCause: AppRouteHandler<UpdateCauseRoute> = async (c) => {
  const current = await findCause(c, c.req.valid("param").id);
  const patch = c.req.valid("json");
  const row: CauseRow = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description === undefined ? current.description : patch.description,
    url: patch.url === undefined ? current.url : patch.url,
    updatedAt: new Date().toISOString(),
  };
  await writeCause(c.env.DB, row, auditOf(c, `cause:${row.id}`, "update", { before: causeView(current), after: causeView(row) }));
  return c.json(causeView(row), 200);
};

export const archiveCause: AppRouteHandler<ArchiveCauseRoute> = async (c) => {
  const current = await findCause(c, c.req.valid("param").id);
  if (current.archivedAt !== null) return c.json(causeView(current), 200);
  const at = new Date().toISOString();
  const row = { ...current, archivedAt: at, updatedAt: at };
  await writeCause(c.env.DB, row, auditOf(c, `cause:${row.id}`, "archive", { before: causeView(current), after: causeView(row) }));
  return c.json(causeView(row), 200);
};

export const listCauseDonations: AppRouteHandler<ListCauseDonationsRoute> = async (c) => {
  const cause = await findCause(c, c.req.valid("param").id);
  const { period, format } = c.req.valid("query");
  const { programId, settings } = c.get("principal");
  const donations = donationsOf(cause, settings.currency, await causeDonations(c.env.DB, programId, cause.id, period ?? null));
  if (format === "csv" || (format === undefined && (c.req.header("accept") ?? "").includes("text/csv"))) {
    return c.body(donationsCsv(donations), 200, { "Content-Type": "text/csv; charset=utf-8" });
  }
  return c.json(donations, 200);
};
