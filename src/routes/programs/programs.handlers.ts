// Program handlers: create a program or a key for it (platform), read and patch the key's own program.
import { forgetProgramKeys } from "../../app/auth";
import { issueKey } from "../../app/keys";
import { auditOf } from "../../audit/audit";
import type { AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { ProgramSettingsSchema } from "../../ledger/settings";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { checkReferralRewards, findProgram, insertProgram, programExists, updateProgram as updateProgramRow, type ProgramRow } from "./programs.queries";
import type { CreateKeyRoute, CreateProgramRoute, GetProgramRoute, UpdateProgramRoute } from "./programs.routes";

function programView({ version: _version, ...row }: ProgramRow) {
  return { ...row, settings: ProgramSettingsSchema.parse(JSON.parse(row.settings)) };
}

export const createProgram: AppRouteHandler<CreateProgramRoute> = async (c) => {
  const body = c.req.valid("json");
  const at = new Date().toISOString();
  const id = newId("prg");
  const settings = ProgramSettingsSchema.parse(body.settings ?? {});
  // A new program offers no rewards yet: a referral reward named here is refused as unknown.
  await checkReferralRewards(c.env.DB, id, ProgramSettingsSchema.parse({}), settings);
  const row = {
    id,
    name: body.name,
    settings: JSON.stringify(settings),
    closedThrough: null,
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
  await insertProgram(c.env.DB, row);
  return c.json(programView(row), 201);
};

export const createKey: AppRouteHandler<CreateKeyRoute> = async (c) => {
  const { programId } = c.req.valid("param");
  if (!(await programExists(c.env.DB, programId))) throw new ApiError("program_not_found", `No program '${programId}'.`);
  return c.json(await issueKey(database(c.env.DB), programId, c.req.valid("json")), 201);
};

export const getProgram: AppRouteHandler<GetProgramRoute> = async (c) => {
  const row = await findProgram(c.env.DB, c.get("principal").programId);
  return c.json(programView(row!), 200);
};

export const updateProgram: AppRouteHandler<UpdateProgramRoute> = async (c) => {
  const { name, ...settingsPatch } = c.req.valid("json");
  const { programId } = c.get("principal");
  const at = new Date();
  const row = await updateProgramRow(c.env.DB, programId, { name, settings: settingsPatch }, at, (before, after) => auditOf(c, "program", "update", { before, after, at }));
  forgetProgramKeys(programId);
  return c.json(programView(row), 200);
};
