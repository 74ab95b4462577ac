// Request and response schemas of the import routes.
import { z } from "@hono/zod-openapi";
import { PaginationQuery } from "../../app/openapi";

export const ImportIdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "imp_01JF3Z6Q8Y2W4N5K7M9P0R1S2T" }),
});

export const ImportHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header", description: "Optional: the same file (by its SHA-256) is one import whether or not a key is sent; a key names it too." },
      example: "import-2026-12-02",
    }),
});

export const ImportFileBody = {
  required: true,
  description:
    "One member per line (JSONL: `memberId`, `email`, `name`, `tier`, `attributes`, `lots: [{points, earnedAt, expiresAt, availableAt}]`), or CSV with a header row " +
    "(`memberId,email,name,tier,points,earnedAt,expiresAt,availableAt` and `attr.<name>` columns; one lot per row, a member may have several rows; `expiresAt` `never` for a lot that never expires). " +
    "At most 16 MiB: split a larger file into several imports.",
  content: {
    "application/x-ndjson": { schema: z.string().openapi({ example: '{"memberId":"c-1042","email":"ada@example.com","tier":"gold","lots":[{"points":1200,"earnedAt":"2026-03-01T00:00:00Z","expiresAt":"2027-03-01T00:00:00Z"}]}' }) },
    "text/csv": { schema: z.string().openapi({ example: "memberId,email,name,tier,points,earnedAt,expiresAt,availableAt\nc-1042,ada@example.com,Ada,gold,1200,2026-03-01T00:00:00Z,2027-03-01T00:00:00Z,\n" }) },
  },
} as const;

const LineErrorSchema = z
  .object({
    line: z.number().int().openapi({ description: "The line of the file (CSV: the header is line 1)." }),
    memberId: z.string().nullable(),
    status: z.enum(["invalid", "failed"]).openapi({ description: "invalid: refused by validation, never applied; failed: refused by the ledger when applied." }),
    code: z.string().openapi({ example: "invalid_line" }),
    message: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("ImportLineError");

export const ImportSchema = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "running", "completed", "failed"]).openapi({ description: "completed: every line applied or refused; failed: some chunk could not be applied on any attempt." }),
    format: z.enum(["jsonl", "csv"]),
    contentHash: z.string().openapi({ description: "SHA-256 of the file: the same file sent again is this import." }),
    counts: z
      .object({
        lines: z.number().int(),
        pending: z.number().int(),
        done: z.number().int(),
        failed: z.number().int().openapi({ description: "Lines refused by validation or by the ledger." }),
      })
      .openapi({ description: "lines = pending + done + failed." }),
    chunks: z.object({ total: z.number().int(), done: z.number().int(), failed: z.number().int() }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable().openapi({ description: "From creation to the last chunk; null while not finished." }),
  })
  .openapi("Import");

export const ImportDetailSchema = ImportSchema.extend({
  errors: z.object({ data: z.array(LineErrorSchema), nextCursor: z.string().nullable() }).openapi({ description: "The lines not applied, by line, a page at a time." }),
}).openapi("ImportDetail");

export const ImportPageSchema = z.object({ data: z.array(ImportSchema), nextCursor: z.string().nullable() }).openapi("ImportPage");

export const ImportErrorsQuery = PaginationQuery;
