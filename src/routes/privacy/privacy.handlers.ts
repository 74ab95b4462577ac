// Data-protection handlers: export reads D1 in one batch; erasure goes through the member's object.
import type { AppRouteHandler } from "../../app/types";
import { auditOf } from "../../audit/audit";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { ApiError } from "../../lib/errors";
import { readMemberExport } from "../../privacy/export";
import type { EraseMemberRoute, ExportMemberRoute } from "./privacy.routes";
import { exportDocument } from "./privacy.queries";

export const exportMember: AppRouteHandler<ExportMemberRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { programId } = c.get("principal");
  const read = await readMemberExport(c.env.DB, programId, memberId);
  if (!read.profile) throw new ApiError("member_not_found", `No member '${memberId}' in this program.`);
  return c.json(exportDocument(memberId, read, new Date()), 200);
};

export const eraseMember: AppRouteHandler<EraseMemberRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const call = await ledgerCall(c, memberId);
  // Written in the erasure's batch; a repeated erasure (answered as the first) writes none.
  return respond(c, await memberLedger(c, memberId).erase(call, auditOf(c, `member:${memberId}`, "erase")));
};
