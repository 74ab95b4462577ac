// The rule set as the member's object keeps it: the Worker sends only its version, and an edit, pause or end
// reaches the very next accrual; the pre-filter before limits and budgets drops only rules that cannot match.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activeRuleSet, ruleSetAtLeast } from "../../src/campaigns/active";
import { evaluateEarning } from "../../src/campaigns/evaluate";
import { ORDER_FACTS_ONLY, rulesThatMayMatch } from "../../src/campaigns/match";
import { ProgramSettingsSchema } from "../../src/ledger/settings";
import { memberObjectName, type MemberLedger } from "../../src/members/member-ledger";
import { accrue, call, createProgram, enroll, expectLedgerConsistent } from "../helpers";
import { grant, input, item, order, rule, type RuleInput } from "./build";

const SEGMENT = "seg_01J0000000000000000000000A";
const fixed = (points: number) => [{ id: "r0", trigger: { type: "order" }, effect: { type: "fixed", points } }];

async function programWithCampaign(points: number) {
  const p = await createProgram();
  const created = await call("/v1/campaigns", { key: p.admin, body: { name: "Fixed", startsAt: "2026-01-01T00:00:00Z", rules: fixed(points) } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return { ...p, campaignId: created.json.id as string };
}

/** The campaign line of an accrual's answer: [version, points], or null without one. */
function campaignLine(json: { breakdown: { rule: string; version?: number; points: number }[] }): [number, number] | null {
  const line = json.breakdown.find((l) => l.rule === "campaign");
  return line ? [line.version!, line.points] : null;
}

async function settingsOf(programId: string) {
  const row = await env.DB.prepare("SELECT settings FROM programs WHERE id = ?").bind(programId).first<{ settings: string }>();
  return ProgramSettingsSchema.parse(JSON.parse(row!.settings));
}

describe("a campaign change and the next accrual", () => {
  it("values the very next accrual by the edited version, then none once paused, then again once active, none once ended", async () => {
    const p = await programWithCampaign(5);
    await enroll(p.server, "ada");
    // The member's object now holds the set with version 1.
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toEqual([1, 5]);
    const edited = await call(`/v1/campaigns/${p.campaignId}`, { key: p.admin, method: "PATCH", body: { rules: fixed(9) } });
    expect(edited.status).toBe(200);
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toEqual([2, 9]);
    expect((await call(`/v1/campaigns/${p.campaignId}/pause`, { key: p.admin, method: "POST" })).status).toBe(200);
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toBeNull();
    expect((await call(`/v1/campaigns/${p.campaignId}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toEqual([2, 9]);
    expect((await call(`/v1/campaigns/${p.campaignId}/end`, { key: p.admin, method: "POST" })).status).toBe(200);
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toBeNull();
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("values a bulk item right after an edit by the edited version", async () => {
    const p = await programWithCampaign(5);
    await enroll(p.server, "ada");
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toEqual([1, 5]);
    expect((await call(`/v1/campaigns/${p.campaignId}`, { key: p.admin, method: "PATCH", body: { rules: fixed(9) } })).status).toBe(200);
    const batch = await call("/v1/transactions/batch", {
      key: p.server,
      body: { items: [{ type: "accrual", memberId: "ada", orderId: "bulk-1", amount: { amount: 1_000, currency: "EUR" } }] },
      idempotencyKey: null,
    });
    expect(batch.status, JSON.stringify(batch.json)).toBe(200);
    const earned = await env.DB.prepare("SELECT points FROM entries WHERE program_id = ? AND member_id = ? AND order_id = 'bulk-1' AND type = 'earn'")
      .bind(p.programId, "ada")
      .first<{ points: number }>();
    expect(earned!.points).toBe(10 + 9);
  });

  it("never values by rules older than the version a call names, nor older than the object has read", async () => {
    const p = await programWithCampaign(5);
    await enroll(p.server, "ada");
    const settings = await settingsOf(p.programId);
    const before = (await activeRuleSet(env, p.programId, settings)).version;
    expect(campaignLine((await accrue(p.server, "ada", 1_000)).json)).toEqual([1, 5]);
    expect((await call(`/v1/campaigns/${p.campaignId}`, { key: p.admin, method: "PATCH", body: { rules: fixed(9) } })).status).toBe(200);
    const after = (await activeRuleSet(env, p.programId, settings)).version;
    expect(after).not.toBe(before);
    const object = env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "ada")) as unknown as MemberLedger;
    const order = (orderId: string) => ({ orderId, amount: { amount: 1_000, currency: "EUR" }, channel: "online", occurredAt: new Date().toISOString() });
    const base = { programId: p.programId, memberId: "ada", settings, partnerId: null, idempotency: null };
    // The Worker's new version: the object's copy (version 1) differs, so it reads the set first.
    const current = await object.accrue({ ...base, rulesVersion: after }, order("direct-1"));
    expect(current.ok && campaignLine(current.value)).toEqual([2, 9]);
    // A Worker whose cache predates the edit (another isolate's, not yet expired): the newer set still values.
    const stale = await object.accrue({ ...base, rulesVersion: before }, order("direct-2"));
    expect(stale.ok && campaignLine(stale.value)).toEqual([2, 9]);
  });

  it("reads the set again for a version it does not hold, and not for one it has seen superseded", async () => {
    const p = await programWithCampaign(5);
    const settings = await settingsOf(p.programId);
    const now = new Date();
    const first = await ruleSetAtLeast(env.DB, p.programId, settings, "unknown", now);
    expect(first.rules.map((r) => r.version)).toEqual([1]);
    expect((await call(`/v1/campaigns/${p.campaignId}`, { key: p.admin, method: "PATCH", body: { rules: fixed(9) } })).status).toBe(200);
    // Its own version: kept, although D1 moved on (nothing newer was named).
    expect(await ruleSetAtLeast(env.DB, p.programId, settings, first.version, now)).toBe(first);
    const latest = (await activeRuleSet(env, p.programId, settings)).version;
    const second = await ruleSetAtLeast(env.DB, p.programId, settings, latest, now);
    expect(second.version).toBe(latest);
    expect(second.rules.find((r) => r.inForce.some((i) => i.to === null))?.version).toBe(2);
    // The old version is superseded now: a call naming it gets the newer set, without a read.
    expect(await ruleSetAtLeast(env.DB, p.programId, settings, first.version, now)).toBe(second);
  });
});

describe("rulesThatMayMatch", () => {
  const conditionPool: RuleInput["conditions"][] = [
    {},
    { channels: ["store"] },
    { channels: ["online", "app"] },
    { amountAtLeast: 5_000 },
    { amountAtMost: 2_000 },
    { stores: ["berlin-1"] },
    { partners: ["p_cafe"] },
    { firstOrder: true },
    { firstOrder: false },
    { tiers: ["gold"] },
    { tiers: [null] },
    { attributes: { vip: true } },
    { items: { categories: ["coffee"] } },
    { daysOfWeek: [2] },
    { daysOfWeek: [6, 7] },
    { hours: { from: 8, to: 11 } },
    { windows: [{ from: "2026-03-01T00:00:00Z", to: "2026-03-11T00:00:00Z" }] },
    { segments: [SEGMENT] },
  ];
  const limited: Partial<RuleInput> = { limits: [{ period: "day", count: 1 }] };

  it("leaves out only rules the evaluator gives nothing: the earning is the same with and without them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(conditionPool.length - 1), fc.integer({ min: 1, max: 50 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
        fc.record({
          amount: fc.integer({ min: 0, max: 10_000 }),
          channel: fc.constantFrom("online" as const, "store" as const, "app" as const),
          storeId: fc.constantFrom(null, "berlin-1"),
          partnerId: fc.constantFrom(null, "p_cafe"),
          firstOrder: fc.boolean(),
          coffee: fc.boolean(),
        }),
        fc.record({ tier: fc.constantFrom(null, "gold"), vip: fc.boolean(), inSegment: fc.boolean(), hour: fc.integer({ min: 0, max: 23 }), day: fc.integer({ min: 8, max: 14 }) }),
        (specs, o, m) => {
          const rules = specs.map(([c, points, withLimit], index) =>
            rule({ id: `r${index}`, conditions: conditionPool[c], effect: { type: "fixed", points }, ...(withLimit ? limited : {}) }, { campaignId: `cmp_${index}` }),
          );
          const at = `2026-03-${String(m.day).padStart(2, "0")}T${String(m.hour).padStart(2, "0")}:30:00.000Z`;
          const fields = { amount: o.amount, channel: o.channel, storeId: o.storeId, partnerId: o.partnerId, items: o.coffee ? [item("latte", 350, 1, "coffee")] : [] };
          const trigger = order({ ...fields, firstOrder: o.firstOrder });
          const full = input({ trigger, at, tier: m.tier, attributes: { vip: m.vip }, rules, settings: { tiers: [{ name: "gold", threshold: 0, multiplierPercent: 100 }] } });
          full.member.segmentIds = m.inSegment ? [SEGMENT] : [];
          full.grants = [grant(at, 1, "r0", "cmp_0")];
          const kept = rulesThatMayMatch(rules, { trigger: order({ ...fields, firstOrder: false }), occurredAt: full.occurredAt, member: { tier: m.tier, attributes: { vip: m.vip } } }, "UTC", ORDER_FACTS_ONLY);
          expect(evaluateEarning({ ...full, rules: kept })).toEqual(evaluateEarning(full));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("drops a rule on another channel and keeps one that asks for facts not read yet", () => {
    const store = rule({ id: "store", conditions: { channels: ["store"] }, effect: { type: "fixed", points: 1 } });
    const first = rule({ id: "first", conditions: { firstOrder: true }, effect: { type: "fixed", points: 1 } });
    const segment = rule({ id: "segment", conditions: { segments: [SEGMENT] }, effect: { type: "fixed", points: 1 } });
    const kept = rulesThatMayMatch([store, first, segment], { trigger: order(), occurredAt: new Date(), member: { tier: null, attributes: {} } }, "UTC", ORDER_FACTS_ONLY);
    expect(kept.map((r) => r.rule.id)).toEqual(["first", "segment"]);
  });
});
