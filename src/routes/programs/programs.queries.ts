// A program's row: creating and reading it, and changing it by a compare-and-swap on its version, so concurrent patches never undo each other.
import { eq, getTableColumns } from "drizzle-orm";
import { database } from "../../db/client";
import { programs } from "../../db/schema";
import { ProgramSettingsSchema, SETTLEMENT_PERIOD_PATH, type ProgramSettings } from "../../ledger/settings";
import { newlyNamedRewards, notOffered, rewardConflicts } from "../../referrals/settings-check";
import { readReward } from "../../rewards/queries";
import { patchSettings } from "../../ledger/settings-patch";
import { ApiError } from "../../lib/errors";
import { auditStatement, type AuditRow } from "../../audit/audit";

/** A program as the API sees it: the cache epoch is the jobs' and the objects' (src/jobs/around.ts). */
export type ProgramRow = Omit<typeof programs.$inferSelect, "cacheEpoch">;
const { cacheEpoch: _cacheEpoch, ...programColumns } = getTableColumns(programs);

export async function insertProgram(d1: D1Database, row: ProgramRow): Promise<void> {
  await database(d1).insert(programs).values(row);
}

export async function findProgram(d1: D1Database, programId: string): Promise<ProgramRow | undefined> {
  const [row] = await database(d1).select(programColumns).from(programs).where(eq(programs.id, programId));
  return row;
}

export async function programExists(d1: D1Database, programId: string): Promise<boolean> {
  const [row] = await database(d1).select({ id: programs.id }).from(programs).where(eq(programs.id, programId));
  return row !== undefined;
}

export interface ProgramPatch {
  name?: string;
  settings: Record<string, unknown>;
}

/** Attempts before a PATCH that keeps losing the race gives up with a 409. */
const MAX_ATTEMPTS = 8;

/**
 * An entry's settlement period recomputed from its occurredAt: while the kind may
 * change nothing is closed, so every entry sits in the period it occurred in.
 */
const PERIOD_OF_OCCURRED_AT = {
  month: "substr(occurred_at, 1, 7)",
  quarter: "substr(occurred_at, 1, 4) || '-Q' || ((CAST(substr(occurred_at, 6, 2) AS INTEGER) + 2) / 3)",
} as const;

/**
 * Applies `patch` to the program as it is in D1 now (not to the caller's cached
 * copy), and writes only if nobody wrote in between; otherwise reads and merges again.
 */
export async function updateProgram(
  d1: D1Database,
  programId: string,
  patch: ProgramPatch,
  now: Date,
  audit?: (before: { name: string; settings: unknown }, after: { name: string; settings: unknown }) => AuditRow,
): Promise<ProgramRow> {
  const db = database(d1);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [row] = await db.select(programColumns).from(programs).where(eq(programs.id, programId));
    if (!row) throw new ApiError("program_not_found", `No program '${programId}'.`);
    const current = ProgramSettingsSchema.parse(JSON.parse(row.settings));
    const merged = patchSettings(current, patch.settings);
    if (!merged.ok) throw new ApiError("invalid_settings", "The merged settings are not valid.", { errors: merged.errors });
    const next = merged.settings;
    await checkReferralRewards(d1, programId, current, next);

    const currencyChanges = next.currency !== current.currency;
    if (currencyChanges && (await exists(d1, "SELECT 1 FROM orders WHERE program_id = ?1 LIMIT 1", programId))) {
      throw new ApiError("currency_locked", "The currency cannot change once orders were accrued.");
    }
    const kindChanges = next.settlementPeriod !== current.settlementPeriod;
    if (kindChanges && (row.closedThrough !== null || (await exists(d1, "SELECT 1 FROM partner_terms WHERE program_id = ?1 LIMIT 1", programId)))) {
      throw new ApiError(
        "settlement_period_locked",
        "The settlement period kind cannot change once a period was closed or partner terms were set in periods of the current kind.",
      );
    }

    // The guards repeat the checks above inside the write, so an order, a close or terms that arrive meanwhile make it retry.
    const guards = [
      currencyChanges ? "AND NOT EXISTS (SELECT 1 FROM orders WHERE program_id = ?1)" : "",
      kindChanges ? "AND closed_through IS NULL AND NOT EXISTS (SELECT 1 FROM partner_terms WHERE program_id = ?1)" : "",
    ].join(" ");
    const update = d1
      .prepare(`UPDATE programs SET name = ?2, settings = ?3, version = version + 1, updated_at = ?4 WHERE id = ?1 AND version = ?5 ${guards} RETURNING *`)
      .bind(programId, patch.name ?? row.name, JSON.stringify(next), now.toISOString(), row.version);
    const statements = [update];
    const name = patch.name ?? row.name;
    if (audit) statements.push(auditStatement(d1, audit({ name: row.name, settings: current }, { name, settings: next }), { afterGuardedWrite: true }));
    if (kindChanges) {
      statements.push(
        d1
          .prepare(
            `UPDATE entries SET settlement_period = ${PERIOD_OF_OCCURRED_AT[next.settlementPeriod]}
             WHERE program_id = ?1 AND settlement_period IS NOT NULL
               AND EXISTS (SELECT 1 FROM programs WHERE id = ?1 AND json_extract(settings, '${SETTLEMENT_PERIOD_PATH}') = ?2)`,
          )
          .bind(programId, next.settlementPeriod),
      );
    }
    const [written] = await d1.batch<RawProgramRow>(statements);
    const updated = written!.results[0];
    if (updated) return fromRaw(updated);
  }
  throw new ApiError("concurrent_update", "The program kept changing meanwhile; retry the request.");
}

/** The catalog rewards the referral settings name: one per side instead of points, offered by this program (422 otherwise). */
export async function checkReferralRewards(d1: D1Database, programId: string, current: ProgramSettings, next: ProgramSettings): Promise<void> {
  const conflicts = rewardConflicts(next.referrals);
  if (conflicts.length > 0) throw new ApiError("invalid_settings", "The merged settings are not valid.", { errors: conflicts });
  const named = newlyNamedRewards(current.referrals, next.referrals);
  const errors = (await Promise.all(named.map(async (n) => notOffered(n, await readReward(database(d1), programId, n.rewardId))))).filter((e) => e !== null);
  if (errors.length > 0) throw new ApiError("referral_reward_not_offered", "The referral settings name a reward this program does not offer.", { errors });
}

async function exists(d1: D1Database, query: string, programId: string): Promise<boolean> {
  return (await d1.prepare(query).bind(programId).first()) !== null;
}

interface RawProgramRow {
  id: string;
  name: string;
  settings: string;
  closed_through: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

function fromRaw(raw: RawProgramRow): ProgramRow {
  return {
    id: raw.id,
    name: raw.name,
    settings: raw.settings,
    closedThrough: raw.closed_through,
    version: raw.version,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}
