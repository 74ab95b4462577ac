// Audit log handlers: one page of the log, filtered and sealed.
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppRouteHandler } from "../../app/types";
import { auditPage } from "./audit.queries";
import type { ListAuditLogRoute } from "./audit.routes";

export const listAuditLog: AppRouteHandler<ListAuditLogRoute> = async (c) => {
  const { limit, cursor, resource, from, to } = c.req.valid("query");
  const { programId } = c.get("principal");
  const scope = ["audit-log", programId, resource ?? "", from ?? "", to ?? ""] as const;
  const page = await auditPage(c.env.DB, programId, { resource, from, to }, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};
