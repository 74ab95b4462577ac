// A program's admin keys manage the program's keys: issue, list, revoke.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, getTableColumns, isNull } from "drizzle-orm";
import { forgetProgramKeys, requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { issueKey } from "../../app/keys";
import { CreatedKeySchema, CreateKeyBody, KeySchema } from "../../app/schemas";

const tags = ["Keys"];
const KeyIdParam = z.object({ keyId: z.string().regex(/^key_[0-9A-Z]{26}$/).openapi({ param: { name: "keyId", in: "path" } }) });

export const createProgramKey = createRoute({
  method: "post",
  path: "/v1/keys",
  operationId: "createProgramKey",
  summary: "Issue a key for this program",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(CreateKeyBody) },
  responses: { 201: jsonResponse(CreatedKeySchema, "Issued; the secret is in `key`, shown once."), ...errorResponses },
});

export const listProgramKeys = createRoute({
  method: "get",
  path: "/v1/keys",
  operationId: "listProgramKeys",
  summary: "This program's keys (never their secrets)",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(KeySchema) }), "All keys."), ...errorResponses },
});

export const revokeProgramKey = createRoute({
  method: "delete",
  path: "/v1/keys/{keyId}",
  operationId: "revokeProgramKey",
  summary: "Revoke a key at once",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: KeyIdParam },
  responses: { 200: jsonResponse(KeySchema, "Revoked."), ...errorResponses },
});

/** Every column but the hash: nothing derived from the secret leaves the database. */
const { keyHash: _hash, ...shownColumns } = getTableColumns(apiKeys);

const createHandler: AppRouteHandler<typeof createProgramKey> = async (c) =>
  c.json(await issueKey(database(c.env.DB), c.get("principal").programId, c.req.valid("json")), 201);

const listHandler: AppRouteHandler<typeof listProgramKeys> = async (c) => {
  const rows = await database(c.env.DB)
    .select(shownColumns)
    .from(apiKeys)
    .where(eq(apiKeys.programId, c.get("principal").programId))
    .orderBy(asc(apiKeys.createdAt));
  return c.json({ data: rows }, 200);
};

const revokeHandler: AppRouteHandler<typeof revokeProgramKey> = async (c) => {
  const { keyId } = c.req.valid("param");
  const principal = c.get("principal");
  if (keyId === principal.keyId) throw new ApiError("forbidden", "A key cannot revoke itself; use another admin key.");
  const [row] = await database(c.env.DB)
    .update(apiKeys)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.programId, principal.programId), isNull(apiKeys.revokedAt)))
    .returning(shownColumns);
  if (!row) throw new ApiError("not_found", `No active key '${keyId}' in this program.`);
  forgetProgramKeys(principal.programId);
  return c.json(row, 200);
};

export const keysRouter = createRouter()
  .openapi(createProgramKey, createHandler)
  .openapi(listProgramKeys, listHandler)
  .openapi(revokeProgramKey, revokeHandler);
