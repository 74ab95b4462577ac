// Enrollment with a referral code or fingerprints: hashed here, judged and recorded by the member's object, advanced at once when due.
import type { Context } from "hono";
import { ledgerCall, memberLedger } from "../../app/ledger-client";
import type { AppEnv } from "../../app/types";
import { database } from "../../db/client";
import type { EnrollInput } from "../../ledger/ops/enroll";
import type { LedgerReply } from "../../members/member-ledger";
import type { MemberView } from "../../members/views";
import { advanceReferral } from "../../referrals/advance";
import { fingerprintHash, readReferral, type FingerprintKind } from "../../referrals/store";

export interface ReferralFields {
  referralCode?: string;
  deviceFingerprint?: string;
  paymentFingerprint?: string;
}

/**
 * The member's answer is the enrollment's. A referral rewarded at enrollment
 * is moved along right after (the referrer's object, then this member's);
 * should that fail, the advance-referrals job takes it from where it stands.
 */
export async function enrollReferred(c: Context<AppEnv>, memberId: string, body: EnrollInput, fields: ReferralFields): Promise<LedgerReply<MemberView, boolean>> {
  const { programId, settings } = c.get("principal");
  const sent: [FingerprintKind, string | undefined][] = [
    ["device", fields.deviceFingerprint],
    ["payment", fields.paymentFingerprint],
  ];
  const fingerprints = await Promise.all(
    sent.flatMap(([kind, value]) => (value === undefined ? [] : [fingerprintHash(programId, kind, value).then((hash) => ({ kind, hash }))])),
  );
  const reply = await memberLedger(c, memberId).enrollReferred(await ledgerCall(c, memberId), body, { referralCode: fields.referralCode ?? null, fingerprints });
  if (!reply.ok) return reply;
  const recorded = reply.value.referral;
  if (recorded?.status === "pending" && settings.referrals.grantOn.type === "enrollment") {
    const db = database(c.env.DB);
    const referral = await readReferral(db, programId, recorded.id);
    try {
      if (referral) await advanceReferral({ env: c.env, db, programId, settings, now: new Date() }, referral);
    } catch (error) {
      console.log(JSON.stringify({ level: "warn", message: "referral left to the job", referralId: recorded.id, error: String(error) }));
    }
    // The answer shows the balance with the referee's reward, if it landed.
    const fresh = await memberLedger(c, memberId).getMember(await ledgerCall(c, memberId));
    if (fresh.ok) return { ...reply, value: fresh.value };
  }
  return { ...reply, value: reply.value.member };
}
