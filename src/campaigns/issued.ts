// What budgeted campaigns may still issue, from the points their rules issued (member_rule_grants), program-wide.
import type { ProgramSettings } from "../ledger/settings";
import { budgetPoints } from "./lifecycle";
import type { ActiveRule } from "./rules";

/** Uses member_rule_grants_by_campaign. */
export const CAMPAIGN_ISSUED_SQL = "SELECT ?2 AS campaignId, coalesce(sum(points), 0) AS points FROM member_rule_grants WHERE program_id = ?1 AND campaign_id = ?2";

/** Points each campaign's rules issued, in one round trip by the campaign index. */
export async function readCampaignIssued(d1: D1Database, programId: string, campaignIds: readonly string[]): Promise<Map<string, number>> {
  const issued = new Map<string, number>();
  if (campaignIds.length === 0) return issued;
  const statements = campaignIds.map((id) => d1.prepare(CAMPAIGN_ISSUED_SQL).bind(programId, id));
  for (const r of await d1.batch<{ campaignId: string; points: number }>(statements)) {
    const row = r.results[0];
    if (row) issued.set(row.campaignId, Number(row.points));
  }
  return issued;
}

/**
 * Points each budgeted campaign among `rules` may still issue: its budget less
 * what its rules issued. Read, not reserved: concurrent accruals of different
 * members can each see the same points left; the campaign budget's own
 * object (reserve, then commit with the member's batch) takes this over.
 */
export async function budgetsLeft(
  d1: D1Database,
  programId: string,
  rules: readonly ActiveRule[],
  settings: Pick<ProgramSettings, "redemptionValue">,
): Promise<Map<string, number>> {
  const budgets = new Map<string, number>();
  for (const { campaignId, budget } of rules) {
    const points = budgetPoints(budget, settings.redemptionValue);
    if (points !== null && !budgets.has(campaignId)) budgets.set(campaignId, points);
  }
  const issued = await readCampaignIssued(d1, programId, [...budgets.keys()]);
  for (const [campaignId, limit] of budgets) budgets.set(campaignId, Math.max(0, limit - (issued.get(campaignId) ?? 0)));
  return budgets;
}
