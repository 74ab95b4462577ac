// Campaign scenarios: the accrual with 10 and 50 active campaigns (beside the plain accrual row, 0), and the earn preview.
import { randomUUID } from "node:crypto";
import type { Pool } from "undici";
import type { Measurement } from "./load";
import { median, send } from "./load";
import { createProgram, storefront } from "./api";

/** Pairs of phases in the interleaved comparison (BENCH_CAMPAIGN_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_CAMPAIGN_ROUNDS ?? 4);

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
  rows.push(...(await interleaved(options)));
  return rows;
}

/**
 * The issue's ratio, read so that drift on the machine falls on both sides: two fresh programs alike but
 * for the 50 campaigns of one, their accrual phases alternating ROUNDS times (none, 50, none, 50, ...).
 * Prints the median of the rounds' ratios, by rate and by server CPU per accrual.
 */
async function interleaved(options: CampaignBenchOptions): Promise<[string, Measurement][]> {
  const { pool, run, memberCount } = options;
  const sides = [];
  for (const campaigns of [0, 50]) {
    const { programId, key } = await createProgram(pool, options.adminToken);
    if (campaigns > 0) await addCampaigns(pool, await adminKey(pool, options.adminToken, programId), 0, campaigns);
    const shop = storefront(pool, key);
    for (let i = 0; i < memberCount; i++) await shop.enroll(`member-${i}`);
    sides.push({ campaigns, shop, phases: [] as Measurement[] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of sides) side.phases.push(await run((_, n) => side.shop.accrue(`member-${n % memberCount}`, 1999)));
  }
  const [none, fifty] = sides as [(typeof sides)[number], (typeof sides)[number]];
  const byRate = fifty.phases.map((m, i) => m.perSecond / none.phases[i]!.perSecond);
  const byCpu = fifty.phases.map((m, i) => (none.phases[i]!.serverCpuMsPerOp ?? NaN) / (m.serverCpuMsPerOp ?? NaN));
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    `bench: 50 active campaigns against none, ${ROUNDS} interleaved rounds: median ${round3(median(byRate))} x by rate (rounds ${byRate.map(round3).join(", ")}), ${round3(median(byCpu))} x by CPU per accrual (rounds ${byCpu.map(round3).join(", ")})`,
  );
  const pooled = (phases: Measurement[]): Measurement => {
    const operations = phases.reduce((sum, m) => sum + m.operations, 0);
    const cpu = phases.every((m) => m.serverCpuMsPerOp !== null) ? phases.reduce((sum, m) => sum + m.serverCpuMsPerOp! * m.operations, 0) / operations : null;
    return {
      operations,
      perSecond: Math.round(median(phases.map((m) => m.perSecond)) * 10) / 10,
      p50Ms: Math.round(median(phases.map((m) => m.p50Ms ?? NaN)) * 100) / 100,
      p99Ms: Math.max(...phases.map((m) => m.p99Ms ?? NaN)),
      errors: phases.reduce((sum, m) => sum + m.errors, 0),
      firstError: phases.find((m) => m.firstError)?.firstError ?? null,
      serverCpuMsPerOp: cpu === null ? null : Math.round(cpu * 100) / 100,
    };
  };
  return sides.map((side) => [`accrual, ${memberCount} members, ${side.campaigns} active campaigns, interleaved (median of ${ROUNDS})`, pooled(side.phases)]);
}
