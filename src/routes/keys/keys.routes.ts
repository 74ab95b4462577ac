// Route declarations for a program's own keys (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { AUDITED } from "../../audit/audit";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { CreatedKeySchema, CreateKeyBody, KeySchema } from "../../app/schemas";
import { KeyIdParam } from "./keys.schemas";

const tags = ["Keys"];

export const createProgramKey = createRoute({
  method: "post",
  path: "/v1/keys",
  operationId: "createProgramKey",
  ...AUDITED,
  summary: "Issue a key for this program",
  description: "Issues a key of this program with the given role (`admin`, `server`, `partner` with its partner). The secret is in `key`, shown only in this answer; only its hash is stored.",
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
  description: "The program's keys with their role, name, prefix and when they were created or revoked; never their secrets.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  responses: { 200: jsonResponse(z.object({ data: z.array(KeySchema) }), "All keys."), ...errorResponses },
});

export const revokeProgramKey = createRoute({
  method: "delete",
  path: "/v1/keys/{keyId}",
  operationId: "revokeProgramKey",
  ...AUDITED,
  summary: "Revoke a key at once",
  description: "Revokes the key: calls with it are refused with 401 from now on. The answer is the key with its `revokedAt`.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: KeyIdParam },
  responses: { 200: jsonResponse(KeySchema, "Revoked."), ...errorResponses },
});

export type CreateProgramKeyRoute = typeof createProgramKey;
export type ListProgramKeysRoute = typeof listProgramKeys;
export type RevokeProgramKeyRoute = typeof revokeProgramKey;
