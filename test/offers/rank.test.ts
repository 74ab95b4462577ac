// The offers' campaigns and ranking as pure functions: which rules in force hold for a member now, and the order shown.
import { describe, expect, it } from "vitest";
import { RuleSchema, type ActiveRule } from "../../src/campaigns/rules";
import { campaignOffers, type OfferMember } from "../../src/offers/campaigns";
import { rankOffers, type RewardOffer } from "../../src/offers/rank";

// A Wednesday, noon UTC.
const NOW = new Date("2026-12-02T12:00:00.000Z");
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

function rule(campaignId: string, body: Record<string, unknown>, endsAt: string | null = null): ActiveRule {
  return { campaignId, version: 1, startsAt: "2026-01-01T00:00:00Z", endsAt, budget: null, rule: RuleSchema.parse({ id: "r", trigger: { type: "order" }, effect: { type: "multiply", percent: 200 }, ...body }) };
}

const member: OfferMember = { tier: "Gold", attributes: { city: "Bremen" }, segmentIds: ["seg_AAAAAAAAAAAAAAAAAAAAAAAAAA"], plans: { planIds: ["mpl_PPPPPPPPPPPPPPPPPPPPPPPPPP"], earlyAccessDays: 0 }, favouriteCategories: ["coffee"], orderCount: 3, grants: [] };
const ctx = { now: NOW, timeZone: "UTC", currency: "EUR", campaignNames: new Map([["coffee/1", "Coffee week"]]), segmentNames: new Map([["seg_AAAAAAAAAAAAAAAAAAAAAAAAAA", "Regulars"]]) };

const table: [string, ActiveRule, boolean][] = [
  ["no conditions", rule("any", {}), true],
  ["the member's tier", rule("gold", { conditions: { tiers: ["Gold"] } }), true],
  ["another tier", rule("silver", { conditions: { tiers: ["Silver"] } }), false],
  ["a segment of the member's (as kept)", rule("seg", { conditions: { segments: ["seg_AAAAAAAAAAAAAAAAAAAAAAAAAA"] } }), true],
  ["a segment the member is not in", rule("seg-b", { conditions: { segments: ["seg_BBBBBBBBBBBBBBBBBBBBBBBBBB"] } }), false],
  ["a plan the member holds", rule("plan", { conditions: { plans: ["mpl_PPPPPPPPPPPPPPPPPPPPPPPPPP"] } }), true],
  ["a plan the member does not hold", rule("plan-x", { conditions: { plans: ["mpl_OOOOOOOOOOOOOOOOOOOOOOOOOO"] } }), false],
  ["equal attributes", rule("attr", { conditions: { attributes: { city: "Bremen" } } }), true],
  ["other attributes", rule("attr-x", { conditions: { attributes: { city: "Kiel" } } }), false],
  ["first order only, member has ordered", rule("first", { conditions: { firstOrder: true } }), false],
  ["a window holding now", rule("win", { conditions: { windows: [{ from: days(-1), to: days(2) }] } }), true],
  ["a window later", rule("win-later", { conditions: { windows: [{ from: days(3), to: days(5) }] } }), false],
  ["weekends only, on a Wednesday", rule("weekend", { conditions: { daysOfWeek: [6, 7] } }), false],
  ["hours holding now", rule("noon", { conditions: { hours: { from: 11, to: 14 } } }), true],
  ["in store only: undecidable now, shown with the condition", rule("store", { conditions: { channels: ["store"] } }), true],
  ["a campaign-long limit the member used", rule("once", { limits: [{ period: "campaign", count: 1 }] }), false],
  ["an enrollment rule", rule("signup", { trigger: { type: "enrollment" }, effect: { type: "fixed", points: 50 } }), false],
  ["an activity rule with an order condition", rule("act", { trigger: { type: "activity", activityType: "review" }, effect: { type: "fixed", points: 50 }, conditions: { channels: ["store"] } }), false],
];

