// Request and answer schemas of the cause routes.
import { z } from "@hono/zod-openapi";
import { PERIOD_ID } from "../../ledger/periods";

export { CauseBody, CauseIdParam, CauseListSchema, CauseSchema, DonationsSchema, UpdateCauseBody } from "../../rewards/schemas";

export const DonationsQuery = z.object({
  period: z.string().regex(PERIOD_ID, "a period: YYYY-MM or YYYY-Qn").optional().openapi({ description: "Only this settlement period; every period when absent.", example: "2026-12" }),
  format: z.enum(["json", "csv"]).optional().openapi({ description: "csv answers text/csv, as `Accept: text/csv` does." }),
});
