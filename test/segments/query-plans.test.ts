// The segments' reads go through their keys and indexes: a member's stats row and memberships, a segment's page, a member's coupons.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of segments", () => {
  it("reads a member's stats row by its key", async () => {
    expect(await plan("SELECT * FROM member_stats WHERE program_id = ? AND member_id = ?", "p", "m")).toMatch(/USING INDEX sqlite_autoindex_member_stats_1/);
  });

  it("counts a segment's members by its key", async () => {
    expect(await plan("SELECT count(*) FROM segment_members WHERE segment_id = ?", "s")).toMatch(/USING (COVERING )?INDEX sqlite_autoindex_segment_members_1/);
  });

  it("reads a member's memberships by the member index", async () => {
    expect(await plan("SELECT segment_id, entered_at FROM segment_members WHERE program_id = ? AND member_id = ?", "p", "m")).toMatch(/USING INDEX segment_members_by_member/);
  });

  it("pages a segment's members by its key, without sorting", async () => {
    const detail = await plan("SELECT member_id, entered_at FROM segment_members WHERE segment_id = ? AND member_id > ? ORDER BY member_id LIMIT 51", "s", "a");
    expect(detail).toMatch(/USING INDEX sqlite_autoindex_segment_members_1/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("pages a segment's members for marketing by its key, each checked by the member's key, without sorting", async () => {
    const detail = await plan(
      `SELECT sm.member_id, sm.entered_at FROM segment_members sm CROSS JOIN members m ON m.program_id = sm.program_id AND m.member_id = sm.member_id
       WHERE sm.segment_id = ? AND sm.member_id > ? AND m.erased_at IS NULL AND m.marketing_consent = 1 ORDER BY sm.member_id LIMIT 51`,
      "s",
      "a",
    );
    expect(detail).toMatch(/SEARCH sm USING INDEX sqlite_autoindex_segment_members_1/);
    expect(detail).toMatch(/SEARCH m USING INDEX sqlite_autoindex_members_1/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("pages a member's coupons newest first by the partial index of coded claims, without sorting", async () => {
    const detail = await plan(
      "SELECT * FROM reward_claims WHERE program_id = ? AND member_id = ? AND code IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 51",
      "p",
      "m",
      "clm_Z",
    );
    expect(detail).toMatch(/USING INDEX reward_claims_coupons_by_member/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
});
