// Segment handlers: the definitions (admin), their kept membership, and one member's segments evaluated now.
import type { Context } from "hono";
import { resumeAfter, sealedPage } from "../../app/pages";
import { auditOf } from "../../audit/audit";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { ApiError } from "../../lib/errors";
import { ulid } from "../../lib/ids";
import { segmentsOfMember, statsView } from "../../segments/member-view";
import type { SegmentRecord } from "../../segments/store";
import {
  deleteSegment as removeSegment,
  insertSegment,
  listSegments as segmentsOf,
  populateSegment,
  readSegment,
  segmentMemberCounts,
  segmentMemberPage,
  updateSegment as writeSegment,
} from "./segments.queries";
import type {
  CreateSegmentRoute,
  DeleteSegmentRoute,
  GetMemberSegmentsRoute,
  GetSegmentRoute,
  ListSegmentMembersRoute,
  ListSegmentsRoute,
  UpdateSegmentRoute,
} from "./segments.routes";

async function findSegment(c: Context<AppEnv>, id: string): Promise<SegmentRecord> {
  const segment = await readSegment(database(c.env.DB), c.get("principal").programId, id);
  if (!segment) throw new ApiError("segment_not_found", `No segment '${id}' in this program.`);
  return segment;
}

async function withCount(c: Context<AppEnv>, segment: SegmentRecord) {
  return { ...segment, ...(await segmentMemberCounts(database(c.env.DB), segment.id)) };
}

export const createSegment: AppRouteHandler<CreateSegmentRoute> = async (c) => {
  const body = c.req.valid("json");
  const now = new Date();
  const at = now.toISOString();
  const segment: SegmentRecord = { id: `seg_${ulid()}`, name: body.name, description: body.description ?? null, conditions: body.conditions, createdAt: at, updatedAt: at };
  const db = database(c.env.DB);
  const { programId } = c.get("principal");
  await insertSegment(db, programId, segment, auditOf(c, `segment:${segment.id}`, "create", { after: segment, at: now }));
  await populateSegment(db, programId, segment, now);
  return c.json(await withCount(c, segment), 201);
};

export const listSegments: AppRouteHandler<ListSegmentsRoute> = async (c) => {
  return c.json({ data: await segmentsOf(database(c.env.DB), c.get("principal").programId) }, 200);
};

export const getSegment: AppRouteHandler<GetSegmentRoute> = async (c) => {
  return c.json(await withCount(c, await findSegment(c, c.req.valid("param").id)), 200);
};

export const updateSegment: AppRouteHandler<UpdateSegmentRoute> = async (c) => {
  const current = await findSegment(c, c.req.valid("param").id);
  const patch = c.req.valid("json");
  const now = new Date();
  const segment: SegmentRecord = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description === undefined ? current.description : patch.description,
    conditions: patch.conditions ?? current.conditions,
    updatedAt: now.toISOString(),
  };
  const db = database(c.env.DB);
  const { programId } = c.get("principal");
  const audit = auditOf(c, `segment:${segment.id}`, "update", { before: current, after: segment, at: now });
  if (!(await writeSegment(c.env.DB, programId, segment, audit))) throw new ApiError("segment_not_found", `No segment '${segment.id}' in this program.`);
  if (patch.conditions) await populateSegment(db, programId, segment, now);
  return c.json(await withCount(c, segment), 200);
};

export const deleteSegment: AppRouteHandler<DeleteSegmentRoute> = async (c) => {
  const segment = await findSegment(c, c.req.valid("param").id);
  const audit = auditOf(c, `segment:${segment.id}`, "delete", { before: segment });
  if (!(await removeSegment(c.env.DB, c.get("principal").programId, segment.id, audit))) throw new ApiError("segment_not_found", `No segment '${segment.id}' in this program.`);
  return c.json({ id: segment.id, deleted: true as const }, 200);
};

export const listSegmentMembers: AppRouteHandler<ListSegmentMembersRoute> = async (c) => {
  const segment = await findSegment(c, c.req.valid("param").id);
  const { limit, cursor, purpose } = c.req.valid("query");
  const { programId } = c.get("principal");
  // The purpose is in the cursor's scope: a page walked for service cannot be carried on as a marketing list, nor back.
  const scope = ["segment-members", programId, segment.id, purpose] as const;
  const page = await segmentMemberPage(database(c.env.DB), segment.id, limit, await resumeAfter(c, scope, cursor), purpose);
  return c.json({ ...(await sealedPage(c, scope, page)), purpose }, 200);
};

export const getMemberSegments: AppRouteHandler<GetMemberSegmentsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const now = new Date();
  const found = await segmentsOfMember(database(c.env.DB), c.get("principal").programId, memberId, now);
  if (!found) throw new ApiError("member_not_found", `No member '${memberId}' in this program.`);
  return c.json({ data: found.segments.map((s) => ({ id: s.id, name: s.name })), evaluatedAt: now.toISOString(), stats: statsView(found.stats) }, 200);
};
