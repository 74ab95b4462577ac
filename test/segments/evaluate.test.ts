// inSegment, rfmScores, nextStats and the offers' ranking as pure functions, against tables of members.
import { describe, expect, it } from "vitest";
import { rankRewardOffers } from "../../src/offers/rank";
import type { CatalogLine } from "../../src/rewards/catalog";
import type { RewardRecord } from "../../src/rewards/types";
import type { SegmentConditions } from "../../src/segments/conditions";
import { SegmentConditionsSchema } from "../../src/segments/conditions";
import { inSegment, rfmScores, type SegmentMember } from "../../src/segments/evaluate";
import { CATEGORIES_KEPT, favouriteCategories, nextStats, NO_STATS, type MemberStats } from "../../src/segments/stats";

const NOW = new Date("2026-12-02T12:00:00.000Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

const stats = (fields: Partial<MemberStats> = {}): MemberStats => ({ ...NO_STATS, ...fields });
const member = (fields: Partial<SegmentMember> = {}): SegmentMember => ({ tier: null, attributes: {}, activePlans: [], ...fields });

const RFM = { recencyDays: [30, 90, 180, 365], frequencyOrders: [2, 4, 8, 16], monetarySpend: [5_000, 20_000, 50_000, 100_000] };

/** The members of the table: what Treue knows of each. */
const people: Record<string, { stats: MemberStats; member: SegmentMember }> = {
  newcomer: { stats: stats(), member: member() },
  regular: {
    stats: stats({ orderCount: 6, lifetimeSpend: 30_000, lastOrderAt: daysAgo(10), availablePoints: 300, onlineOrders: 6, categorySpend: { shoes: 20_000, socks: 10_000 } }),
    member: member({ tier: "Silver", attributes: { newsletter: true }, birthdayMonth: 12 }),
  },
  lapsedWhale: {
    stats: stats({ orderCount: 20, lifetimeSpend: 250_000, lastOrderAt: daysAgo(200), availablePoints: 5_000, storeOrders: 15, appOrders: 5, categorySpend: { coats: 200_000, hats: 50_000 } }),
    member: member({ tier: "Gold", activePlans: ["plus"] }),
  },
  storeOnce: { stats: stats({ orderCount: 1, lifetimeSpend: 4_000, lastOrderAt: daysAgo(400), storeOrders: 1 }), member: member({ attributes: { newsletter: false } }) },
};

const table: [string, SegmentConditions, string[]][] = [
  ["no conditions: everyone", {}, ["newcomer", "regular", "lapsedWhale", "storeOnce"]],
  ["tier Gold or Silver", { tiers: ["Gold", "Silver"] }, ["regular", "lapsedWhale"]],
  ["a paid plan", { plans: ["plus"] }, ["lapsedWhale"]],
  ["points balance 300..5000", { pointsBalance: { min: 300, max: 5_000 } }, ["regular", "lapsedWhale"]],
  ["lifetime spend under 5000", { lifetimeSpend: { max: 4_999 } }, ["newcomer", "storeOnce"]],
  ["at least 2 orders", { orderCount: { min: 2 } }, ["regular", "lapsedWhale"]],
  ["no order for 180 days: never-buyers excluded", { daysSinceLastOrder: { min: 180 } }, ["lapsedWhale", "storeOnce"]],
  ["RFM: high monetary, low recency (at risk)", { rfm: { ...RFM, recency: { min: 1, max: 2 }, monetary: { min: 5, max: 5 } } }, ["lapsedWhale"]],
  ["RFM: frequency 3 and up", { rfm: { ...RFM, frequency: { min: 3, max: 5 } } }, ["regular", "lapsedWhale"]],
  ["favourite category shoes", { favouriteCategories: ["shoes"] }, ["regular"]],
  ["ordered in store or app", { channels: ["store", "app"] }, ["lapsedWhale", "storeOnce"]],
  ["birthday in December or January: members without a birthday never match", { birthdayMonths: [12, 1] }, ["regular"]],
  ["custom attribute newsletter true", { attributes: { newsletter: true } }, ["regular"]],
  ["all of: Gold and store", { tiers: ["Gold"], channels: ["store"], orderCount: { min: 10 } }, ["lapsedWhale"]],
];

describe("inSegment", () => {
  it.each(table)("%s", (_, conditions, expected) => {
    const parsed = SegmentConditionsSchema.parse(conditions);
    const inside = Object.entries(people)
      .filter(([, p]) => inSegment(p.stats, p.member, parsed, NOW))
      .map(([name]) => name);
    expect(inside).toEqual(expected);
  });
});

describe("rfmScores", () => {
  it("scores by the segment's own cut points, a member without orders lowest on recency", () => {
    expect(rfmScores(people.newcomer!.stats, RFM, NOW)).toEqual({ recency: 1, frequency: 1, monetary: 1 });
    expect(rfmScores(people.regular!.stats, RFM, NOW)).toEqual({ recency: 5, frequency: 3, monetary: 3 });
    expect(rfmScores(people.lapsedWhale!.stats, RFM, NOW)).toEqual({ recency: 2, frequency: 5, monetary: 5 });
    // At a cut point the higher score applies to frequency and money; the lower to recency (a day more is older).
    expect(rfmScores(stats({ orderCount: 2, lifetimeSpend: 5_000, lastOrderAt: daysAgo(30) }), RFM, NOW)).toEqual({ recency: 4, frequency: 2, monetary: 2 });
  });

  it("refuses cut points that do not ascend", () => {
    expect(SegmentConditionsSchema.safeParse({ rfm: { ...RFM, recencyDays: [30, 30, 90, 180] } }).success).toBe(false);
  });
});

describe("nextStats", () => {
  it("folds a batch's orders and redemption into the stats", () => {
    const next = nextStats(NO_STATS, {
      orders: [{ amount: 1_000, channel: "app", occurredAt: daysAgo(3), categories: { hats: 1_000 } }],
      redeemedAt: daysAgo(1),
      availablePoints: 10,
    });
    expect(next).toEqual({ ...NO_STATS, lifetimeSpend: 1_000, orderCount: 1, firstOrderAt: daysAgo(3), lastOrderAt: daysAgo(3), appOrders: 1, availablePoints: 10, categorySpend: { hats: 1_000 }, lastRedemptionAt: daysAgo(1) });
    const later = nextStats(next, { orders: [{ amount: 500, channel: "online", occurredAt: daysAgo(5), categories: {} }], redeemedAt: null, availablePoints: 15 });
    // A back-dated order moves the first order, not the last.
    expect(later).toMatchObject({ orderCount: 2, lifetimeSpend: 1_500, firstOrderAt: daysAgo(5), lastOrderAt: daysAgo(3), onlineOrders: 1, lastRedemptionAt: daysAgo(1) });
  });

  it("keeps the largest categories only, and names the top three as favourites", () => {
    const categories = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`c${String(i).padStart(2, "0")}`, (i + 1) * 100]));
    const next = nextStats(NO_STATS, { orders: [{ amount: 1, channel: "online", occurredAt: daysAgo(1), categories }], redeemedAt: null, availablePoints: 0 });
    expect(Object.keys(next.categorySpend)).toHaveLength(CATEGORIES_KEPT);
    expect(favouriteCategories(next)).toEqual(["c14", "c13", "c12"]);
  });
});

