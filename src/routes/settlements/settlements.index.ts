// Coalition settlement: partner terms, statements per period (JSON or CSV), closing a period,
// and a partner's own transactions.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse, PaginationQuery, SignedMoneySchema } from "../../app/openapi";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { entries, partners, partnerTerms, programs } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { entryPage } from "../../members/history";
import { EntryPageSchema } from "../../app/schemas";
import { PERIOD_ID, periodKindOf } from "../../ledger/periods";
import { resumeAfter, sealedPage } from "../../app/pages";
import { checkPeriod, closePeriod, partnerView, statementCsv, statementFor } from "../../settlement/settle";

const PeriodParam = z.object({
  period: z
    .string()
    .regex(PERIOD_ID, "a period: YYYY-MM or YYYY-Qn")
    .openapi({ param: { name: "period", in: "path" }, example: "2026-11" }),
});
const PartnerParam = z.object({
  partnerId: z.string().regex(/^ptr_[0-9A-Z]{26}$/, "a partner id").openapi({ param: { name: "partnerId", in: "path" } }),
});
const PointPrice = z
  .object({
    amount: z.number().int().min(0).max(1_000_000_000).openapi({ example: 80, description: "Minor units..." }),
    perPoints: z.number().int().min(1).max(1_000_000_000).openapi({ example: 100, description: "...for this many points." }),
  })
  .strict();
const TermsBody = z
  .object({
    validFrom: z.string().regex(PERIOD_ID).openapi({ example: "2026-12", description: "First period the terms apply to." }),
    issuePrice: PointPrice.openapi({ description: "What the partner pays the program per point it issues." }),
    redeemPrice: PointPrice.openapi({ description: "What the program pays the partner per point redeemed at its tills." }),
  })
  .strict()
  .openapi("PartnerTerms");
// Spread, not extend: extending the closed request schema would publish an allOf that no answer can satisfy.
const TermsSchema = z.object({ ...TermsBody.shape, partnerId: z.string(), createdAt: z.string() }).openapi("PartnerTermsVersion");
const RedeemedPoints = z.object({
  grossPoints: z.number().int().openapi({ description: "Taken by redemptions in the period." }),
  reversedPoints: z.number().int().openapi({ description: "Given back by reversals in the period." }),
  netPoints: z.number().int().openapi({ description: "grossPoints - reversedPoints: what is paid for. Negative when reversals exceed redemptions." }),
});
const StatementSchema = z
  .object({
    period: z.string(),
    status: z.enum(["open", "closed"]),
    closedAt: z.string().nullable(),
    currency: z.string(),
    rounding: z.string(),
    partners: z.array(
      z.object({
        partnerId: z.string().nullable().openapi({ description: "null: the program itself." }),
        name: z.string(),
        terms: TermsBody.nullable().openapi({ description: "The terms in force for the period; null for the program itself or a partner without terms." }),
        issued: z.object({ points: z.number().int(), value: SignedMoneySchema }),
        clawedBack: z.object({ points: z.number().int(), value: SignedMoneySchema }),
        redeemedAt: RedeemedPoints.extend({ value: SignedMoneySchema.openapi({ description: "netPoints at the partner's redeem price." }) }),
        expired: z.number().int(),
        net: SignedMoneySchema.openapi({ description: "Positive: the partner owes the program; negative: the program owes the partner." }),
      }),
    ),
    matrix: z.array(RedeemedPoints.extend({ issuer: z.string().nullable(), redeemer: z.string().nullable() })).openapi({
      description: "Points issued by `issuer` that were redeemed at `redeemer` in the period.",
    }),
    breakage: z.array(z.object({ issuer: z.string().nullable(), expired: z.number().int() })),
    reconciliation: z.array(z.object({ issuer: z.string().nullable(), fromFlows: z.number().int(), inLots: z.number().int(), ok: z.boolean() })),
  })
  .openapi("SettlementStatement");
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
  summary: "Close a period and freeze its statement",
  description: "Periods close in order, once they are over. Entries that arrive later for a closed period land in the next open one.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PeriodParam },
  responses: { 200: jsonResponse(StatementSchema, "Closed; the frozen statement."), ...errorResponses },
});

export const putTerms = createRoute({
  method: "put",
  path: "/v1/partners/{partnerId}/terms",
  operationId: "setPartnerTerms",
  summary: "Set a partner's prices from a period on",
  description: "Terms are versioned by the period they apply from; a closed period's terms never change.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: PartnerParam, body: jsonBody(TermsBody) },
  responses: { 200: jsonResponse(TermsSchema, "Stored."), ...errorResponses },
});

export const listTerms = createRoute({
  method: "get",
  path: "/v1/partners/{partnerId}/terms",
  operationId: "listPartnerTerms",
  summary: "A partner's terms, every version",
  tags,
  security: bearer,
  middleware: [requireKey("admin", "partner")] as const,
  request: { params: PartnerParam },
  responses: { 200: jsonResponse(z.object({ data: z.array(TermsSchema) }), "Newest first."), ...errorResponses },
});

