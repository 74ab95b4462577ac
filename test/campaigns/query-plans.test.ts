// The campaign reads on the accrual path go through their indexes, never the whole table.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MOST_EARLY_ACCESS_DAYS_SQL, SCHEDULED_RULES_SQL } from "../../src/campaigns/active";
import { HAS_ORDERED_SQL, RULE_GRANTS_SQL } from "../../src/members/store";

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of the campaign reads", () => {
  it("reads a member's grants of one rule by the member's grant index", async () => {
    const detail = await plan(RULE_GRANTS_SQL, "p", "m", "c", "r", "2026-01-01");
    expect(detail).toMatch(/USING INDEX member_rule_grants_by_member/);
    expect(detail).not.toMatch(/SCAN member_rule_grants/);
  });

  it("asks whether a member ordered by the orders' member index", async () => {
    const detail = await plan(HAS_ORDERED_SQL, "p", "m");
    expect(detail).toMatch(/USING (COVERING )?INDEX orders_by_member/);
  });

  it("reads the program's intervals in force by index, their versions by key", async () => {
    const detail = await plan(SCHEDULED_RULES_SQL, "p", "2026-01-01");
    expect(detail).toMatch(/SEARCH i USING INDEX \S+ \(program_id=\?\)/);
    expect(detail).toMatch(/SEARCH v USING INDEX \S+ \(program_id=\? AND campaign_id=\? AND version=\?\)/);
    expect(detail).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it("reads how far plans open campaigns early by the program's plan index", async () => {
    const detail = await plan(MOST_EARLY_ACCESS_DAYS_SQL, "p");
    expect(detail).toMatch(/USING INDEX membership_plans_by_program \(program_id=\?\)/);
  });
});
