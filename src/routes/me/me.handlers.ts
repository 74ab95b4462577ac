// Handlers of /v1/me: the member comes from the token (src/app/member-auth.ts), never from the request.
import { renderSVG } from "uqr";
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { signingKey } from "../../app/member-auth";
import { resumeAfter, sealedPage } from "../../app/pages";
import type { AppRouteHandler } from "../../app/types";
import { cardCode, cardNonce, cardStep, cardWindow } from "../../tokens/card";
import { memberBenefits } from "../../memberships/member-benefits";
import { memberOffers, memberSegmentNames } from "../../offers/member-offers";
import { memberReferral } from "../../referrals/member-referral";
import { catalogBody, claimForMember, memberCatalogLines, memberCouponPage } from "../../rewards/member-rewards";
import { myEntryPage } from "./me.queries";
import type {
  ClaimMyRewardRoute,
  GetMeRoute,
  GetMyBalanceRoute,
  GetMyCardRoute,
  GetMyBenefitsRoute,
  GetMyOffersRoute,
  GetMyReferralRoute,
  ListMyCouponsRoute,
  ListMyHistoryRoute,
  ListMyRewardsRoute,
} from "./me.routes";

export const getMe: AppRouteHandler<GetMeRoute> = async (c) => {
  const { memberId } = c.get("member");
  const reply = await memberLedger(c, memberId).getMember(await ledgerCall(c, memberId));
  if (!reply.ok) return respond(c, reply);
  const { name, email, tier, enrolledAt, balance } = reply.value;
  return c.json({ memberId, name, email, tier, enrolledAt, balance }, 200);
};

export const getMyBalance: AppRouteHandler<GetMyBalanceRoute> = async (c) => {
  const { memberId } = c.get("member");
  return respond(c, await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId)));
};

export const listMyHistory: AppRouteHandler<ListMyHistoryRoute> = async (c) => {
  const { memberId } = c.get("member");
  const { limit, cursor } = c.req.valid("query");
  const { programId } = c.get("principal");
  // A token for a member the program does not have answers the same 404 as the member routes.
  const member = await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId));
  if (!member.ok) return respond(c, member);
  const scope = ["me-history", programId, memberId] as const;
  const page = await myEntryPage(c.env.DB, programId, memberId, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};

export const getMyCard: AppRouteHandler<GetMyCardRoute> = async (c) => {
  const { memberId } = c.get("member");
  const { programId } = c.get("principal");
  const member = await memberLedger(c, memberId).getBalance(await ledgerCall(c, memberId));
  if (!member.ok) return respond(c, member);
  const nowMs = Date.now();
  const step = cardStep(nowMs);
  const key = await signingKey(c.env.DB, programId, nowMs);
  const code = await cardCode(key.secret, programId, { memberId, step, nonce: cardNonce() });
  const { refreshAt, expiresAt } = cardWindow(step);
  c.header("Cache-Control", "no-store");
  return c.json({ code, refreshAt: refreshAt.toISOString(), expiresAt: expiresAt.toISOString(), svg: renderSVG(code, { ecc: "M", border: 4, pixelSize: 8 }) }, 200);
};

export const listMyRewards: AppRouteHandler<ListMyRewardsRoute> = async (c) => {
  const { memberId } = c.get("member");
  const { lines } = await memberCatalogLines(c, memberId, memberSegmentNames(c, memberId, new Date()));
  return c.json({ data: catalogBody(lines) }, 200);
};

export const claimMyReward: AppRouteHandler<ClaimMyRewardRoute> = async (c) => {
  const { memberId } = c.get("member");
  return respond(c, await claimForMember(c, memberId, c.req.valid("param").rewardId, c.req.valid("header")["idempotency-key"]));
};

export const listMyCoupons: AppRouteHandler<ListMyCouponsRoute> = async (c) => {
  const { memberId } = c.get("member");
  const { limit, cursor } = c.req.valid("query");
  const scope = ["me-coupons", c.get("principal").programId, memberId] as const;
  const page = await memberCouponPage(c, memberId, limit, await resumeAfter(c, scope, cursor));
  return c.json(await sealedPage(c, scope, page), 200);
};

export const getMyOffers: AppRouteHandler<GetMyOffersRoute> = async (c) => {
  return c.json(await memberOffers(c, c.get("member").memberId), 200);
};

export const getMyReferral: AppRouteHandler<GetMyReferralRoute> = async (c) => {
  return c.json(await memberReferral(c, c.get("member").memberId), 200);
};

export const getMyBenefits: AppRouteHandler<GetMyBenefitsRoute> = async (c) => {
  return c.json(await memberBenefits(c, c.get("member").memberId), 200);
};
