// Which campaign rules are in force at an instant, from the versions' intervals; and what grants a member's object reads.
import { describe, expect, it } from "vitest";
import { rulesInForce, scheduledRules, type ScheduledRule } from "../../src/campaigns/active";
import { grantsSince } from "../../src/campaigns/member-rules";
import { RuleSchema } from "../../src/campaigns/rules";

const rule = (id: string, fields: Record<string, unknown> = {}) => RuleSchema.parse({ id, trigger: { type: "order" }, effect: { type: "fixed", points: 1 }, ...fields });

function scheduled(inForce: ScheduledRule["inForce"], fields: Partial<ScheduledRule> = {}): ScheduledRule {
  return { campaignId: "cmp_a", version: 1, startsAt: "2026-01-01T00:00:00Z", endsAt: null, budget: null, rule: rule("r"), inForce, ...fields };
}

const at = (iso: string) => new Date(iso);

describe("rulesInForce", () => {
  it.each([
    ["inside an open interval", [{ from: "2026-03-01T00:00:00Z", to: null }], "2026-03-05T00:00:00Z", true],
    ["at an interval's start", [{ from: "2026-03-01T00:00:00Z", to: null }], "2026-03-01T00:00:00Z", true],
    ["before the interval", [{ from: "2026-03-01T00:00:00Z", to: null }], "2026-02-28T23:59:59Z", false],
    ["at a closed interval's end (a pause)", [{ from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" }], "2026-03-02T00:00:00Z", false],
    [
      "in the second of two intervals (paused, then activated again)",
      [
        { from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" },
        { from: "2026-03-04T00:00:00Z", to: null },
      ],
      "2026-03-05T00:00:00Z",
      true,
    ],
    [
      "between two intervals",
      [
        { from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" },
        { from: "2026-03-04T00:00:00Z", to: null },
      ],
      "2026-03-03T00:00:00Z",
      false,
    ],
    ["never in force (a draft)", [], "2026-03-03T00:00:00Z", false],
  ])("%s", (_, inForce, instant, expected) => {
    expect(rulesInForce([scheduled(inForce)], at(instant), "order").length).toBe(expected ? 1 : 0);
  });

  it("also needs the definition's own window", () => {
    const open = [{ from: "2026-01-01T00:00:00Z", to: null }];
    const windowed = scheduled(open, { startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" });
    expect(rulesInForce([windowed], at("2026-05-31T23:59:59Z"), "order")).toEqual([]);
    expect(rulesInForce([windowed], at("2026-06-15T00:00:00Z"), "order")).toHaveLength(1);
    expect(rulesInForce([windowed], at("2026-07-01T00:00:00Z"), "order")).toEqual([]);
  });

  it("carries a rule from its early-access opening, the earliest of the plans' days and the campaign's windows", () => {
    const row = (earlyAccess?: object[]) => ({
      campaignId: "cmp_a",
      version: 1,
      definition: JSON.stringify({ name: "Soon", startsAt: "2026-06-10T00:00:00Z", ...(earlyAccess ? { earlyAccess } : {}), rules: [{ id: "r", trigger: { type: "order" }, effect: { type: "fixed", points: 1 } }] }),
      startsAt: "2026-05-01T00:00:00Z",
      endsAt: null,
    });
    const [byDays] = scheduledRules([row()], 3);
    expect(byDays!.opensFrom).toBe("2026-06-07T00:00:00.000Z");
    expect(rulesInForce([byDays!], at("2026-06-06T23:59:59Z"), "order")).toEqual([]);
    const [found] = rulesInForce([byDays!], at("2026-06-07T00:00:00Z"), "order");
    expect(found).not.toHaveProperty("opensFrom");
    const [byWindow] = scheduledRules([row([{ tier: "gold", opensAt: "2026-06-01T00:00:00Z" }])], 3);
    expect(byWindow!.opensFrom).toBe("2026-06-01T00:00:00.000Z");
    expect(byWindow!.earlyAccess).toEqual([{ tier: "gold", opensAt: "2026-06-01T00:00:00Z" }]);
  });

  it("picks the version in force at the instant, and only rules of the trigger", () => {
    const v1 = scheduled([{ from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z" }]);
    const v2 = scheduled([{ from: "2026-03-10T00:00:00Z", to: null }], { version: 2 });
    const activity = scheduled([{ from: "2026-03-01T00:00:00Z", to: null }], { rule: rule("a", { trigger: { type: "activity", activityType: "review" } }) });
    expect(rulesInForce([v1, v2, activity], at("2026-03-09T23:59:59Z"), "order").map((r) => r.version)).toEqual([1]);
    expect(rulesInForce([v1, v2, activity], at("2026-03-10T00:00:00Z"), "order").map((r) => r.version)).toEqual([2]);
    expect(rulesInForce([v1, v2, activity], at("2026-03-10T00:00:00Z"), "activity").map((r) => r.rule.id)).toEqual(["a"]);
    expect(rulesInForce([v1], at("2026-03-05T00:00:00Z"), "order")[0]).not.toHaveProperty("inForce");
  });
});

describe("scheduledRules", () => {
  it("groups a version's intervals and gives each of its rules", () => {
    const definition = JSON.stringify({ name: "c", startsAt: "2026-01-01T00:00:00Z", rules: [rule("x"), rule("y")] });
    const rows = [
      { campaignId: "cmp_a", version: 1, definition, startsAt: "2026-03-01T00:00:00Z", endsAt: "2026-03-02T00:00:00Z" },
      { campaignId: "cmp_a", version: 1, definition, startsAt: "2026-03-04T00:00:00Z", endsAt: null },
    ];
    const rules = scheduledRules(rows);
    expect(rules.map((r) => r.rule.id)).toEqual(["x", "y"]);
    expect(rules[0]!.inForce).toEqual([
      { from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" },
      { from: "2026-03-04T00:00:00Z", to: null },
    ]);
  });
});

describe("scheduledRules with a stored version the schema no longer reads", () => {
  it("leaves that version out rather than failing every accrual", () => {
    const good = JSON.stringify({ name: "c", startsAt: "2026-01-01T00:00:00Z", rules: [rule("x")] });
    const rows = [
      { campaignId: "cmp_a", version: 1, definition: JSON.stringify({ name: "old", rules: "not rules" }), startsAt: "2026-03-01T00:00:00Z", endsAt: null },
      { campaignId: "cmp_b", version: 1, definition: good, startsAt: "2026-03-01T00:00:00Z", endsAt: null },
    ];
    expect(scheduledRules(rows).map((r) => r.campaignId)).toEqual(["cmp_b"]);
  });
});

describe("grantsSince", () => {
  const active = (fields: Record<string, unknown>) => ({ campaignId: "cmp_a", version: 1, startsAt: "2026-01-01T00:00:00Z", endsAt: null, budget: null, rule: rule("r", fields) });
  const order = at("2026-03-10T12:00:00Z");

  it("asks for nothing when no rule has limits or a cooldown", () => {
    expect(grantsSince([active({})], order, "UTC")).toEqual([]);
  });

  it("reads back as far as the longest limit counts, or all of a campaign-long one", () => {
    // 2026-03-10 is a Tuesday: its calendar week starts on Monday the 9th, in the program's zone.
    expect(grantsSince([active({ limits: [{ period: "day", count: 1 }, { period: "week", count: 2 }] })], order, "UTC")).toEqual([
      { campaignId: "cmp_a", ruleId: "r", since: "2026-03-09T00:00:00.000Z" },
    ]);
    expect(grantsSince([active({ limits: [{ period: "day", count: 1 }] })], order, "Europe/Berlin")[0]!.since).toBe("2026-03-09T23:00:00.000Z");
    expect(grantsSince([active({ cooldownSeconds: 3600 })], order, "UTC")[0]!.since).toBe("2026-03-10T11:00:00.001Z");
    expect(grantsSince([active({ limits: [{ period: "campaign", count: 1 }] })], order, "UTC")[0]!.since).toBeNull();
  });
});
