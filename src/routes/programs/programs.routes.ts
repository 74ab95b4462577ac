// Route declarations for programs, their keys and their settings (no logic here).
import { createRoute } from "@hono/zod-openapi";
import { AUDITED } from "../../audit/audit";
import { requireAdminToken, requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import { CreatedKeySchema, CreateKeyBody } from "../../app/schemas";
import { CreateProgramBody, ProgramIdParam, ProgramPatch, ProgramSchema } from "./programs.schemas";

export const createProgram = createRoute({
  method: "post",
  path: "/v1/programs",
  operationId: "createProgram",
  summary: "Create a program (platform ADMIN_TOKEN)",
  description: "A new loyalty program with its settings (anything left out takes its default). Only the platform ADMIN_TOKEN may create programs; the answer's `id` is then used to create the program's first keys.",
  tags: ["Platform"],
  security: bearer,
  middleware: [requireAdminToken()] as const,
  request: { body: jsonBody(CreateProgramBody) },
  responses: { 201: jsonResponse(ProgramSchema, "Created."), ...errorResponses },
});

export const createKey = createRoute({
  method: "post",
  path: "/v1/programs/{programId}/keys",
  operationId: "createKey",
  summary: "Create a key for a program (platform ADMIN_TOKEN)",
  description: "Issues a key of the given role for the program, with the platform ADMIN_TOKEN (to bootstrap a program before it has an admin key). The secret is in `key`, shown only in this answer; only its hash is stored.",
  tags: ["Platform"],
  security: bearer,
  middleware: [requireAdminToken()] as const,
  request: { params: ProgramIdParam, body: jsonBody(CreateKeyBody) },
  responses: { 201: jsonResponse(CreatedKeySchema, "Created; the secret is in `key`."), ...errorResponses },
});

export const getProgram = createRoute({
  method: "get",
  path: "/v1/program",
  operationId: "getProgram",
  summary: "The key's program and its settings",
  description: "The program the calling key belongs to, with every setting as it applies now (defaults filled in).",
  tags: ["Program"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  responses: { 200: jsonResponse(ProgramSchema, "The program."), ...errorResponses },
});

export const updateProgram = createRoute({
  method: "patch",
  path: "/v1/program",
  operationId: "updateProgram",
  ...AUDITED,
  summary: "Change the program's name or settings (JSON Merge Patch)",
  description:
    "A JSON Merge Patch (RFC 7396): it changes exactly the fields it names. Objects merge key by key, arrays (tiers) replace the current one, and null sets a field back to its default. The merged settings are validated whole (422 invalid_settings). The currency is fixed once an order was accrued; the settlement period kind once a period was closed or partner terms were set (409 settlement_period_locked). Concurrent patches of different fields all take effect.",
  tags: ["Program"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(ProgramPatch) },
  responses: { 200: jsonResponse(ProgramSchema, "Updated."), ...errorResponses },
});

export type CreateProgramRoute = typeof createProgram;
export type CreateKeyRoute = typeof createKey;
export type GetProgramRoute = typeof getProgram;
export type UpdateProgramRoute = typeof updateProgram;
