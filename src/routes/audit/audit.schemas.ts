// Request and answer schemas of the audit log.
import { z } from "@hono/zod-openapi";
import { PaginationQuery } from "../../app/openapi";

const Timestamp = z.string().datetime({ offset: true });

export const AuditLogQuery = PaginationQuery.extend({
  resource: z.string().min(1).max(200).optional().openapi({ description: "Only this resource's changes: `program`, `campaign:<id>`, `key:<id>`, ...", example: "program" }),
  from: Timestamp.optional().openapi({ description: "Only changes at or after this instant.", example: "2026-11-01T00:00:00Z" }),
  to: Timestamp.optional().openapi({ description: "Only changes before this instant.", example: "2026-12-01T00:00:00Z" }),
});

export const AuditEntrySchema = z
  .object({
    id: z.string().openapi({ example: "01JDQ7Z8K2M4N6P8R0S2T4V6X8" }),
    at: z.string().openapi({ example: "2026-11-28T10:15:00.000Z" }),
    key: z
      .object({
        id: z.string().openapi({ example: "key_01JDQ7Z8K2M4N6P8R0S2T4V6X8" }),
        name: z.string().nullable().openapi({ example: "ops console" }),
        role: z.string().openapi({ example: "admin" }),
      })
      .openapi({ description: "Who made the change: the key's id, its name when it was made, and its role." }),
    requestId: z.string().openapi({ description: "The X-Request-Id of the change.", example: "9b2f6c1e-1d5a-4a8e-9f1b-2c3d4e5f6a7b" }),
    resource: z.string().openapi({ example: "program" }),
    action: z.string().openapi({ description: "`create`, `update`, `delete`, `revoke`, `activate`, ...", example: "update" }),
    before: z.unknown().nullable().openapi({ description: "The resource before the change; null for a create.", example: { pendingDays: 14 } }),
    after: z.unknown().nullable().openapi({ description: "The resource after the change; null for a delete.", example: { pendingDays: 7 } }),
  })
  .openapi("AuditEntry");

export const AuditLogPageSchema = z
  .object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable().openapi({ example: null }) })
  .openapi("AuditLogPage");
