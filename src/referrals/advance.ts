// Moves one referral along across its two members: the referrer's object first (it decides), then the referee's.
import type { Database } from "../db/client";
import type { ProgramSettings } from "../ledger/settings";
import { memberLedgerOf, type LedgerCall, type LedgerReply } from "../members/member-ledger";
import type { ReferralStep } from "./object-work";
import { readReferral, type Referral } from "./store";

export interface AdvanceContext {
  env: Env;
  db: Database;
  programId: string;
  settings: ProgramSettings;
  now: Date;
}

function callFor(ctx: AdvanceContext, memberId: string): LedgerCall {
  return { programId: ctx.programId, memberId, settings: ctx.settings, partnerId: null, idempotency: null, now: ctx.now.getTime() };
}

function valueOf(reply: LedgerReply<ReferralStep, false>): ReferralStep {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.detail}`);
  return reply.value;
}

/**
 * One referral, as far as it can go now. Each step is one member's batch and
 * is keyed by the referral (a repeat does nothing), so a step that fails is
 * simply taken again by the next run of the job: the referral never stays
 * half done, only not done yet. Returns the steps taken.
 */
export async function advanceReferral(ctx: AdvanceContext, referral: Referral): Promise<ReferralStep[]> {
  const steps: ReferralStep[] = [];
  let current: Referral | null = referral;
  if (current.status === "pending" || current.status === "qualified") {
    const step = valueOf(await memberLedgerOf(ctx.env, ctx.programId, current.referrerId).creditReferral(callFor(ctx, current.referrerId), current.id));
    if (step.step !== "none") steps.push(step);
    current = await readReferral(ctx.db, ctx.programId, current.id);
  }
  if (current && ["qualified", "completed", "cancelled"].includes(current.status) && current.refereeRewardedAt === null) {
    const step = valueOf(await memberLedgerOf(ctx.env, ctx.programId, current.refereeId).creditReferee(callFor(ctx, current.refereeId), current.id));
    if (step.step !== "none") steps.push(step);
  }
  return steps;
}