export const partnerTransactions = createRoute({
  method: "get",
  path: "/v1/partner/transactions",
  operationId: "listPartnerTransactions",
  summary: "The calling partner's own ledger entries, newest first",
  tags,
  security: bearer,
  middleware: [requireKey("partner")] as const,
  request: {
    query: PaginationQuery.extend({
      period: z.string().regex(PERIOD_ID).optional().openapi({ description: "Only entries settled in this period." }),
    }),
  },
  responses: {
    200: jsonResponse(EntryPageSchema, "One page."),
    ...errorResponses,
  },
});

async function programOf(c: Context<AppEnv>) {
  const [row] = await database(c.env.DB).select().from(programs).where(eq(programs.id, c.get("principal").programId));
  return row!;
}

/** A partner id the caller may see: an admin any of its program's, a partner only its own. */
async function visiblePartner(c: Context<AppEnv>, partnerId: string) {
  const { programId, partnerId: own } = c.get("principal");
  const [row] = await database(c.env.DB)
    .select()
    .from(partners)
    .where(and(eq(partners.id, partnerId), eq(partners.programId, programId)));
  if (!row || (own !== null && own !== partnerId)) throw new ApiError("partner_not_found", `No partner '${partnerId}' in this program.`);
  return row;
}

const getHandler: AppRouteHandler<typeof getSettlement> = async (c) => {
  const { period } = c.req.valid("param");
  const { programId, partnerId, settings } = c.get("principal");
  checkPeriod(period, settings.settlementPeriod);
  const program = await programOf(c);
  const full = await statementFor(database(c.env.DB), c.env.DB, programId, period, settings.currency, program.closedThrough);
  const statement = partnerId ? partnerView(full, partnerId) : full;
  if ((c.req.header("accept") ?? "").includes("text/csv")) {
    return c.body(statementCsv(statement), 200, { "Content-Type": "text/csv; charset=utf-8" }) as never;
  }
  return c.json(statement, 200) as never;
};

const closeHandler: AppRouteHandler<typeof closeSettlement> = async (c) => {
  const { period } = c.req.valid("param");
  const { programId, settings } = c.get("principal");
  checkPeriod(period, settings.settlementPeriod);
  const program = await programOf(c);
  const statement = await closePeriod(database(c.env.DB), c.env.DB, programId, period, settings.currency, program.closedThrough, new Date());
  return c.json(statement, 200) as never;
};

const putTermsHandler: AppRouteHandler<typeof putTerms> = async (c) => {
  const { partnerId } = c.req.valid("param");
  const body = c.req.valid("json");
  const { programId, settings } = c.get("principal");
  await visiblePartner(c, partnerId);
  if (periodKindOf(body.validFrom) !== settings.settlementPeriod) checkPeriod(body.validFrom, settings.settlementPeriod);
  const program = await programOf(c);
  if (program.closedThrough !== null && body.validFrom <= program.closedThrough) {
    throw new ApiError("period_closed", `Period ${body.validFrom} is closed; terms may start from the next open period on.`);
  }
  const row = {
    programId,
    partnerId,
    validFrom: body.validFrom,
    issueAmount: body.issuePrice.amount,
    issuePerPoints: body.issuePrice.perPoints,
    redeemAmount: body.redeemPrice.amount,
    redeemPerPoints: body.redeemPrice.perPoints,
    createdAt: new Date().toISOString(),
  };
  const { programId: _p, ...values } = row;
  await database(c.env.DB)
    .insert(partnerTerms)
    .values(row)
    .onConflictDoUpdate({ target: [partnerTerms.programId, partnerTerms.partnerId, partnerTerms.validFrom], set: values });
  return c.json({ partnerId, validFrom: body.validFrom, issuePrice: body.issuePrice, redeemPrice: body.redeemPrice, createdAt: row.createdAt }, 200);
};

const listTermsHandler: AppRouteHandler<typeof listTerms> = async (c) => {
  const { partnerId } = c.req.valid("param");
  await visiblePartner(c, partnerId);
  const rows = await database(c.env.DB)
    .select()
    .from(partnerTerms)
    .where(and(eq(partnerTerms.programId, c.get("principal").programId), eq(partnerTerms.partnerId, partnerId)))
    .orderBy(desc(partnerTerms.validFrom));
  const data = rows.map((t) => ({
    partnerId,
    validFrom: t.validFrom,
    issuePrice: { amount: t.issueAmount, perPoints: t.issuePerPoints },
    redeemPrice: { amount: t.redeemAmount, perPoints: t.redeemPerPoints },
    createdAt: t.createdAt,
  }));
  return c.json({ data }, 200);
};

const partnerTransactionsHandler: AppRouteHandler<typeof partnerTransactions> = async (c) => {
  const { limit, cursor, period } = c.req.valid("query");
  const { programId, partnerId } = c.get("principal");
  const conditions = [eq(entries.programId, programId), eq(entries.partnerId, partnerId!)];
  if (period) conditions.push(eq(entries.settlementPeriod, period));
  const scope = ["partner-transactions", programId, partnerId, period ?? null] as const;
  const page = await entryPage(database(c.env.DB), conditions, limit, await resumeAfter(c, scope, cursor), partnerId);
  return c.json(await sealedPage(c, scope, page), 200);
};

export const settlementsRouter = createRouter()
  .openapi(getSettlement, getHandler)
  .openapi(closeSettlement, closeHandler)
  .openapi(putTerms, putTermsHandler)
  .openapi(listTerms, listTermsHandler)
  .openapi(partnerTransactions, partnerTransactionsHandler);
