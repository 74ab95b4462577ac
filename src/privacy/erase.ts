// Erasure: what is personal goes, the member id stays as a pseudonym so every sum stays exactly as it was.
import { auditStatement, type AuditRow } from "../audit/audit";
import { ERASED_RECORD } from "../members/store";
import { revocationMark } from "../tokens/claims";

/** What stands where free text about the member was (an adjustment's reason): the fact of a reason stays, its words go. */
export const ERASED_TEXT = "(erased)";

/** What an import line of the member not applied yet says once the member is erased. */
const ERASED_LINE_ERROR = JSON.stringify({ code: "member_erased", message: "the member was erased before this line was applied" });

/** Why an erasure must wait: points still reserved for a checkout, or coupons still usable. */
export interface ErasureBlockers {
  openHolds: number;
  unusedCoupons: number;
}

/**
 * Whether the member may be erased now. Open holds and unused coupons are
 * promises in flight with a storefront (a checkout, a coupon in a mailbox):
 * they are resolved first (captured, cancelled, used or lapsed), so erasure
 * itself never moves a point and never changes a sum.
 */
export function erasureBlocked(blockers: ErasureBlockers): boolean {
  return blockers.openHolds > 0 || blockers.unusedCoupons > 0;
}

export async function countUnusedCoupons(db: D1Database, programId: string, memberId: string): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM reward_claims WHERE program_id = ?1 AND member_id = ?2 AND status = 'issued'")
    .bind(programId, memberId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * The statements of one erasure, for one D1 batch. The member row keeps its
 * counters and version chain (stepped by one, as every member batch does);
 * its personal fields are blanked. A version other than the one the object
 * read aborts the whole batch (the version trigger), so nothing half-lands. Fingerprints, the referral code (the link
 * a shared URL makes to the person) and card scans are deleted; referrals
 * keep both pseudonymous ids. Every member token issued so far is revoked.
 *
 * The copies go in the same batch, each by an index on the member, so the
 * batch's cost follows the member's own history, never the tables' size:
 * - the stored answers of the member's requests (idempotency records, which
 *   may hold the profile) keep their key only, marked erased, so a retry
 *   still posts nothing (ERASED_RECORD);
 * - the free text an operator wrote about them (an adjustment's reason) in
 *   the ledger entry, the outbox event and the audit row, and the
 *   storefront's own facts about their activities;
 * - import lines: the staged data of the member's lines (profile and
 *   attributes as the file had them); a line not applied yet fails.
 * Ids, points, amounts and dates stay: every sum is made of them.
 */
export function erasureStatements(
  db: D1Database,
  input: { programId: string; memberId: string; version: number; now: Date; eventId: string; audit?: AuditRow },
): D1PreparedStatement[] {
  const { programId, memberId, version, now, eventId } = input;
  const at = now.toISOString();
  const payload = JSON.stringify({ memberId, occurredAt: at, recordedAt: at });
  return [
    db
      .prepare(
        `UPDATE members SET email = NULL, name = NULL, attributes = '{}', birthday_month = NULL, birthday_day = NULL, birthday_year = NULL,
           marketing_consent = NULL, marketing_consent_at = NULL, marketing_consent_source = NULL,
           erased_at = ?4, updated_at = ?4, version = ?3 + 1
         WHERE program_id = ?1 AND member_id = ?2`,
      )
      .bind(programId, memberId, version, at),
    db.prepare("DELETE FROM member_fingerprints WHERE program_id = ?1 AND member_id = ?2").bind(programId, memberId),
    db.prepare("DELETE FROM referral_codes WHERE program_id = ?1 AND member_id = ?2").bind(programId, memberId),
    db.prepare("DELETE FROM card_scans WHERE program_id = ?1 AND member_id = ?2").bind(programId, memberId),
    db
      .prepare(`UPDATE idempotency_keys SET status = ?3, request_hash = '', body = '{}' WHERE program_id = ?1 AND member_id = ?2 AND status <> ?3`)
      .bind(programId, memberId, ERASED_RECORD),
    db
      .prepare(`UPDATE entries SET details = json_set(details, '$.reason', ?3) WHERE program_id = ?1 AND member_id = ?2 AND type = 'adjust' AND json_extract(details, '$.reason') IS NOT NULL`)
      .bind(programId, memberId, ERASED_TEXT),
    db
      .prepare(
        `UPDATE outbox_events SET payload = json_set(payload, '$.reason', ?3)
         WHERE program_id = ?1 AND member_id = ?2 AND type = 'points.adjusted' AND json_extract(payload, '$.reason') IS NOT NULL`,
      )
      .bind(programId, memberId, ERASED_TEXT),
    db
      .prepare(`UPDATE audit_log SET after = json_set(after, '$.reason', ?3) WHERE program_id = ?1 AND resource = ?2 AND json_extract(after, '$.reason') IS NOT NULL`)
      .bind(programId, `member:${memberId}:adjustment`, ERASED_TEXT),
    db.prepare(`UPDATE activities SET attributes = '{}' WHERE program_id = ?1 AND member_id = ?2 AND attributes <> '{}'`).bind(programId, memberId),
    db
      .prepare(
        // Two statements: a done line's status is never written (the applied-once trigger watches it).
        `UPDATE import_lines SET data = NULL, error = ?3, status = 'failed'
         WHERE import_id IN (SELECT id FROM imports WHERE program_id = ?1) AND member_id = ?2 AND status = 'pending'`,
      )
      .bind(programId, memberId, ERASED_LINE_ERROR),
    db
      .prepare(`UPDATE import_lines SET data = NULL WHERE import_id IN (SELECT id FROM imports WHERE program_id = ?1) AND member_id = ?2 AND data IS NOT NULL`)
      .bind(programId, memberId),
    db
      .prepare(
        `INSERT INTO member_token_revocations (program_id, member_id, tokens_valid_after, revoked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (program_id, member_id) DO UPDATE SET tokens_valid_after = max(tokens_valid_after, excluded.tokens_valid_after), revoked_at = excluded.revoked_at`,
      )
      .bind(programId, memberId, revocationMark(now.getTime()), at),
    db
      .prepare("INSERT INTO outbox_events (id, program_id, member_id, partner_id, type, payload, created_at) VALUES (?1, ?2, ?3, NULL, 'member.erased', ?4, ?5)")
      .bind(eventId, programId, memberId, payload, at),
    // Who erased the member and when; the id is all it names.
    ...(input.audit ? [auditStatement(db, { ...input.audit, before: null, after: JSON.stringify({ memberId, erasedAt: at }) })] : []),
  ];
}
