// Referral handlers: a member's code (made on first ask), and the referrals lists.
import type { Context } from "hono";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppEnv, AppRouteHandler } from "../../app/types";
import { database } from "../../db/client";
import { memberNotFound } from "../../ledger/errors";
import { fromDomain } from "../../lib/errors";
import { memberReferral } from "../../referrals/member-referral";
import type { Referral } from "../../referrals/store";
import { memberExists, programReferrals, referralsBy } from "./referrals.queries";
import type { GetReferralCodeRoute, ListMemberReferralsRoute, ListReferralsRoute } from "./referrals.routes";

function referralView(r: Referral) {
  return {
    id: r.id,
    referrerId: r.referrerId,
    refereeId: r.refereeId,
    status: r.status,
    fraudFlags: r.fraudFlags,
    trigger: r.trigger,
    referrerPoints: r.referrerPoints,
    refereePoints: r.refereePoints,
    orderId: r.orderId,
    rewardAvailableAt: r.rewardAvailableAt,
    refereeRewarded: r.refereeRewardedAt !== null,
    referrerReward: r.referrerRewardId === null ? null : { rewardId: r.referrerRewardId, claimId: r.referrerClaimId },
    refereeReward: r.refereeRewardId === null ? null : { rewardId: r.refereeRewardId, claimId: r.refereeClaimId },
    unfulfilled: r.unfulfilled,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

async function requireMember(c: Context<AppEnv>, memberId: string): Promise<void> {
  if (!(await memberExists(database(c.env.DB), c.get("principal").programId, memberId))) throw fromDomain(memberNotFound(memberId).toFailure());
}

export const getReferralCode: AppRouteHandler<GetReferralCodeRoute> = async (c) => {
  return c.json(await memberReferral(c, c.req.valid("param").memberId), 200);
};

export const listMemberReferrals: AppRouteHandler<ListMemberReferralsRoute> = async (c) => {
  const { memberId } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const { programId } = c.get("principal");
  await requireMember(c, memberId);
  const scope = ["member-referrals", programId, memberId] as const;
  const before = await resumeAfter(c, scope, cursor);
  const rows = await referralsBy(database(c.env.DB), programId, memberId, before, limit);
  const page = rows.slice(0, limit);
  return c.json(await sealedPage(c, scope, { data: page.map(referralView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }), 200);
};

export const listReferrals: AppRouteHandler<ListReferralsRoute> = async (c) => {
  const { limit, cursor, status } = c.req.valid("query");
  const { programId } = c.get("principal");
  const scope = ["referrals", programId, status ?? null] as const;
  const before = await resumeAfter(c, scope, cursor);
  const rows = await programReferrals(database(c.env.DB), programId, status, before, limit);
  const page = rows.slice(0, limit);
  return c.json(await sealedPage(c, scope, { data: page.map(referralView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }), 200);
};
