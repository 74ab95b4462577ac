// The segment routes' reads and writes in D1; memberships of existing members are filled here when a segment is written.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { auditInsert, auditStatement, writeAudited, type AuditRow } from "../../audit/audit";
import { database, type Database } from "../../db/client";
import { members, memberStats, segmentMembers, segments } from "../../db/schema";
import { inSegment } from "../../segments/evaluate";
import { NO_STATS } from "../../segments/stats";
import { forgetSegments, segmentMemberCounts, segmentMemberPage, toSegment, toStats, type SegmentRecord } from "../../segments/store";

export { segmentMemberCounts, segmentMemberPage };

export async function readSegment(db: Database, programId: string, id: string): Promise<SegmentRecord | null> {
  const [row] = await db.select().from(segments).where(and(eq(segments.programId, programId), eq(segments.id, id)));
  return row ? toSegment(row) : null;
}

export async function listSegments(db: Database, programId: string): Promise<SegmentRecord[]> {
  const rows = await db.select().from(segments).where(eq(segments.programId, programId)).orderBy(asc(segments.id));
  return rows.map(toSegment);
}

function row(programId: string, s: SegmentRecord) {
  return { id: s.id, programId, name: s.name, description: s.description, conditions: JSON.stringify(s.conditions), createdAt: s.createdAt, updatedAt: s.updatedAt };
}

/** The segment and its audit row, in one batch. */
export async function insertSegment(db: Database, programId: string, segment: SegmentRecord, audit: AuditRow): Promise<void> {
  await db.batch([db.insert(segments).values(row(programId, segment)), auditInsert(db, audit)]);
  forgetSegments(programId);
}

/** The change and its audit row, in one batch; false when the segment is gone meanwhile (nothing written). */
export async function updateSegment(d1: D1Database, programId: string, segment: SegmentRecord, audit: AuditRow): Promise<boolean> {
  const { id: _id, programId: _p, createdAt: _c, ...set } = row(programId, segment);
  const db = database(d1);
  const changed = await writeAudited(d1, db.update(segments).set(set).where(and(eq(segments.programId, programId), eq(segments.id, segment.id))), audit);
  forgetSegments(programId);
  return changed > 0;
}

/** The segment, its kept membership and its audit row, in one batch; false when it was gone already. */
export async function deleteSegment(d1: D1Database, programId: string, id: string, audit: AuditRow): Promise<boolean> {
  const [, removed] = await d1.batch([
    // By the segment's key alone (the segment is the program's): the member index would walk the program.
    d1.prepare("DELETE FROM segment_members WHERE segment_id = ?1").bind(id),
    d1.prepare("DELETE FROM segments WHERE program_id = ?1 AND id = ?2").bind(programId, id),
    auditStatement(d1, audit, { afterGuardedWrite: true }),
  ]);
  forgetSegments(programId);
  return removed!.meta.changes > 0;
}

/** Members evaluated per written segment; a larger program's rest join (or leave) as their own batches run. */
export const POPULATE_LIMIT = 5000;
const POPULATE_PAGE = 500;

/**
 * The segment's membership from the members' stored statistics, as a new (or changed) segment
 * starts: existing members join without a segment.entered event (no batch of theirs moved them).
 * A member with no stats row yet counts as having no orders until their next batch; plan
 * conditions are met at the member's next batch too (memberships are not read here).
 */
export async function populateSegment(db: Database, programId: string, segment: SegmentRecord, now: Date): Promise<{ evaluated: number; complete: boolean }> {
  await db.delete(segmentMembers).where(eq(segmentMembers.segmentId, segment.id));
  let after = "";
  let evaluated = 0;
  const at = now.toISOString();
  while (evaluated < POPULATE_LIMIT) {
    const rows = await db
      .select({ memberId: members.memberId, tier: members.tier, attributes: members.attributes, birthdayMonth: members.birthdayMonth, stats: memberStats })
      .from(members)
      .leftJoin(memberStats, and(eq(memberStats.programId, members.programId), eq(memberStats.memberId, members.memberId)))
      .where(and(eq(members.programId, programId), gt(members.memberId, after)))
      .orderBy(asc(members.memberId))
      .limit(POPULATE_PAGE);
    if (rows.length === 0) return { evaluated, complete: true };
    evaluated += rows.length;
    after = rows[rows.length - 1]!.memberId;
    const joining = rows.filter((r) =>
      inSegment(toStats(r.stats ?? undefined) ?? NO_STATS, { tier: r.tier, attributes: JSON.parse(r.attributes) as Record<string, unknown>, activePlans: [], birthdayMonth: r.birthdayMonth }, segment.conditions, now),
    );
    // One statement per page: a JSON array of ids, since D1 binds at most 100 parameters.
    if (joining.length > 0) {
      await db.run(
        sql`INSERT OR IGNORE INTO segment_members (program_id, segment_id, member_id, entered_at) SELECT ${programId}, ${segment.id}, value, ${at} FROM json_each(${JSON.stringify(joining.map((r) => r.memberId))})`,
      );
    }
    if (rows.length < POPULATE_PAGE) return { evaluated, complete: true };
  }
  return { evaluated, complete: false };
}
