// A member's offers for any route that names the member: the catalog through their segments and the campaigns in force, ranked.
import type { Context } from "hono";
import { activeRules, rulesInForce } from "../campaigns/active";
import type { MemberPlans } from "../campaigns/evaluate";
import { grantsSince } from "../campaigns/member-rules";
import { campaignVersionNames } from "../campaigns/offer-view";
import type { AppEnv } from "../app/types";
import { database } from "../db/client";
import { plansInForce } from "../memberships/benefits";
import { heldMemberships } from "../memberships/store";
import { readRuleGrants } from "../members/store";
import { memberCatalogLines } from "../rewards/member-rewards";
import { keptSegmentIds } from "../segments/batch";
import { segmentsOfMember } from "../segments/member-view";
import { favouriteCategories, NO_STATS, type MemberStats } from "../segments/stats";
import { programSegments } from "../segments/store";
import { campaignOffers } from "./campaigns";
import { rankOffers, rankRewardOffers, type Offer } from "./rank";

type CatalogMember = { tier: string | null; attributes: Record<string, unknown>; availablePoints: number };

/** The plans the member holds in force now, and the most early access they give. */
async function memberPlans(c: Context<AppEnv>, memberId: string, now: Date): Promise<MemberPlans> {
  return plansInForce(await heldMemberships(database(c.env.DB), c.get("principal").programId, memberId), now);
}

/** The member's segments now (id to name), evaluated on their stats with what their object just said and the plans they hold. */
export function memberSegmentNames(c: Context<AppEnv>, memberId: string, now: Date, seen?: (member: CatalogMember, stats: MemberStats, plans: MemberPlans) => void) {
  return async (member: CatalogMember): Promise<ReadonlyMap<string, string>> => {
    const plans = await memberPlans(c, memberId, now);
    const found = await segmentsOfMember(database(c.env.DB), c.get("principal").programId, memberId, now, {
      member: { tier: member.tier, attributes: member.attributes, activePlans: plans.planIds },
      availablePoints: member.availablePoints,
    });
    seen?.(member, found?.stats ?? NO_STATS, plans);
    return new Map((found?.segments ?? []).map((s) => [s.id, s.name]));
  };
}

export async function memberOffers(c: Context<AppEnv>, memberId: string): Promise<{ data: Offer[]; availablePoints: number }> {
  const now = new Date();
  const { programId, settings } = c.get("principal");
  let known: { member: CatalogMember; stats: MemberStats; plans: MemberPlans } | null = null;
  const [{ lines, availablePoints, segments }, scheduled] = await Promise.all([
    memberCatalogLines(c, memberId, memberSegmentNames(c, memberId, now, (member, stats, plans) => (known = { member, stats, plans }))),
    activeRules(c.env, programId, settings, now),
  ]);
  const rewards = rankRewardOffers(lines, availablePoints, segments);
  const rules = [...rulesInForce(scheduled, now, "order"), ...rulesInForce(scheduled, now, "activity")];
  if (rules.length === 0 || known === null) return { data: rankOffers(rewards, [], now), availablePoints };
  const { member, stats, plans } = known as { member: CatalogMember; stats: MemberStats; plans: MemberPlans };
  const db = database(c.env.DB);
  const [names, keptSegments, grants, program] = await Promise.all([
    campaignVersionNames(c.env.DB, programId, rules),
    rules.some((r) => r.rule.conditions.segments !== undefined) ? keptSegmentIds(db, programId, memberId) : Promise.resolve([]),
    readRuleGrants(c.env.DB, programId, memberId, grantsSince(rules, now, settings.timeZone)),
    programSegments(db, programId, now.getTime()),
  ]);
  const campaigns = campaignOffers(
    rules,
    { tier: member.tier, attributes: member.attributes, segmentIds: keptSegments, plans, favouriteCategories: favouriteCategories(stats), orderCount: stats.orderCount, grants },
    { now, timeZone: settings.timeZone, currency: settings.currency, campaignNames: names, segmentNames: new Map(program.map((s) => [s.id, s.name])) },
  );
  return { data: rankOffers(rewards, campaigns, now), availablePoints };
}
