// validateCampaign: the checks beyond the schema, each a field error with the path of the field at fault.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { CampaignDefinitionSchema } from "../../src/campaigns/rules";
import { validateCampaign } from "../../src/campaigns/validate";
import { defaultSettings } from "../../src/ledger/settings";
import type { RuleInput } from "./build";

type DefinitionInput = z.input<typeof CampaignDefinitionSchema>;
const settings = defaultSettings({ tiers: [{ name: "silver", threshold: 0 }, { name: "gold", threshold: 1_000 }] });
const PRIME = "mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W2";
const UNKNOWN_PLAN = "mpl_01JDZ8K3M4N5P6Q7R8S9T0V1W3";
const facts = { planIds: new Set([PRIME]) };
const BASE: DefinitionInput = { name: "Spring", startsAt: "2026-03-01T00:00:00Z", endsAt: "2026-04-01T00:00:00Z", rules: [] };

function check(fields: Partial<RuleInput> | Partial<RuleInput>[], campaign: Partial<DefinitionInput> = {}, programSettings = settings) {
  const rules = (Array.isArray(fields) ? fields : [fields]).map((rule, index) => ({ id: `r${index}`, trigger: { type: "order" as const }, effect: { type: "fixed" as const, points: 10 }, ...rule }));
  return validateCampaign(CampaignDefinitionSchema.parse({ ...BASE, ...campaign, rules }), programSettings, facts);
}
const paths = (errors: { path: string }[]) => errors.map((e) => e.path);
const review = { type: "activity", activityType: "review" } as const;

