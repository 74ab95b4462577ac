// The till's own rows: which card codes (member, time step, nonce) have been resolved, so each resolves once.
import { CARD_STEPS_ACCEPTED } from "../../tokens/card";

export interface ScanClaim {
  programId: string;
  memberId: string;
  step: number;
  nonce: string;
  /** The caller and its Idempotency-Key: the same pair again is a retry, not a replay. */
  scope: string;
  idempotencyKey: string;
}

/**
 * recorded: the code is now resolved, by this request. retry: this very
 * caller and key resolved it before (a lost answer). reused: the key resolved
 * another code. taken: someone else resolved it.
 */
export type ScanRecord = "recorded" | "retry" | "reused" | "taken";

/**
 * Marks the code resolved, unless the caller's key already resolved a code.
 * Rows of steps no code can be taken from any more are dropped in the same
 * batch, so the table holds a couple of minutes of scans per program (and
 * Idempotency-Keys of scans without a hold are known for as long; a hold's
 * key is kept by the member's ledger as every other).
 */
export async function recordScan(db: D1Database, claim: ScanClaim, scannedAt: string, codeIsCurrent: boolean): Promise<ScanRecord> {
  if (codeIsCurrent) {
    const [inserted] = await db.batch([
      db
        .prepare(
          `INSERT INTO card_scans (program_id, member_id, step, nonce, scope, idempotency_key, scanned_at)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
           WHERE NOT EXISTS (SELECT 1 FROM card_scans WHERE program_id = ?1 AND scope = ?5 AND idempotency_key = ?6)
           ON CONFLICT DO NOTHING RETURNING step`,
        )
        .bind(claim.programId, claim.memberId, claim.step, claim.nonce, claim.scope, claim.idempotencyKey, scannedAt),
      db.prepare("DELETE FROM card_scans WHERE program_id = ?1 AND step < ?2").bind(claim.programId, claim.step - 2 * CARD_STEPS_ACCEPTED),
    ]);
    if (inserted!.results.length === 1) return "recorded";
  }
  const earlier = await db
    .prepare("SELECT member_id, step, nonce FROM card_scans WHERE program_id = ?1 AND scope = ?2 AND idempotency_key = ?3")
    .bind(claim.programId, claim.scope, claim.idempotencyKey)
    .first<{ member_id: string; step: number; nonce: string }>();
  if (!earlier) return "taken";
  return earlier.member_id === claim.memberId && earlier.step === claim.step && earlier.nonce === claim.nonce ? "retry" : "reused";
}
