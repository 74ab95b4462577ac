// The referral and membership jobs page by their partial indexes, and a referee's order is found in their own history.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { dueLapsesQuery } from "../../src/memberships/store";
import { firstQualifyingOrderQuery, openReferralsQuery } from "../../src/referrals/store";

const dialect = new SQLiteSyncDialect();

async function plan(query: SQL): Promise<string> {
  const { sql, params } = dialect.sqlToQuery(query);
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of referrals and memberships", () => {
  it("walks the referrals with work left by the referrals_open index, in order", async () => {
    const detail = await plan(openReferralsQuery("p", "", 200));
    expect(detail).toMatch(/USING INDEX referrals_open/);
    expect(detail).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it("finds the referee's qualifying order among their own entries", async () => {
    const detail = await plan(firstQualifyingOrderQuery("p", "m", "2026-01-01T00:00:00Z", 0));
    expect(detail).toMatch(/USING INDEX entries_by_member/);
    expect(detail).not.toMatch(/SCAN/);
  });

  it("walks memberships due to lapse by the partial index on active ones", async () => {
    const detail = await plan(dueLapsesQuery("p", new Date("2030-01-01T00:00:00Z"), { paidUntil: "", id: "" }, 200));
    expect(detail).toMatch(/USING INDEX memberships_active_by_paid_until/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
});
