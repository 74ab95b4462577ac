// The export document from the rows src/privacy/export.ts read.
import type { MemberExport } from "../../privacy/export";

export function exportDocument(memberId: string, read: MemberExport, now: Date) {
  const p = read.profile!;
  const num = (v: unknown) => Number(v ?? 0);
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    memberId,
    exportedAt: now.toISOString(),
    profile: {
      email: str(p.email),
      name: str(p.name),
      attributes: JSON.parse(String(p.attributes ?? "{}")) as Record<string, unknown>,
      birthday: p.birthday_month !== null && p.birthday_day !== null ? { month: num(p.birthday_month), day: num(p.birthday_day), year: p.birthday_year === null ? null : num(p.birthday_year) } : null,
      tier: str(p.tier),
      qualifyingPoints: num(p.qualifying_points),
      lifetimeEarned: num(p.lifetime_earned),
      debt: num(p.debt),
      enrolledAt: String(p.enrolled_at),
      updatedAt: String(p.updated_at),
      lastActivityAt: str(p.last_activity_at),
      erasedAt: str(p.erased_at),
    },
    marketingConsent: p.marketing_consent === null ? null : { granted: p.marketing_consent === 1, at: str(p.marketing_consent_at), source: str(p.marketing_consent_source) },
    ...read.sections,
    segments: (read.sections.segmentMemberships ?? []).map((row) => String(row.segmentId)),
    truncated: read.truncated as string[],
  };
}