describe("campaignOffers", () => {
  const grants = [{ campaignId: "once", ruleId: "r", points: 10, at: days(-3) }];
  it.each(table)("%s", (_name, active, shown) => {
    const offers = campaignOffers([active], { ...member, grants }, ctx);
    expect(offers.length).toBe(shown ? 1 : 0);
  });

  it("leaves out a rule with a condition it does not know (better no offer than a false one)", () => {
    const active = rule("later", {});
    const unknown = { ...active, rule: { ...active.rule, conditions: { ...active.rule.conditions, notYetKnown: ["x"] } } } as ActiveRule;
    expect(campaignOffers([unknown], member, ctx)).toEqual([]);
  });

  it("shows a campaign not started yet to the members its early access opens it for, and says so", () => {
    const later = { ...rule("later", {}), startsAt: days(2) };
    expect(campaignOffers([later], member, ctx)).toEqual([]);
    const [byPlan] = campaignOffers([later], { ...member, plans: { planIds: ["mpl_PPPPPPPPPPPPPPPPPPPPPPPPPP"], earlyAccessDays: 3 } }, ctx);
    expect(byPlan?.reasons.map((r) => r.code)).toContain("early_access");
    const byTier = { ...later, earlyAccess: [{ tier: "Gold", opensAt: days(-1) }] } as ActiveRule;
    expect(campaignOffers([byTier], member, ctx)).toHaveLength(1);
    expect(campaignOffers([byTier], { ...member, tier: "Silver" }, ctx)).toEqual([]);
  });

  it("summarizes the effect and says why it is shown", () => {
    const [coffee] = campaignOffers([rule("coffee", { conditions: { items: { categories: ["coffee"] }, segments: ["seg_AAAAAAAAAAAAAAAAAAAAAAAAAA"] }, effect: { type: "multiply", percent: 200, scope: "items" } }, days(2))], member, ctx);
    expect(coffee).toMatchObject({ kind: "campaign", campaignId: "coffee", ruleId: "r", name: "Coffee week", effect: "double points on coffee", endsAt: days(2) });
    expect(coffee!.reasons).toEqual([
      { code: "favourite_category", category: "coffee", detail: "Matches your favourite category coffee." },
      { code: "segment", segmentId: "seg_AAAAAAAAAAAAAAAAAAAAAAAAAA", detail: 'For members of the segment "Regulars".' },
      { code: "ends_soon", detail: "Ends in 2 days." },
    ]);
    const [store] = campaignOffers([rule("store", { conditions: { channels: ["store"], amountAtLeast: 2_000 }, effect: { type: "cashback", basisPoints: 250 } })], member, ctx);
    expect(store!.effect).toBe("2.5% back in points");
    expect(store!.reasons.map((r) => r.detail)).toEqual(["Only for orders in store.", "On orders of 20.00 EUR or more."]);
    const [review] = campaignOffers([rule("review", { trigger: { type: "activity", activityType: "review" }, effect: { type: "fixed", points: 50 } })], member, ctx);
    expect(review!.effect).toBe("50 points for a review");
  });
});

describe("rankOffers", () => {
  const reward = (rewardId: string, claimable: boolean, pointsNeeded: number): RewardOffer => ({ kind: "reward", rewardId, name: rewardId, costPoints: 100, pointsNeeded, claimable, reasons: [] });
  it("puts affordable rewards first, then favourite-category campaigns, other campaigns ending soonest first, then rewards out of reach", () => {
    const campaigns = campaignOffers(
      [
        rule("open", {}),
        rule("later", {}, days(30)),
        rule("tomorrow", {}, days(1)),
        rule("fav", { conditions: { items: { categories: ["coffee"] } } }),
        rule("soon", {}, days(5)),
      ],
      member,
      ctx,
    );
    const ranked = rankOffers([reward("close", true, 0), reward("cheap", true, 0), reward("near", false, 50), reward("far", false, 900)], campaigns, NOW);
    expect(ranked.map((o) => (o.kind === "reward" ? o.rewardId : o.campaignId))).toEqual(["close", "cheap", "fav", "tomorrow", "soon", "later", "open", "near", "far"]);
  });
});
