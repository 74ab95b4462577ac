// Request and response schemas of the till's routes.
import { z } from "@hono/zod-openapi";
import { ExternalId } from "../../app/openapi";
import { BalanceSchema, RedemptionSchema } from "../../app/schemas";

export const ScanBody = z
  .object({
    code: z.string().min(1).max(1024).openapi({ example: "T1.MFSGC.59400312.K5QWE3TB.GEZDGNBVGY3TQOJQ", description: "What the member card's QR code holds (GET /v1/me/card)." }),
    hold: z
      .object({
        points: z.number().int().min(1).max(1_000_000_000).openapi({ example: 500 }),
        ttlSeconds: z.number().int().min(10).max(7 * 86_400).optional().openapi({ description: "Hold lifetime; program default if absent." }),
        orderId: ExternalId.optional().openapi({ description: "The till's basket or order, if it has an id already." }),
      })
      .strict()
      .optional()
      .openapi({ description: "Reserve points for the basket at once: a redemption in mode hold (channel store), captured or cancelled later via /v1/redemptions/{id}." }),
  })
  .strict()
  .openapi("CardScan");

export const ScanResultSchema = z
  .object({
    memberId: z.string(),
    name: z.string().nullable(),
    tier: z.string().nullable(),
    balance: BalanceSchema,
    /** The hold placed for the basket, if one was asked for. */
    hold: z.union([RedemptionSchema, z.null()]),
    scannedAt: z.string(),
  })
  .openapi("CardScanResult");
