// Issuing a program key: the secret is returned once, only its hash is stored.
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { KEY_PREFIX } from "../../app/auth";
import type { Database } from "../../db/client";
import { apiKeys, partners } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { newId, randomSecret, sha256Hex } from "../../lib/ids";

export const CreateKeyBody = z
  .object({
    role: z.enum(["admin", "server", "partner"]),
    name: z.string().min(1).max(100).default("key").openapi({ example: "storefront backend" }),
    partnerId: z.string().max(64).optional().openapi({ description: "Required for a partner key." }),
  })
  .strict()
  .openapi("CreateKey");

export const KeySchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    role: z.enum(["admin", "server", "partner"]),
    partnerId: z.string().nullable(),
    name: z.string(),
    keyPrefix: z.string().openapi({ description: "The first characters of the secret, to recognise it." }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("Key");

export const CreatedKeySchema = KeySchema.extend({
  key: z.string().openapi({ description: "The secret. Shown once; only its hash is stored." }),
}).openapi("CreatedKey");

export async function issueKey(db: Database, programId: string, body: z.output<typeof CreateKeyBody>) {
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
  await db.insert(apiKeys).values(row);
  const { keyHash: _hash, ...shown } = row;
  return { ...shown, key: secret };
}
