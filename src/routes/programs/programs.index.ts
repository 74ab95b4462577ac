// Programs and their keys (platform ADMIN_TOKEN), and a program's own settings (program keys).
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { forgetProgramKeys, requireAdminToken, requireKey } from "../../app/auth";
import { createRouter } from "../../app/create-app";
import { bearer, errorResponses, jsonBody, jsonResponse } from "../../app/openapi";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { orders, programs } from "../../db/schema";
import { ProgramSettingsSchema, type ProgramSettings } from "../../ledger/settings";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { CreatedKeySchema, CreateKeyBody, issueKey } from "../keys/issue-key";

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

/** PATCH merges top-level settings; nested objects are replaced whole. */
const SettingsPatch = z.object(ProgramSettingsSchema.shape).partial().strict().openapi("ProgramSettingsPatch");

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
  summary: "Change the program's settings",
  description: "Top-level fields are merged; nested objects (earnRate, expiry, tiers...) are replaced whole. The currency is fixed once an order was accrued.",
  tags: ["Program"],
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { body: jsonBody(SettingsPatch) },
  responses: { 200: jsonResponse(ProgramSchema, "Updated."), ...errorResponses },
});

function programView(row: typeof programs.$inferSelect) {
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
  const patch = c.req.valid("json");
  const { programId, settings: current } = c.get("principal");
  const db = database(c.env.DB);
  const parsed = ProgramSettingsSchema.safeParse({ ...current, ...patch });
  if (!parsed.success) {
    throw new ApiError("invalid_settings", "The merged settings are not valid.", {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const next: ProgramSettings = parsed.data;
  if (next.currency !== current.currency) {
    const [anyOrder] = await db.select({ id: orders.orderId }).from(orders).where(eq(orders.programId, programId)).limit(1);
    if (anyOrder) throw new ApiError("currency_locked", "The currency cannot change once orders were accrued.");
  }
  const [row] = await db
    .update(programs)
    .set({ settings: JSON.stringify(next), updatedAt: new Date().toISOString() })
    .where(eq(programs.id, programId))
    .returning();
  forgetProgramKeys(programId);
  return c.json(programView(row!), 200);
};

export const programsRouter = createRouter()
  .openapi(createProgram, createProgramHandler)
  .openapi(createKey, createKeyHandler)
  .openapi(getProgram, getProgramHandler)
  .openapi(updateProgram, updateProgramHandler);
