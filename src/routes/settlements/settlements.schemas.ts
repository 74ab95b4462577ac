// Request and response schemas of the settlement routes.
import { z } from "@hono/zod-openapi";
import { PaginationQuery, SignedMoneySchema } from "../../app/openapi";
import { TermsBody } from "../../app/schemas";
import { PERIOD_ID } from "../../ledger/periods";

export const PeriodParam = z.object({
  period: z
    .string()
    .regex(PERIOD_ID, "a period: YYYY-MM or YYYY-Qn")
    .openapi({ param: { name: "period", in: "path" }, example: "2026-11" }),
});

const RedeemedPoints = z.object({
  grossPoints: z.number().int().openapi({ description: "Taken by redemptions in the period." }),
  reversedPoints: z.number().int().openapi({ description: "Given back by reversals in the period." }),
  netPoints: z.number().int().openapi({ description: "grossPoints - reversedPoints: what is paid for. Negative when reversals exceed redemptions." }),
});

export const StatementSchema = z
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
    donations: z
      .array(z.object({ causeId: z.string(), name: z.string(), claims: z.number().int(), points: z.number().int(), value: SignedMoneySchema }))
      .optional()
      .openapi({ description: "Donations per cause claimed in the period: what to transfer to each. Absent from statements frozen before donations existed." }),
  })
  .openapi("SettlementStatement");

export const PartnerTransactionsQuery = PaginationQuery.extend({
  period: z.string().regex(PERIOD_ID).optional().openapi({ description: "Only entries settled in this period." }),
});
