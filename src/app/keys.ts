// Issuing a program key: the secret is returned once, only its hash is stored.
import type { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { KEY_PREFIX } from "./auth";
import type { Database } from "../db/client";
import { apiKeys, partners } from "../db/schema";
import { auditInsert, type AuditRow } from "../audit/audit";
import { ApiError } from "../lib/errors";
import { newId, randomSecret, sha256Hex } from "../lib/ids";
import type { CreateKeyBody } from "./schemas";

/** `audit` gives the audit row for the new key (shown without its hash), written in the key's batch. */
export async function issueKey(db: Database, programId: string, body: z.output<typeof CreateKeyBody>, audit?: (after: object) => AuditRow) {
  if ((body.role === "partner") !== (body.partnerId !== undefined)) {
    throw new ApiError("validation_failed", "A partner key needs a partnerId, and only a partner key takes one.", {
      errors: [{ path: "partnerId", message: "required exactly for role partner" }],
    });
  }
  if (body.partnerId) {
    const [partner] = await db
      .select({ id: partners.id })
      .from(partners)
      .where(and(eq(partners.id, body.partnerId), eq(partners.programId, programId)));
    if (!partner) throw new ApiError("partner_not_found", `No partner '${body.partnerId}' in this program.`);
  }
  const secret = `${KEY_PREFIX}${randomSecret()}`;
  const row = {
    id: newId("key"),
    programId,
    role: body.role,
    partnerId: body.partnerId ?? null,
    name: body.name,
    keyHash: await sha256Hex(secret),
    keyPrefix: secret.slice(0, 12),
    createdAt: new Date().toISOString(),
    revokedAt: null,
  };
  const { keyHash: _hash, ...shown } = row;
  if (audit) await db.batch([db.insert(apiKeys).values(row), auditInsert(db, audit(shown))]);
  else await db.insert(apiKeys).values(row);
  return { ...shown, key: secret };
}
