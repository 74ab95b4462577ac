// Programs and their keys (platform ADMIN_TOKEN), and a program's own settings (program keys).
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { forgetProgramKeys, requireAdminToken, requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { programs } from "../../db/schema";
import { ProgramSettingsSchema, TierListSchema } from "../../ledger/settings";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { issueKey } from "../../app/keys";
import { CreatedKeySchema, CreateKeyBody } from "../../app/schemas";
import { updateProgram as updateProgramRow } from "./programs.queries";

const ProgramSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    settings: ProgramSettingsSchema,
    closedThrough: z.string().nullable().openapi({ description: "The latest closed settlement period, if any.", example: "2026-10" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Program");

const CreateProgramBody = z
  .object({ name: z.string().min(1).max(100).openapi({ example: "Treue Coffee Club" }), settings: ProgramSettingsSchema.optional() })
  .strict()
  .openapi("CreateProgram");

const ProgramIdParam = z.object({
  programId: z.string().regex(/^prg_[0-9A-Z]{26}$/).openapi({ param: { name: "programId", in: "path" } }),
});

const settings = ProgramSettingsSchema.shape;
/** Each field may be sent, or null to go back to its default; what it holds is checked on the merged settings. */
const patchable = <T extends z.ZodTypeAny>(schema: T) => schema.nullable().optional();
const mergedObject = (description: string) =>
  patchable(z.record(z.string(), z.unknown()).openapi({ description: `${description} Merged key by key with the current value.` }));

/** A JSON Merge Patch (RFC 7396) of the program: its name and any of its settings. */
const ProgramPatch = z
  .object({
    name: z.string().min(1).max(100).optional().openapi({ example: "Treue Coffee Club" }),
    currency: patchable(settings.currency.unwrap()),
    earnRate: mergedObject("`{points, perAmount}`."),
    rounding: patchable(settings.rounding.unwrap()),
    redemptionValue: mergedObject("`{points, amount}`."),
    pendingDays: patchable(settings.pendingDays.unwrap()),
    expiry: mergedObject("An ExpiryPolicy; fields the new policy does not have are dropped."),
    minRedemptionPoints: patchable(settings.minRedemptionPoints.unwrap()),
    holdTtlSeconds: patchable(settings.holdTtlSeconds.unwrap()),
    enrollOnAccrual: patchable(settings.enrollOnAccrual.unwrap()),
    maxBackdateDays: patchable(settings.maxBackdateDays.unwrap()),
    settlementPeriod: patchable(settings.settlementPeriod.unwrap()),
    tiers: patchable(TierListSchema.openapi({ description: "The whole list: an array replaces the current one." })),
    tierQualification: mergedObject("A TierQualification."),
    expiryWarning: mergedObject("`{daysBefore}`, or null for no warnings."),
  })
  .strict()
  .openapi("ProgramPatch");

export const createProgram = createRoute({
  method: "post",
  path: "/v1/programs",
  operationId: "createProgram",
  summary: "Create a program (platform ADMIN_TOKEN)",
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
  tags: ["Program"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  responses: { 200: jsonResponse(ProgramSchema, "The program."), ...errorResponses },
});

export const updateProgram = createRoute({
  method: "patch",
  path: "/v1/program",
  operationId: "updateProgram",
  summary: "Change the program's name or settings (JSON Merge Patch)",
  description:
    "A JSON Merge Patch (RFC 7396): it changes exactly the fields it names. Objects merge key by key, arrays (tiers) replace the current one, and null sets a field back to its default. The merged settings are validated whole (422 invalid_settings). The currency is fixed once an order was accrued; the settlement period kind once a period was closed or partner terms were set (409 settlement_period_locked). Concurrent patches of different fields all take effect.",
  tags: ["Program"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(ProgramPatch) },
  responses: { 200: jsonResponse(ProgramSchema, "Updated."), ...errorResponses },
});

function programView({ version: _version, ...row }: typeof programs.$inferSelect) {
  return { ...row, settings: ProgramSettingsSchema.parse(JSON.parse(row.settings)) };
}

const createProgramHandler: AppRouteHandler<typeof createProgram> = async (c) => {
  const body = c.req.valid("json");
  const at = new Date().toISOString();
  const row = {
    id: newId("prg"),
    name: body.name,
    settings: JSON.stringify(ProgramSettingsSchema.parse(body.settings ?? {})),
    closedThrough: null,
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
  await database(c.env.DB).insert(programs).values(row);
  return c.json(programView(row), 201);
};

const createKeyHandler: AppRouteHandler<typeof createKey> = async (c) => {
  const { programId } = c.req.valid("param");
  const db = database(c.env.DB);
  const [program] = await db.select({ id: programs.id }).from(programs).where(eq(programs.id, programId));
  if (!program) throw new ApiError("program_not_found", `No program '${programId}'.`);
  return c.json(await issueKey(db, programId, c.req.valid("json")), 201);
};

const getProgramHandler: AppRouteHandler<typeof getProgram> = async (c) => {
  const [row] = await database(c.env.DB).select().from(programs).where(eq(programs.id, c.get("principal").programId));
  return c.json(programView(row!), 200);
};

const updateProgramHandler: AppRouteHandler<typeof updateProgram> = async (c) => {
  const { name, ...settingsPatch } = c.req.valid("json");
  const { programId } = c.get("principal");
  const row = await updateProgramRow(c.env.DB, programId, { name, settings: settingsPatch }, new Date());
  forgetProgramKeys(programId);
  return c.json(programView(row), 200);
};

export const programsRouter = createRouter()
  .openapi(createProgram, createProgramHandler)
  .openapi(createKey, createKeyHandler)
  .openapi(getProgram, getProgramHandler)
  .openapi(updateProgram, updateProgramHandler);
