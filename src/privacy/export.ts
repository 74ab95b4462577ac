// Export: everything held about one member, read in one D1 batch of bounded queries.

/** Rows per section at most; a section that reaches it says so (`truncated`), and the rest is read from the paged routes. */
export const EXPORT_SECTION_LIMIT = 1000;

const SECTIONS = {
  lots: "SELECT * FROM lots WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  entries: "SELECT * FROM entries WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  orders: "SELECT * FROM orders WHERE program_id = ?1 AND member_id = ?2 ORDER BY created_at",
  redemptions: "SELECT * FROM redemptions WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  coupons: "SELECT * FROM reward_claims WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  referralsAsReferrer: "SELECT * FROM referrals WHERE program_id = ?1 AND referrer_id = ?2 ORDER BY id",
  referralsAsReferee: "SELECT * FROM referrals WHERE program_id = ?1 AND referee_id = ?2 ORDER BY id",
  referralCode: "SELECT * FROM referral_codes WHERE program_id = ?1 AND member_id = ?2",
  fingerprints: "SELECT kind, hash, created_at FROM member_fingerprints WHERE program_id = ?1 AND member_id = ?2 ORDER BY created_at",
  memberships: "SELECT * FROM memberships WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  activities: "SELECT * FROM activities WHERE program_id = ?1 AND member_id = ?2 ORDER BY id",
  bonuses: "SELECT * FROM member_bonuses WHERE program_id = ?1 AND member_id = ?2",
  tokenRevocations: "SELECT * FROM member_token_revocations WHERE program_id = ?1 AND member_id = ?2",
  webhookEvents: "SELECT id, type, payload, created_at, sent_at FROM outbox_events WHERE program_id = ?1 AND member_id = ?2 ORDER BY created_at, id",
  segmentMemberships:
    "SELECT m.segment_id, s.name, m.entered_at FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.program_id = ?1 AND m.member_id = ?2 ORDER BY m.segment_id",
  statistics: "SELECT * FROM member_stats WHERE program_id = ?1 AND member_id = ?2",
  // The operator's changes to this member (`member:<id>` and `member:<id>:<what>`), as a range on the resource index.
  auditEntries:
    "SELECT id, at, key_id, key_name, key_role, resource, action, before, after FROM audit_log WHERE program_id = ?1 AND (resource = 'member:' || ?2 OR (resource > 'member:' || ?2 || ':' AND resource < 'member:' || ?2 || ';')) ORDER BY at, id",
  // The lines of imports that created or credited the member, per import on import_lines_by_member.
  importLines:
    "SELECT import_id, line, status, data, error FROM import_lines WHERE import_id IN (SELECT id FROM imports WHERE program_id = ?1) AND member_id = ?2 AND program_id = ?1 ORDER BY import_id, line",
} as const;

export type ExportSection = keyof typeof SECTIONS;
export const EXPORT_SECTIONS = Object.keys(SECTIONS) as ExportSection[];

type Row = Record<string, unknown>;

/** Columns that hold JSON text: the export gives them parsed. */
const JSON_COLUMNS = new Set(["details", "payload", "fraud_flags", "attributes", "metadata", "data", "error"]);

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A row as the API speaks: camelCase keys, JSON columns parsed, the program id left out (the caller's own). */
export function exportRow(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === "program_id") continue;
    const parsed = typeof value === "string" && (JSON_COLUMNS.has(key)) ? safeParse(value) : value;
    out[camel(key)] = parsed;
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface MemberExport {
  profile: Row | null;
  sections: Record<ExportSection, Row[]>;
  truncated: ExportSection[];
}

/** One batch: the profile and every section, each at most EXPORT_SECTION_LIMIT rows. */
export async function readMemberExport(db: D1Database, programId: string, memberId: string): Promise<MemberExport> {
  const profile = db.prepare("SELECT * FROM members WHERE program_id = ?1 AND member_id = ?2").bind(programId, memberId);
  const reads = EXPORT_SECTIONS.map((name) => db.prepare(`${SECTIONS[name]} LIMIT ?3`).bind(programId, memberId, EXPORT_SECTION_LIMIT));
  const [member, ...results] = await db.batch<Row>([profile, ...reads]);
  const sections = {} as Record<ExportSection, Row[]>;
  const truncated: ExportSection[] = [];
  EXPORT_SECTIONS.forEach((name, i) => {
    const rows = results[i]!.results;
    sections[name] = rows.map(exportRow);
    if (rows.length >= EXPORT_SECTION_LIMIT) truncated.push(name);
  });
  return { profile: member!.results[0] ?? null, sections, truncated };
}
