// Key handlers: issue, list and revoke this program's keys.
import { forgetProgramKeys } from "../../app/auth";
import { issueKey } from "../../app/keys";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { auditOf } from "../../audit/audit";
import { ApiError } from "../../lib/errors";
import { listKeys, revokeKey } from "./keys.queries";
import type { CreateProgramKeyRoute, ListProgramKeysRoute, RevokeProgramKeyRoute } from "./keys.routes";

export const createProgramKey: AppRouteHandler<CreateProgramKeyRoute> = async (c) =>
  c.json(await issueKey(database(c.env.DB), c.get("principal").programId, c.req.valid("json"), (after) => auditOf(c, `key:${(after as { id: string }).id}`, "create", { after })), 201);

export const listProgramKeys: AppRouteHandler<ListProgramKeysRoute> = async (c) =>
  c.json({ data: await listKeys(c.env.DB, c.get("principal").programId) }, 200);

export const revokeProgramKey: AppRouteHandler<RevokeProgramKeyRoute> = async (c) => {
  const { keyId } = c.req.valid("param");
  const principal = c.get("principal");
  if (keyId === principal.keyId) throw new ApiError("forbidden", "A key cannot revoke itself; use another admin key.");
  const row = await revokeKey(c.env.DB, principal.programId, keyId, new Date(), (after) => auditOf(c, `key:${keyId}`, "revoke", { after }));
  if (!row) throw new ApiError("not_found", `No active key '${keyId}' in this program.`);
  forgetProgramKeys(principal.programId);
  return c.json(row, 200);
};
