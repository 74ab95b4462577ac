// A member's referral code (made on first ask) and share link, for whichever route names the member.
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../app/types";
import { database } from "../db/client";
import { memberNotFound } from "../ledger/errors";
import { ApiError, fromDomain } from "../lib/errors";
import { generateReferralCode, shareLink } from "./codes";
import { codeOfMember, insertCode, referralOf } from "./store";

/** Codes are drawn until one is free; with ~49 bits a second draw is already rare. */
const CODE_ATTEMPTS = 5;

export async function memberReferral(c: Context<AppEnv>, memberId: string) {
  const { programId, settings } = c.get("principal");
  const db = database(c.env.DB);
  const [known] = await db.all<{ one: number }>(sql`SELECT 1 AS one FROM members WHERE program_id = ${programId} AND member_id = ${memberId}`);
  if (!known) throw fromDomain(memberNotFound(memberId).toFailure());
  if (!settings.referrals.enabled) throw new ApiError("referrals_disabled", "This program does not run referrals.");
  let code = await codeOfMember(db, programId, memberId);
  for (let attempt = 0; code === null && attempt < CODE_ATTEMPTS; attempt++) {
    // Two first asks at once both insert; the first wins and both read it back.
    await insertCode(db, programId, memberId, generateReferralCode(), new Date());
    code = await codeOfMember(db, programId, memberId);
  }
  if (code === null) throw new ApiError("temporarily_unavailable", "No free referral code was found; retry.");
  const referral = await referralOf(db, programId, memberId);
  return {
    memberId,
    code,
    shareLink: shareLink(settings.referrals.shareLinkTemplate, code),
    referredBy: referral ? { referralId: referral.id, referrerId: referral.referrerId, status: referral.status } : null,
  };
}
