// The rewards' reads go through their indexes: coupons by code, claims by reservation, redemption and member, due coupons, donations.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of rewards and coupons", () => {
  it("finds a coupon by its code", async () => {
    expect(await plan("SELECT * FROM reward_claims WHERE program_id = ? AND code IN (?, ?) LIMIT 1", "p", "A", "B")).toMatch(/USING INDEX reward_claims_code/);
  });

  it("finds the claim of a reservation, and of a redemption", async () => {
    expect(await plan("SELECT COUNT(*) AS n FROM reward_claims WHERE reservation_id = ?", "r")).toMatch(/USING (COVERING )?INDEX reward_claims_reservation/);
    expect(await plan("SELECT * FROM reward_claims WHERE program_id = ? AND redemption_id = ?", "p", "r")).toMatch(/USING INDEX reward_claims_by_redemption/);
  });

  it("counts a member's claims of a reward for its limit", async () => {
    const detail = await plan("SELECT count(*) FROM reward_claims WHERE program_id = ? AND member_id = ? AND reward_id = ? AND status <> ? AND created_at >= ?", "p", "m", "r", "cancelled", "2026");
    expect(detail).toMatch(/USING INDEX reward_claims_by_member/);
  });

  it("pages the coupons due to expire by the partial index of issued ones, without sorting", async () => {
    const detail = await plan(
      "SELECT id, member_id FROM reward_claims WHERE program_id = ? AND status = 'issued' AND expires_at <= ? ORDER BY expires_at, id LIMIT 200",
      "p",
      "2040-01-01",
    );
    expect(detail).toMatch(/USING INDEX reward_claims_issued_by_expiry/);
    expect(detail).not.toMatch(/SCAN reward_claims\b(?! USING)/);
  });

  it("sums donations by the cause index", async () => {
    const detail = await plan(
      "SELECT cause_id, settlement_period, sum(value_amount) FROM reward_claims WHERE program_id = ? AND cause_id IS NOT NULL AND reward_type = ? AND status = ? AND settlement_period = ? GROUP BY cause_id, settlement_period, currency",
      "p",
      "donation",
      "donated",
      "2026-12",
    );
    expect(detail).toMatch(/USING INDEX reward_claims_by_cause/);
  });
});
