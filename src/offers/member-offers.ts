// A member's offers for any route that names the member: the catalog through their segments, ranked.
import type { Context } from "hono";
import type { AppEnv } from "../app/types";
import { database } from "../db/client";
import { memberCatalogLines } from "../rewards/member-rewards";
import { segmentsOfMember } from "../segments/member-view";
import { rankRewardOffers, type Offer } from "./rank";

/** The member's segments now (id to name), evaluated on their stats with what their object just said. */
export function memberSegmentNames(c: Context<AppEnv>, memberId: string, now: Date) {
  return async (member: { tier: string | null; attributes: Record<string, unknown>; availablePoints: number }): Promise<ReadonlyMap<string, string>> => {
    const found = await segmentsOfMember(database(c.env.DB), c.get("principal").programId, memberId, now, {
      member: { tier: member.tier, attributes: member.attributes, activePlans: [] },
      availablePoints: member.availablePoints,
    });
    return new Map((found?.segments ?? []).map((s) => [s.id, s.name]));
  };
}

export async function memberOffers(c: Context<AppEnv>, memberId: string): Promise<{ data: Offer[]; availablePoints: number }> {
  const now = new Date();
  const { lines, availablePoints, segments } = await memberCatalogLines(c, memberId, memberSegmentNames(c, memberId, now));
  return { data: rankRewardOffers(lines, availablePoints, segments), availablePoints };
}