describe("validateCampaign", () => {
  it("finds nothing wrong with a sound campaign", () => {
    expect(
      check([
        {
          conditions: {
            amountAtLeast: 1_000,
            amountAtMost: 1_000,
            channels: ["online", "app"],
            items: { categories: ["coffee"], excludeSkus: ["decaf"] },
            tiers: ["gold", null],
            windows: [{ from: "2026-03-07T00:00:00+01:00", to: "2026-03-09T00:00:00+01:00" }],
            daysOfWeek: [6, 7],
            hours: { from: 0, to: 24 },
            plans: [PRIME],
          },
          effect: { type: "multiply", percent: 200, scope: "items" },
          limits: [{ period: "day", count: 1 }, { period: "campaign", points: 10 }],
        },
        { trigger: review, conditions: { tiers: ["silver"] }, effect: { type: "fixed", points: 25 }, cooldownSeconds: 60 },
        { trigger: { type: "birthday" } },
      ], { earlyAccess: [{ planId: PRIME, opensAt: "2026-02-27T00:00:00Z" }, { tier: "gold", opensAt: "2026-02-28T00:00:00Z" }] }),
    ).toEqual([]);
  });

  it.each([
    { what: "a campaign that ends when it starts", rules: {}, campaign: { endsAt: "2026-03-01T00:00:00Z" }, paths: ["endsAt"] },
    { what: "a campaign that ends before it starts", rules: {}, campaign: { endsAt: "2026-02-01T00:00:00Z" }, paths: ["endsAt"] },
    { what: "duplicate rule ids", rules: [{ id: "a" }, { id: "b" }, { id: "a" }], paths: ["rules[2].id"] },
    { what: "amount at least above at most", rules: { conditions: { amountAtLeast: 2_000, amountAtMost: 1_999 } }, paths: ["rules[0].conditions.amountAtMost"] },
    { what: "hours that hold no hour", rules: { conditions: { hours: { from: 18, to: 18 } } }, paths: ["rules[0].conditions.hours.to"] },
    { what: "hours that run backwards", rules: { conditions: { hours: { from: 22, to: 2 } } }, paths: ["rules[0].conditions.hours.to"] },
    { what: "a day of the week twice", rules: { conditions: { daysOfWeek: [6, 7, 6] } }, paths: ["rules[0].conditions.daysOfWeek[2]"] },
    { what: "a channel twice", rules: { conditions: { channels: ["app", "app"] } }, paths: ["rules[0].conditions.channels[1]"] },
    { what: "a tier the program lacks", rules: { conditions: { tiers: [null, "platinum"] } }, paths: ["rules[0].conditions.tiers[1]"] },
    { what: "a tier on a program without tiers", rules: { conditions: { tiers: ["gold"] } }, settings: defaultSettings(), paths: ["rules[0].conditions.tiers[0]"] },
    { what: "a SKU both included and excluded", rules: { conditions: { items: { skus: ["a", "b"], excludeSkus: ["c", "b"] } } }, paths: ["rules[0].conditions.items.excludeSkus[1]"] },
    { what: "a category both included and excluded", rules: { conditions: { items: { categories: ["coffee"], excludeCategories: ["coffee"] } } }, paths: ["rules[0].conditions.items.excludeCategories[0]"] },
    { what: "a window that ends when it starts", rules: { conditions: { windows: [{ from: "2026-03-02T00:00:00Z", to: "2026-03-03T00:00:00Z" }, { from: "2026-03-05T00:00:00Z", to: "2026-03-05T01:00:00+01:00" }] } }, paths: ["rules[0].conditions.windows[1].to"] },
    { what: "a window that ends before it starts", rules: { conditions: { windows: [{ from: "2026-03-05T00:00:00Z", to: "2026-03-04T00:00:00Z" }] } }, paths: ["rules[0].conditions.windows[0].to"] },
    { what: "a window before the campaign", rules: { conditions: { windows: [{ from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }] } }, paths: ["rules[0].conditions.windows[0]"] },
    { what: "a window after the campaign", rules: { conditions: { windows: [{ from: "2026-04-01T00:00:00Z", to: "2026-04-02T00:00:00Z" }] } }, paths: ["rules[0].conditions.windows[0]"] },
    { what: "a window after an open-ended campaign's start is fine", rules: { conditions: { windows: [{ from: "2027-04-01T00:00:00Z", to: "2027-04-02T00:00:00Z" }] } }, campaign: { endsAt: null }, paths: [] },
    { what: "a window that partly overlaps the campaign is fine", rules: { conditions: { windows: [{ from: "2026-02-20T00:00:00Z", to: "2026-03-01T00:00:01Z" }] } }, paths: [] },
    // 2026-03-07 is a Saturday: a weekend window with a Monday rule never matches.
    { what: "a window without any of the rule's days", rules: { conditions: { daysOfWeek: [1], windows: [{ from: "2026-03-07T00:00:00Z", to: "2026-03-09T00:00:00Z" }] } }, paths: ["rules[0].conditions.windows[0]"] },
    { what: "a window that reaches one of the rule's days in the program's zone", rules: { conditions: { daysOfWeek: [1], windows: [{ from: "2026-03-07T00:00:00Z", to: "2026-03-08T23:30:00Z" }] } }, settings: defaultSettings({ timeZone: "Europe/Berlin" }), paths: [] },
    { what: "a window without any of the rule's hours", rules: { conditions: { hours: { from: 18, to: 20 }, windows: [{ from: "2026-03-07T08:00:00Z", to: "2026-03-07T18:00:00Z" }] } }, paths: ["rules[0].conditions.windows[0]"] },
    { what: "a window whose last minutes reach the rule's hours", rules: { conditions: { hours: { from: 18, to: 20 }, windows: [{ from: "2026-03-07T08:00:00Z", to: "2026-03-07T18:00:01Z" }] } }, paths: [] },
    { what: "an activity rule that multiplies", rules: { trigger: review, effect: { type: "multiply", percent: 200 } }, paths: ["rules[0].effect.type"] },
    { what: "an enrollment rule with cashback", rules: { trigger: { type: "enrollment" }, effect: { type: "cashback", basisPoints: 100 } }, paths: ["rules[0].effect.type"] },
    { what: "a birthday rule with points per amount", rules: { trigger: { type: "birthday" }, effect: { type: "per_amount", points: 1, perAmount: 100 } }, paths: ["rules[0].effect.type"] },
    { what: "an activity rule with fixed points per item", rules: { trigger: review, effect: { type: "fixed", points: 5, per: "unit" } }, paths: ["rules[0].effect.per"] },
    {
      what: "an activity rule with order-only conditions",
      rules: { trigger: review, conditions: { amountAtLeast: 1, amountAtMost: 5, channels: ["app"], stores: ["s"], items: {}, firstOrder: true, partners: ["p"] } },
      paths: ["amountAtLeast", "amountAtMost", "channels", "stores", "items", "firstOrder", "partners"].map((name) => `rules[0].conditions.${name}`),
    },
    { what: "a points limit below one fixed grant", rules: { effect: { type: "fixed", points: 50 }, limits: [{ period: "day", points: 100 }, { period: "week", points: 49 }] }, paths: ["rules[0].limits[1].points"] },
    { what: "a rolling campaign-lifetime limit", rules: { limits: [{ period: "campaign", window: "rolling", count: 1 }] }, paths: ["rules[0].limits[0].window"] },
    { what: "a plan the program lacks", rules: { conditions: { plans: [PRIME, UNKNOWN_PLAN] } }, paths: ["rules[0].conditions.plans[1]"] },
    { what: "a plan twice", rules: { conditions: { plans: [PRIME, PRIME] } }, paths: ["rules[0].conditions.plans[1]"] },
    { what: "an activity rule for a plan is fine", rules: { trigger: review, conditions: { plans: [PRIME] } }, paths: [] },
    { what: "early access for an unknown plan", rules: {}, campaign: { earlyAccess: [{ planId: UNKNOWN_PLAN, opensAt: "2026-02-27T00:00:00Z" }] }, paths: ["earlyAccess[0].planId"] },
    { what: "early access for a tier the program lacks", rules: {}, campaign: { earlyAccess: [{ tier: "platinum", opensAt: "2026-02-27T00:00:00Z" }] }, paths: ["earlyAccess[0].tier"] },
    { what: "early access naming both or neither", rules: {}, campaign: { earlyAccess: [{ planId: PRIME, tier: "gold", opensAt: "2026-02-27T00:00:00Z" }, { opensAt: "2026-02-27T00:00:00Z" }] }, paths: ["earlyAccess[0]", "earlyAccess[1]"] },
    { what: "early access that opens at or after startsAt", rules: {}, campaign: { earlyAccess: [{ planId: PRIME, opensAt: "2026-03-01T00:00:00Z" }] }, paths: ["earlyAccess[0].opensAt"] },
    { what: "faults in several rules", rules: [{}, { conditions: { hours: { from: 5, to: 4 } } }, { trigger: { type: "birthday" }, effect: { type: "multiply", percent: 150 } }], paths: ["rules[1].conditions.hours.to", "rules[2].effect.type"] },
  ] as const)("reports $what", ({ rules, paths: expected, ...rest }) => {
    const campaign = "campaign" in rest ? rest.campaign : {};
    const programSettings = "settings" in rest ? rest.settings : settings;
    const errors = check(rules as Partial<RuleInput> | Partial<RuleInput>[], campaign as Partial<DefinitionInput>, programSettings);
    expect(paths(errors)).toEqual(expected);
    for (const error of errors) expect(error.message.length).toBeGreaterThan(0);
  });
});
