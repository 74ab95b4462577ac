// Retention: members inactive this many calendar years are erased.

/** The last-activity instant at or before which a member is due for erasure; null when the program keeps members. */
export function retentionCutoff(now: Date, retentionYears: number | null): string | null {
  if (retentionYears === null) return null;
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - retentionYears);
  return cutoff.toISOString();
}