function line(id: string, costPoints: number, available: number, extra: Partial<CatalogLine> = {}, segmentIds?: string[]): CatalogLine {
  const reward = { id, status: "active", definition: { name: id, costPoints, ...(segmentIds ? { segmentIds } : {}) }, createdAt: "", updatedAt: "" } as unknown as RewardRecord;
  const pointsNeeded = Math.max(0, costPoints - available);
  return {
    reward,
    claimable: pointsNeeded === 0,
    pointsNeeded,
    unavailable: pointsNeeded ? [{ reason: "insufficient_points", detail: "" }] : [],
    stockLeft: null,
    ...extra,
  } as CatalogLine;
}

describe("rankRewardOffers", () => {
  it("puts the affordable reward closest to the balance first, then the ones fewest points away, and leaves out the barred", () => {
    const lines = [
      line("cheap", 50, 400),
      line("far", 2_000, 400),
      line("close", 390, 400),
      line("near", 500, 400, {}, ["seg_A"]),
      line("gold-only", 100, 400, { claimable: false, unavailable: [{ reason: "tier_required", detail: "" }] } as Partial<CatalogLine>),
    ];
    const offers = rankRewardOffers(lines, 400, new Map([["seg_A", "Lapsing"]]));
    expect(offers.map((o) => o.rewardId)).toEqual(["close", "cheap", "near", "far"]);
    expect(offers[0]!.reasons).toEqual([{ code: "affordable", detail: "Claimable now for 390 of your 400 points." }]);
    expect(offers[2]!.reasons).toEqual([
      { code: "points_to_go", detail: "100 points to go." },
      { code: "segment", detail: 'Offered to the segment "Lapsing".', segmentId: "seg_A" },
    ]);
  });
});
