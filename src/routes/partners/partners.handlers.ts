// Partner handlers: add a partner brand, list them.
import type { AppRouteHandler } from "../../app/types";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { insertPartner, listPartners as partnersOf } from "./partners.queries";
import type { CreatePartnerRoute, ListPartnersRoute } from "./partners.routes";

export const createPartner: AppRouteHandler<CreatePartnerRoute> = async (c) => {
  const { name } = c.req.valid("json");
  const row = { id: newId("ptr"), programId: c.get("principal").programId, name, createdAt: new Date().toISOString() };
  if (!(await insertPartner(c.env.DB, row))) throw new ApiError("partner_exists", `A partner named '${name}' exists.`);
  return c.json({ id: row.id, name: row.name, createdAt: row.createdAt }, 201);
};

export const listPartners: AppRouteHandler<ListPartnersRoute> = async (c) =>
  c.json({ data: await partnersOf(c.env.DB, c.get("principal").programId) }, 200);
