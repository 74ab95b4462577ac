// Campaign scenarios: the accrual with 10 and 50 active campaigns (beside the plain accrual row, 0), and the earn preview.
import { randomUUID } from "node:crypto";
import type { Pool } from "undici";
import type { Measurement } from "./load";
import { send } from "./load";

/**
 * A campaign of one rule. One in ten gives a point on every order; the others
 * ask for the store channel, so the evaluator checks them and they do not match
 * (most campaigns in force do not apply to most orders). No budgets or limits:
 * this measures the rules' cost, not a budget's own object.
 */
function campaign(index: number) {
  const matches = index % 10 === 0;
  return {
    name: `bench campaign ${index}`,
    startsAt: "2026-01-01T00:00:00Z",
    rules: [
      {
        id: `rule-${index}`,
        trigger: { type: "order" },
        conditions: matches ? { amountAtLeast: 1 } : { channels: ["store"] },
        effect: { type: "fixed", points: 1 },
      },
    ],
  };
}

export async function adminKey(pool: Pool, adminToken: string, programId: string): Promise<string> {
  const { key } = await send<{ key: string }>(pool, {
    method: "POST",
    path: `/v1/programs/${programId}/keys`,
    headers: { authorization: `Bearer ${adminToken}` },
    body: { role: "admin", name: "bench campaigns" },
    expect: 201,
  });
  return key;
}

export async function addCampaigns(pool: Pool, key: string, from: number, to: number): Promise<string[]> {
  const auth = { authorization: `Bearer ${key}` };
  const ids: string[] = [];
  for (let index = from; index < to; index++) {
    const created = await send<{ id: string }>(pool, { method: "POST", path: "/v1/campaigns", headers: auth, body: campaign(index), expect: 201 });
    await send(pool, { method: "POST", path: `/v1/campaigns/${created.id}/activate`, headers: auth, expect: 200 });
    ids.push(created.id);
  }
  return ids;
}

export interface CampaignBenchOptions {
  pool: Pool;
  adminToken: string;
  programId: string;
  serverKey: string;
  memberCount: number;
  spread: (n: number) => string;
  run: (operation: (loop: number, n: number) => Promise<unknown>) => Promise<Measurement>;
}

/**
 * Accruals of the members in turn with 10, then 50 campaigns active; then
 * previews of the same cart with 50. The campaigns end afterwards, so the
 * phases that follow (history, bulk posting) measure what they did before.
 */
export async function benchCampaigns(options: CampaignBenchOptions): Promise<[string, Measurement][]> {
  const { pool, serverKey, spread, run, memberCount } = options;
  const admin = await adminKey(pool, options.adminToken, options.programId);
  const runId = randomUUID().slice(0, 8);
  let counter = 0;
  const auth = { authorization: `Bearer ${serverKey}` };
  const accrue = (memberId: string) => {
    const n = ++counter;
    return send(pool, {
      method: "POST",
      path: `/v1/members/${encodeURIComponent(memberId)}/accruals`,
      headers: { ...auth, "idempotency-key": `${runId}-campaigns-${n}` },
      body: { orderId: `${runId}-campaign-order-${n}`, amount: { amount: 1999, currency: "EUR" } },
      expect: 201,
    });
  };
  const rows: [string, Measurement][] = [];
  let active = 0;
  const ids: string[] = [];
  for (const total of [10, 50]) {
    ids.push(...(await addCampaigns(pool, admin, active, total)));
    active = total;
    rows.push([`accrual, ${memberCount} members, ${total} active campaigns`, await run((_, n) => accrue(spread(n)))]);
  }
  const preview = (memberId: string) =>
    send(pool, { method: "POST", path: "/v1/earning/preview", headers: auth, body: { amount: { amount: 1999, currency: "EUR" }, memberId }, expect: 200 });
  rows.push([`earn preview, ${memberCount} members, ${active} active campaigns`, await run((_, n) => preview(spread(n)))]);
  for (const id of ids) await send(pool, { method: "POST", path: `/v1/campaigns/${id}/end`, headers: { authorization: `Bearer ${admin}` }, expect: 200 });
  return rows;
}
