// What the member's offers read of campaigns beyond the cached rules: the name of each version in force.
import type { ActiveRule } from "./rules";

/** By the version's key; the name is the version's own (an edit of a later draft does not rename what is in force). */
const VERSION_NAME_SQL = "SELECT campaign_id AS campaignId, version, json_extract(definition, '$.name') AS name FROM campaign_versions WHERE program_id = ?1 AND campaign_id = ?2 AND version = ?3";

/** `campaignId/version` to the version's name, for these rules, in one round trip. */
export async function campaignVersionNames(d1: D1Database, programId: string, rules: readonly ActiveRule[]): Promise<Map<string, string>> {
  const keys = [...new Map(rules.map((r) => [`${r.campaignId}/${r.version}`, r])).values()];
  if (keys.length === 0) return new Map();
  const results = await d1.batch<{ campaignId: string; version: number; name: string }>(keys.map((r) => d1.prepare(VERSION_NAME_SQL).bind(programId, r.campaignId, r.version)));
  return new Map(results.flatMap((r) => r.results).map((row) => [`${row.campaignId}/${row.version}`, row.name]));
}
