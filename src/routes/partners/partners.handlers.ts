// Partner handlers: add a partner brand, list them, set and list a partner's terms.
import type { Context } from "hono";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { auditOf } from "../../audit/audit";
import { database } from "../../db/client";
import { periodKindOf } from "../../ledger/periods";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { closedThroughOf } from "../../settlement/queries";
import { checkPeriod } from "../../settlement/settle";
import { findPartner, insertPartner, listPartners as partnersOf, termsOf, upsertTerms } from "./partners.queries";
import type { CreatePartnerRoute, ListPartnersRoute, ListTermsRoute, PutTermsRoute } from "./partners.routes";

export const createPartner: AppRouteHandler<CreatePartnerRoute> = async (c) => {
  const { name } = c.req.valid("json");
  const row = { id: newId("ptr"), programId: c.get("principal").programId, name, createdAt: new Date().toISOString() };
  const after = { id: row.id, name: row.name, createdAt: row.createdAt };
  if (!(await insertPartner(c.env.DB, row, auditOf(c, `partner:${row.id}`, "create", { after })))) throw new ApiError("partner_exists", `A partner named '${name}' exists.`);
  return c.json({ id: row.id, name: row.name, createdAt: row.createdAt }, 201);
};

export const listPartners: AppRouteHandler<ListPartnersRoute> = async (c) =>
  c.json({ data: await partnersOf(c.env.DB, c.get("principal").programId) }, 200);

/** A partner id the caller may see: an admin any of its program's, a partner only its own. */
async function visiblePartner(c: Context<AppEnv>, partnerId: string) {
  const { programId, partnerId: own } = c.get("principal");
  const row = await findPartner(c.env.DB, programId, partnerId);
  if (!row || (own !== null && own !== partnerId)) throw new ApiError("partner_not_found", `No partner '${partnerId}' in this program.`);
  return row;
}

export const putTerms: AppRouteHandler<PutTermsRoute> = async (c) => {
  const { partnerId } = c.req.valid("param");
  const body = c.req.valid("json");
  const { programId, settings } = c.get("principal");
  await visiblePartner(c, partnerId);
  if (periodKindOf(body.validFrom) !== settings.settlementPeriod) checkPeriod(body.validFrom, settings.settlementPeriod);
  const closedThrough = await closedThroughOf(database(c.env.DB), programId);
  if (closedThrough !== null && body.validFrom <= closedThrough) {
    throw new ApiError("period_closed", `Period ${body.validFrom} is closed; terms may start from the next open period on.`);
  }
  const createdAt = new Date().toISOString();
  const view = { partnerId, validFrom: body.validFrom, issuePrice: body.issuePrice, redeemPrice: body.redeemPrice, createdAt };
  const previous = (await termsOf(c.env.DB, programId, partnerId)).find((t) => t.validFrom === body.validFrom);
  const before = previous ? { partnerId, validFrom: previous.validFrom, issuePrice: { amount: previous.issueAmount, perPoints: previous.issuePerPoints }, redeemPrice: { amount: previous.redeemAmount, perPoints: previous.redeemPerPoints }, createdAt: previous.createdAt } : null;
  await upsertTerms(c.env.DB, {
    programId,
    partnerId,
    validFrom: body.validFrom,
    issueAmount: body.issuePrice.amount,
    issuePerPoints: body.issuePrice.perPoints,
    redeemAmount: body.redeemPrice.amount,
    redeemPerPoints: body.redeemPrice.perPoints,
    createdAt,
  }, auditOf(c, `partner:${partnerId}:terms:${body.validFrom}`, before ? "update" : "create", { before, after: view }));
  return c.json(view, 200);
};

export const listTerms: AppRouteHandler<ListTermsRoute> = async (c) => {
  const { partnerId } = c.req.valid("param");
  await visiblePartner(c, partnerId);
  const rows = await termsOf(c.env.DB, c.get("principal").programId, partnerId);
  const data = rows.map((t) => ({
    partnerId,
    validFrom: t.validFrom,
    issuePrice: { amount: t.issueAmount, perPoints: t.issuePerPoints },
    redeemPrice: { amount: t.redeemAmount, perPoints: t.redeemPerPoints },
    createdAt: t.createdAt,
  }));
  return c.json({ data }, 200);
};
