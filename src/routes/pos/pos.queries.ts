// The till's own rows: which card codes (member and time step) have been resolved, so each resolves once.
import { CARD_STEPS_ACCEPTED } from "../../tokens/card";

export interface ScanClaim {
  programId: string;
  memberId: string;
  step: number;
  /** The caller and its Idempotency-Key: the same pair again is a retry, not a replay. */
  scope: string;
  idempotencyKey: string;
}

/**
 * Marks the code resolved; false when it already was. Rows of steps no code
 * can be taken from any more are dropped in the same batch, so the table
 * holds about a minute of scans per program.
 */
export async function recordScan(db: D1Database, claim: ScanClaim, scannedAt: string): Promise<boolean> {
  const [inserted] = await db.batch([
    db
      .prepare(
        "INSERT INTO card_scans (program_id, member_id, step, scope, idempotency_key, scanned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING step",
      )
      .bind(claim.programId, claim.memberId, claim.step, claim.scope, claim.idempotencyKey, scannedAt),
    db.prepare("DELETE FROM card_scans WHERE program_id = ?1 AND step < ?2").bind(claim.programId, claim.step - 2 * CARD_STEPS_ACCEPTED),
  ]);
  return inserted!.results.length === 1;
}

/** Whether this very caller and key resolved the code before (a retry after a lost answer). */
export async function scannedBySameRequest(db: D1Database, claim: ScanClaim): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS found FROM card_scans WHERE program_id = ?1 AND member_id = ?2 AND step = ?3 AND scope = ?4 AND idempotency_key = ?5")
    .bind(claim.programId, claim.memberId, claim.step, claim.scope, claim.idempotencyKey)
    .first();
  return row !== null;
}
