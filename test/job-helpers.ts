// Helpers for the scheduled-job tests: run a job at an injected time, seed many lots fast, read what was written.
import { env } from "cloudflare:workers";
import { runJob, type JobName, type RunLimits } from "../src/jobs/runner";
import { ProgramSettingsSchema } from "../src/ledger/settings";

export async function programRef(programId: string) {
  const row = await env.DB.prepare("SELECT settings FROM programs WHERE id = ?").bind(programId).first<{ settings: string }>();
  return { id: programId, settings: ProgramSettingsSchema.parse(JSON.parse(row!.settings)) };
}

/** Runs one job for one program as of `at` (ISO or ms), as a cron run would. */
export async function runAt(programId: string, job: JobName, at: string | number, limits: Partial<RunLimits> = {}) {
  const now = typeof at === "number" ? at : Date.parse(at);
  return runJob(env, job, await programRef(programId), { now, trigger: "cron", limits });
}

export async function rows<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]> {
  return (await env.DB.prepare(query).bind(...params).all<T>()).results;
}

/** The program's outbox events of a type, by member (members are processed concurrently), then in order. */
export async function events(programId: string, type: string) {
  const found = await rows<{ member_id: string; payload: string }>(
    "SELECT member_id, payload FROM outbox_events WHERE program_id = ? AND type = ? ORDER BY member_id, id",
    programId,
    type,
  );
  return found.map((e): Record<string, any> => ({ memberId: e.member_id, ...(JSON.parse(e.payload) as Record<string, unknown>) }));
}

export async function entriesOf(programId: string, type: string, memberId?: string) {
  const found = await rows<{ member_id: string; points: number; lot_id: string | null; details: string; occurred_at: string }>(
    `SELECT member_id, points, lot_id, details, occurred_at FROM entries WHERE program_id = ? AND type = ? ${memberId ? "AND member_id = ?" : ""} ORDER BY id`,
    programId,
    type,
    ...(memberId ? [memberId] : []),
  );
  return found.map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, any> }));
}

/** Everything a job could have written, to compare before and after a repeated run. */
export async function ledgerSnapshot(programId: string) {
  return {
    entries: await rows("SELECT id, member_id, type, points, held_points FROM entries WHERE program_id = ? ORDER BY id", programId),
    lots: await rows("SELECT id, remaining FROM lots WHERE program_id = ? ORDER BY id", programId),
    members: await rows("SELECT member_id, version, tier, qualifying_points, tier_downgrade_at FROM members WHERE program_id = ? ORDER BY member_id", programId),
    events: await rows("SELECT id, type FROM outbox_events WHERE program_id = ? ORDER BY id", programId),
    warnings: await rows("SELECT member_id, expires_at FROM expiry_warnings WHERE program_id = ? ORDER BY member_id, expires_at", programId),
  };
}

/**
 * Seeds members with lots straight into D1 (as the load script does): each
 * lot with its earn entry, so the ledger's sums hold. Far faster than the API
 * for the batch tests, and the member objects read it all from D1.
 */
export async function seedLots(
  programId: string,
  options: { members: number; lotsEach: number; points: number; earnedAt: string; expiresAt: string | null; prefix?: string },
) {
  const { members, lotsEach, points, earnedAt, expiresAt, prefix = "m" } = options;
  const statements: D1PreparedStatement[] = [];
  const memberIds: string[] = [];
  for (let m = 0; m < members; m++) {
    const memberId = `${prefix}${String(m).padStart(4, "0")}`;
    memberIds.push(memberId);
    statements.push(
      env.DB.prepare(
        `INSERT INTO members (program_id, member_id, qualifying_points, lifetime_earned, last_activity_at, enrolled_at, updated_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?4, ?4)`,
      ).bind(programId, memberId, points * lotsEach, earnedAt),
    );
    for (let l = 0; l < lotsEach; l++) {
      const lotId = `lot_${programId}_${memberId}_${l}`;
      statements.push(
        env.DB.prepare(
          `INSERT INTO lots (id, program_id, member_id, points, remaining, earned_at, available_at, expires_at, created_at)
           VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5, ?6, ?5)`,
        ).bind(lotId, programId, memberId, points, earnedAt, expiresAt),
        env.DB.prepare(
          `INSERT INTO entries (id, program_id, member_id, type, points, lot_id, debt_paid, order_amount, occurred_at, created_at)
           VALUES (?1, ?2, ?3, 'earn', ?4, ?5, 0, 0, ?6, ?6)`,
        ).bind(`ent_${programId}_${memberId}_${l}`, programId, memberId, points, lotId, earnedAt),
      );
    }
  }
  await env.DB.batch(statements);
  return memberIds;
}
