// Shared steps of the rewards suite: rewards and causes made through the API, members with points, claims.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { accrue, call, enroll, type TestProgram } from "../helpers";

export const fiveOff = { name: "5 EUR off", type: "fixed_discount", costPoints: 500, value: { amount: 500, currency: "EUR" } };

export async function createReward(p: TestProgram, body: Record<string, unknown> = fiveOff) {
  const res = await call("/v1/rewards", { key: p.admin, body, idempotencyKey: null });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

export async function createCause(p: TestProgram, name = "Clean Rivers") {
  const res = await call("/v1/causes", { key: p.admin, body: { name }, idempotencyKey: null });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

/** An enrolled member holding `points` points (1 point per 100 cents by default). */
export async function memberWith(p: TestProgram, memberId: string, points: number) {
  await enroll(p.server, memberId);
  if (points > 0) expect((await accrue(p.server, memberId, points * 100)).status).toBe(201);
}

export function claim(p: TestProgram, memberId: string, rewardId: string, options: { key?: string; idempotencyKey?: string } = {}) {
  return call(`/v1/members/${encodeURIComponent(memberId)}/rewards/${rewardId}/claims`, { method: "POST", key: options.key ?? p.server, idempotencyKey: options.idempotencyKey });
}

/**
 * Points of claimed rewards equal their redemptions: every claim's points are
 * its redemption's, a live claim's redemption is captured, a cancelled one's
 * (or one expired with its points back) reversed.
 */
export async function expectClaimsMatchRedemptions(programId: string) {
  const rows = await env.DB.prepare(
    `SELECT c.id, c.status, c.points, c.return_points_on_expiry AS returned, r.points AS redeemed, r.status AS redemption
     FROM reward_claims c LEFT JOIN redemptions r ON r.id = c.redemption_id AND r.program_id = c.program_id
     WHERE c.program_id = ?`,
  )
    .bind(programId)
    .all<{ id: string; status: string; points: number; returned: number; redeemed: number | null; redemption: string | null }>();
  for (const row of rows.results) {
    // A referral's reward was given, not bought: no redemption, no points.
    if (row.redemption === null && row.points === 0) continue;
    expect(row.redeemed, `claim ${row.id}: its redemption's points`).toBe(row.points);
    const reversed = row.status === "cancelled" || (row.status === "expired" && row.returned === 1);
    expect(row.redemption, `claim ${row.id} (${row.status})`).toBe(reversed ? "reversed" : "captured");
  }
  return rows.results.length;
}
