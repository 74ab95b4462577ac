// One Durable Object per member: every change to that member's ledger passes
// through here, one at a time, and commits as one D1 batch.
import type { AuditRow } from "../audit/audit";
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { database, type Database } from "../db/client";
import { programs } from "../db/schema";
import { loadedLotsCover } from "../ledger/allocation";
import { balanceOf, type Balance } from "../ledger/balance";
import { BeyondSafeIntegers } from "../ledger/money";
import { isIdle } from "../ledger/expiry";
import { expireDue, warnExpiring, type ExpiringPoints, type ExpiryResult } from "../ledger/expiry-ops";
import { accrue, orderItems, orderTrigger, type AccrualCampaigns, type AccrualInput, type AccrualResult } from "../ledger/ops/accrue";
import type { ActiveRule, RuleTrigger } from "../campaigns/rules";
import { ruleSetAtLeast, rulesInForce } from "../campaigns/active";
import { ORDER_FACTS_ONLY, rulesThatMayMatch } from "../campaigns/match";
import { budgetLimits, budgetsLeftNow, buildWithBudgets, confirmBudgets, giveBackBudgets, releaseBudgets, returnRows, type BudgetReservation } from "../budgets/draws";
import { grantsSince, type EarningPreview, previewOf } from "../campaigns/member-rules";
import { enroll, type EnrollInput } from "../ledger/ops/enroll";
import { activityAlreadyRecorded, confirmActivity, recordActivity, rejectActivity, requirePending, type ActivityInput, type ActivityResult } from "../activities/activity";
import { bonusGiven, readActivity, readActivityByReference } from "../activities/store";
import { celebratesOn, localDate } from "../bonuses/birthday";
import { budgetAfter } from "../bonuses/grant";
import { addSignUpBonus, birthdayBonus, birthdayBonusKey, type BirthdayResult } from "../bonuses/ops";
import { evaluateActivity } from "../activities/evaluate";
import { adjust, type AdjustmentInput, type AdjustmentResult } from "../ledger/ops/adjust";
import { importMember, type ImportLine, type ImportMemberResult } from "../ledger/ops/import";
import { appliedLines } from "../imports/store";
import { cancelRedemption, captureHold, lapseDueHolds, redeem, type RedeemInput } from "../ledger/ops/redeem";
import { refund, type RefundInput, type RefundResult } from "../ledger/ops/refund";
import { requireMember, type OpContext } from "../ledger/plan";
import { keptSegmentIds, withSegmentChanges, type KeptSegmentFacts } from "../segments/batch";
import { inForce } from "../memberships/memberships";
import { ProgramSettingsSchema, type ProgramSettings } from "../ledger/settings";
import { kpiWritesOfPlan } from "../kpis/rollups";
import { grantTier, holdsUnknownTier, placeTier, reviewTier, type GrantTierInput, type TierChange, type TierReviewResult } from "../ledger/tier-review";
import type { ActivityRecord, MemberState, OrderEarning, OrderRecord, Plan, RedemptionWithAllocations, RestOfLots } from "../ledger/state";
import { databaseUnavailable, errorMessages, isTransientD1Error } from "../db/transient";
import { DomainError, memberNotFound, redemptionNotFound, type DomainCode, type DomainFailure } from "../ledger/errors";
import { newId, ulid } from "../lib/ids";
import { countUnusedCoupons, erasureBlocked, erasureStatements } from "../privacy/erase";
import {
  classifyCommitError,
  commitPlan,
  hasOrdered,
  readOrder,
  readRefundable,
  readRuleGrants,
  type StoredGrant,
  readRedemption,
  readMemberState,
  readStoredResponse,
  storeRefusal,
  type IdempotencyClaim,
  type StoredOutcome,
  type StoredResponse,
  memberQuery,
} from "./store";
import type { MemberPreload } from "./preload";
import { programSegments } from "../segments/store";
import { fromPlan } from "../webhooks/events";
import { publishCommitted } from "../webhooks/outbox";
import { mayBeHeard, type Listening } from "../webhooks/listening";
import { readQualifying, readWarnedExpiries, type TierReading } from "./job-reads";
import { memberView, redemptionView, type MemberView, type RedemptionView } from "./views";
import { limitPeriodStart } from "../rewards/availability";
import { cancelCoupon, cancelWithRedemption, claimReward, expireCoupon, type ClaimInput } from "../rewards/claim";
import { claimOfRedemption, countClaims, readClaim } from "../rewards/queries";
import { claimView, type ClaimView } from "../rewards/views";
import { rewardStockOf, stockIdentity, usesStockObject } from "../rewards/stock-object";
import type { GiftStock, StockFollowUp } from "../referrals/gifts";
import { advanceReferrer, enrollReferred, rewardReferee, type GiftMeans, type ReferralEnrollment, type ReferralStep, type ReferredEnrollment } from "../referrals/object-work";
import { heldMemberships } from "../memberships/store";
import { membershipEarningPercent, plansInForce } from "../memberships/benefits";
import { changeMembership, lapseMemberships, startMembership, type MembershipChange, type MembershipView, type StartMembershipInput } from "../memberships/object-work";

/**
 * A call as it travels to the object. The Worker's routes send the program's settings as the JSON text
 * of the settings they validated (readSettings): one string to copy, where the parsed settings are an
 * object graph the call's serialization walks on every request (a few percent of a balance read's CPU).
 * The object parses a text once and keeps it while the same text comes. Jobs and tests may send the
 * parsed settings instead.
 */
export type SentCall = Omit<LedgerCall, "settings"> & ({ settings: ProgramSettings; settingsText?: undefined } | { settings?: undefined; settingsText: string });

/** Who is asking and on which program: sent with every call. */
export interface LedgerCall {
  programId: string;
  memberId: string;
  settings: ProgramSettings;
  partnerId: string | null;
  idempotency: IdempotencyClaim | null;
  /** The request's X-Request-Id: a refusal kept for its Idempotency-Key is replayed with it, as first sent. */
  requestId?: string;
  /** Milliseconds since epoch: the Worker passes its clock, tests and jobs inject theirs. */
  now?: number;
  /**
   * The program's cache epoch as the caller knows it: a job that wrote members' changes
   * around their objects stepped it (src/jobs/around.ts), and the object drops state it
   * loaded under an older one. Absent (a job's own call): the cache stands, as the writes
   * it makes are guarded by the member's version anyway.
   */
  cacheEpoch?: number;
  /**
   * The event types the program's live webhook endpoints receive, as the Worker read them (up to its key
   * cache's age old). Events of other types are committed unsent and not queued: the outbox sweep marks
   * them sent, or queues them if an endpoint for them has appeared since. Absent: every event is queued.
   */
  listening?: Listening;
  /**
   * A scheduled job's call: it still reaches an erased member's pseudonymous
   * ledger (points expire, holds lapse, tiers are reviewed), which no request does.
   */
  job?: boolean;
  /**
   * The campaign rules in force at the operation's occurredAt, for its trigger: the Worker reads them
   * from its cache (src/campaigns/active.ts) and sends them, since the object evaluates. Absent: none.
   */
  rules?: ActiveRule[];
  /** The enrollment rules in force now, for an accrual that may enroll the member (their sign-up bonus). */
  signUpRules?: ActiveRule[];
  /**
   * Instead of `rules` and `signUpRules` (an accrual's): the version of the program's rule set the
   * Worker holds (src/campaigns/active.ts). The object values by its own copy of that set, and reads
   * the set from D1 first whenever its copy is another version, so it never values by older rules.
   */
  rulesVersion?: string;
}

/**
 * What the object answers, in the ledger's terms: the operation's value (and
 * whether it created something, an accrual, a redemption, a refund or a new
 * member), or the refusal as data. `replayed` says the answer is the one kept
 * for the Idempotency-Key; a replayed refusal carries the requestId it was
 * first answered under. Statuses and bodies are the HTTP layer's.
 *
 * `T` is the method's value and `C` what it can say of `created`: `true` for
 * an operation that always creates, `false` for one that never does (the flag
 * is then absent), `boolean` when it depends (enroll), so callers' types
 * follow what the method can answer.
 */
export type LedgerReply<T = unknown, C extends boolean = boolean> =
  | { ok: true; value: T; created?: C; replayed: boolean }
  | { ok: false; error: DomainFailure; replayed: boolean; requestId?: string };

/** An operation's result with the member's balance after it. */
export type WithBalance<R> = R & { balance: Balance };

export type AccrualView = WithBalance<AccrualResult>;
export type RefundView = WithBalance<RefundResult>;
export type ActivityView = WithBalance<ActivityResult>;
export type RedemptionWithBalanceView = WithBalance<RedemptionView>;
export type ClaimWithBalanceView = WithBalance<ClaimView>;
export type AdjustmentView = WithBalance<AdjustmentResult>;
export type TierGrantView = WithBalance<{ memberId: string; tier: string | null; tierLockedUntil: string | null; change: TierChange | null }>;

/** What an operation hands to the shared write path; no plan when a job finds nothing to change. */
interface Built<T, C extends boolean> {
  plan: Plan<unknown> | null;
  value: T;
  created?: C;
  /** Rows of a capability's own tables committed in the plan's batch. */
  extra?: BatchItem<"sqlite">[];
  /** Campaign budgets reserved for the plan's draws: confirmed once it commits, released if it surely did not. */
  budget?: BudgetReservation | null;
  /** A reward's stock unit reserved for the plan's claim (a referral's catalog reward): the same, for the reward's object. */
  stock?: StockFollowUp;
}

type Builder<T, C extends boolean> = (state: MemberState, ctx: OpContext) => Built<T, C> | Promise<Built<T, C>>;

/**
 * Which open lots an operation needs loaded: the window (the first in spending
 * order, the pending ones and those added since) is enough for most; a check
 * says when it is (a redemption's points must be covered before the window
 * ends); points returned to lots and expiry need them all.
 */
type LotsNeeded = "window" | "all" | ((state: MemberState, now: Date) => boolean);

interface WriteOptions {
  sweepIdle?: boolean;
  lots?: LotsNeeded;
  /** An erased member is refused (member_not_found) unless the operation says otherwise (a re-enrollment the program allows). */
  erased?: "refuse" | "allow";
  /** What the bulk route read for this member (src/members/preload.ts): used only by an object holding no state. */
  preload?: MemberPreload;
}

/** Orders an object keeps for refunds (see MemberLedger.orders). */
const MAX_KEPT_ORDERS = 64;
interface KeptOrder {
  order: OrderRecord;
  earning: OrderEarning | null;
}
const orderKey = (issuer: string, orderId: string) => `${issuer}\n${orderId}`;

/** Open lots the object loads at most at once (the first in spending order), unless an operation needs them all. */
const DEFAULT_LOT_WINDOW = 256;

/** The window of this deployment: tests make it tiny, so windows open and close within a few operations. */
export function lotWindowOf(env: Env): number {
  return Number((env as { LEDGER_LOT_WINDOW?: string }).LEDGER_LOT_WINDOW) || DEFAULT_LOT_WINDOW;
}

export function memberObjectName(programId: string, memberId: string): string {
  return `${programId}/${memberId}`;
}

/** The member's object, for routes and jobs alike. Its RPC methods mirror the class; the cast keeps their plain reply types. */
export function memberLedgerOf(env: Env, programId: string, memberId: string): MemberLedger {
  return env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId)) as unknown as MemberLedger;
}

export class MemberLedger extends DurableObject<Env> {
  /** What this object last committed or read; dropped whenever a batch fails. */
  private cached: MemberState | null = null;
  /** The program's latest closed settlement period, read with the state (and again whenever the cache is dropped). */
  private closedThrough: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly db: Database;
  /** The member's grants of limited rules, per campaign/rule, from `since` on (null: all); dropped with the state. */
  private grants = new Map<string, { since: string | null; grants: StoredGrant[] }>();
  /** Whether the member has an order on record; unknown until a rule asks. Dropped with the state. */
  private ordered: boolean | null = null;
  /** The member's active memberships with their plans, for the earning multiplier; read once, dropped when one changes here. */
  private held: Awaited<ReturnType<typeof heldMemberships>> | null = null;
  /** The member's stats and segment memberships as the last batch left them (src/segments/batch.ts); dropped with the state. */
  private segmentFacts: KeptSegmentFacts | null = null;
  /** The program's cache epoch the cached state was loaded under (see LedgerCall.cacheEpoch). */
  private loadedEpoch = 0;
  /**
   * Orders this object accrued or refunded since its state was loaded, by issuer and order id, for refunds
   * to come: only this member's batches write their orders and campaign lines, so these are what D1 holds
   * while the state stands. Dropped with the state; at most MAX_KEPT_ORDERS, the oldest going first.
   */
  private orders = new Map<string, KeptOrder>();

  /** The settings text last sent, and what it parses to (see SentCall). */
  private keptSettings: { text: string; settings: ProgramSettings } | null = null;

  private readonly lotWindow: number;
  /** Whose object this is, known from the first load; kept in storage with the alarm that needs it. */
  private identity: { programId: string; memberId: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = database(env.DB);
    this.lotWindow = lotWindowOf(env);
  }

  /** A new member gets the sign-up bonus of the enrollment rules in force (`call.rules`) in the same batch. */
  enroll(sent: SentCall, input: EnrollInput): Promise<LedgerReply<MemberView, boolean>> {
    const call = this.settle(sent);
    return this.write(
      call,
      async (state, ctx) => {
        const rules = state.member ? [] : (call.rules ?? []);
        const { plan, reservation } = await this.withBudgets(call, rules, ctx.now, (budgetLeft) => {
          const plan = enroll(state, call.memberId, input, ctx);
          addSignUpBonus(plan, { rules, grants: [], budgetLeft }, ctx);
          return plan;
        });
        // An erased id enrolling again (the program allows it): the mark goes, the pseudonymous history stays with the id.
        if (state.member?.erasedAt) {
          plan.member = { ...plan.member, erasedAt: null };
          plan.nextState = { ...plan.nextState, member: plan.nextState.member ? { ...plan.nextState.member, erasedAt: undefined } : null };
        }
        return { plan, created: plan.result.created, value: memberView(plan.nextState, call.settings, ctx.now), budget: reservation };
      },
      { erased: call.settings.privacy.allowReenrollAfterErasure ? "allow" : "refuse" },
    );
  }

  /**
   * Erases the member's personal data in one D1 batch (src/privacy/erase.ts):
   * the id stays, as a pseudonym, so no sum moves. Refused while holds are
   * open or coupons unused; a second erasure answers as the first did.
   */
  erase(sent: Omit<SentCall, "idempotency">, audit?: AuditRow): Promise<LedgerReply<{ memberId: string; erasedAt: string }, false>> {
    const call = this.settle(sent);
    return this.answer(async () => {
      const now = clock(call);
      const [row] = await memberQuery(this.db, call.programId, call.memberId);
      if (!row) throw memberNotFound(call.memberId);
      if (row.erasedAt) return { ok: true, value: { memberId: call.memberId, erasedAt: row.erasedAt }, replayed: false };
      // Holds whose time ran out lapse first, as on any call.
      const { state } = await this.currentState({ ...call, idempotency: null }, now);
      const blockers = { openHolds: state.holds.length, unusedCoupons: await countUnusedCoupons(this.env.DB, call.programId, call.memberId) };
      if (erasureBlocked(blockers)) {
        throw new DomainError(
          "member_erasure_blocked",
          `The member has ${blockers.openHolds} open hold(s) and ${blockers.unusedCoupons} unused coupon(s): capture or cancel them first.`,
          { ...blockers },
        );
      }
      const eventId = newId("evt");
      try {
        await this.env.DB.batch(erasureStatements(this.env.DB, { programId: call.programId, memberId: call.memberId, version: state.member!.version, now, eventId, audit }));
      } finally {
        this.forget();
      }
      const at = now.toISOString();
      await publishCommitted(this.env, [{ id: eventId, programId: call.programId, memberId: call.memberId, partnerId: null, type: "member.erased", payload: { memberId: call.memberId, occurredAt: at, recordedAt: at }, createdAt: at }]);
      return { ok: true, value: { memberId: call.memberId, erasedAt: at }, replayed: false };
    });
  }

  /**
   * Orders are unique per issuer across all members, which only D1 knows. Rather
   * than read first on every accrual, the batch relies on the orders primary
   * key: a duplicate fails whole, and only then is the first accrual looked up
   * (by the write path, which sees the failed plan's order).
   */
  accrue(sent: SentCall, input: AccrualInput, preload?: MemberPreload): Promise<LedgerReply<AccrualView, true>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const occurredAt = new Date(input.occurredAt);
      // Rules that cannot match this order are dropped before any grant is read or budget reserved for them.
      const member = state.member ?? { tier: null, attributes: {} };
      const inForce = await this.rulesFor(call, occurredAt, "order", call.rules);
      const rules = rulesThatMayMatch(inForce, { trigger: orderTrigger(input, orderItems(input), call.partnerId, false), occurredAt, member }, call.settings.timeZone, ORDER_FACTS_ONLY);
      const campaigns = await this.campaignsFor(call, state, input.occurredAt, rules);
      // A first accrual that enrolls the member brings the sign-up bonus into its batch.
      const signUp = state.member || !call.settings.enrollOnAccrual ? [] : await this.rulesFor(call, ctx.now, "enrollment", call.signUpRules);
      const { plan, reservation } = await this.withBudgets(call, [...campaigns.rules, ...signUp], ctx.now, (budgetLeft) => {
        const plan = accrue(state, call.memberId, input, ctx, { ...campaigns, budgetLeft });
        addSignUpBonus(plan, { rules: signUp, grants: [], budgetLeft: budgetAfter(budgetLeft, plan.budgetDraws ?? []) }, ctx);
        return plan;
      });
      return { ...withBalance(plan, plan.result, call.settings, ctx.now), created: true, budget: reservation };
    }, { preload });
  }

  /**
   * What an accrual of this order would earn now, by the same evaluator and the
   * member's own tier, limits and budgets: the plan is built and not committed.
   * A member not enrolled yet is answered as the accrual would enroll them.
   */
  previewAccrual(sent: SentCall, input: AccrualInput): Promise<LedgerReply<EarningPreview, false>> {
    const call = this.settle(sent);
    return this.answer(async () => {
      const now = clock(call);
      const { state } = await this.currentState(call, now);
      const ctx = this.context(call, now);
      const campaigns = await this.campaignsFor(call, state, input.occurredAt);
      // Nothing is reserved for a preview: the budgets as their objects count them now.
      campaigns.budgetLeft = await budgetsLeftNow(this.env, call.programId, budgetLimits(campaigns.rules, call.settings));
      const plan = accrue(state, call.memberId, input, { ...ctx, settings: { ...call.settings, enrollOnAccrual: true } }, campaigns);
      return { ok: true, value: previewOf(plan, campaigns, state.member !== null), replayed: false };
    });
  }

  redeem(sent: SentCall, input: RedeemInput): Promise<LedgerReply<RedemptionWithBalanceView, true>> {
    const call = this.settle(sent);
    return this.write(
      call,
      (state, ctx) => {
        const plan = redeem(state, call.memberId, input, ctx);
        return { ...withBalance(plan, redemptionView(plan.result.redemption), call.settings, ctx.now), created: true };
      },
      { lots: (state, now) => loadedLotsCover(state, input.points, now) },
    );
  }

  capture(sent: SentCall, redemptionId: string): Promise<LedgerReply<RedemptionWithBalanceView, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const plan = captureHold(state, await this.redemptionOf(call, state, redemptionId), ctx);
      return withBalance(plan, redemptionView(plan.result.redemption), call.settings, ctx.now);
    });
  }

  cancel(sent: SentCall, redemptionId: string): Promise<LedgerReply<RedemptionWithBalanceView, false>> {
    const call = this.settle(sent);
    return this.write(
      call,
      async (state, ctx) => {
        const plan = cancelRedemption(state, await this.redemptionOf(call, state, redemptionId), ctx);
        // A reward's redemption goes back only with its unused coupon, cancelled in the same batch.
        const claim = await claimOfRedemption(this.db, call.programId, redemptionId);
        if (claim) cancelWithRedemption(plan, claim);
        return withBalance(plan, redemptionView(plan.result.redemption), call.settings, ctx.now);
      },
      { lots: "all" },
    );
  }

  refund(sent: SentCall, input: RefundInput, preload?: MemberPreload): Promise<LedgerReply<RefundView, true>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const plan = await this.refundPlan(call, state, input, ctx);
      // What the refund takes back from campaign rules goes back to their budgets: recorded in this batch
      // (under the refund's entry id), given back once it commits (see write).
      const refundEntry = plan.entries.find((e) => e.type === "clawback");
      if (plan.budgetReturns?.length && refundEntry) plan.budgetDrawRows = returnRows(refundEntry.id, plan.budgetReturns);
      return { ...withBalance(plan, plan.result, call.settings, ctx.now), created: true };
    }, { lots: "all", preload });
  }

  /** `audit`: the audit row of the grant (its before is the tier the member held), written in the grant's batch. */
  setTier(sent: SentCall, input: GrantTierInput, audit?: AuditRow): Promise<LedgerReply<TierGrantView, false>> {
    const call = this.settle(sent);
    return this.write(call, (state, ctx) => {
      const plan = grantTier(state, call.memberId, input, ctx);
      if (audit) plan.audit = [{ ...audit, before: JSON.stringify({ tier: state.member?.tier ?? null }) }];
      const { tier, tierLockedUntil } = plan.member;
      return withBalance(plan, { memberId: call.memberId, tier, tierLockedUntil, change: plan.result.change }, call.settings, ctx.now);
    });
  }

  /**
   * Claims a reward: takes its points as a capture redemption would and
   * writes the claim with its coupon in the same batch. The per-member limit
   * is counted here, where the member's claims are serialized.
   */
  claimReward(sent: SentCall, input: Omit<ClaimInput, "claimsInPeriod">): Promise<LedgerReply<ClaimWithBalanceView, true>> {
    const call = this.settle(sent);
    const cost = input.reward.definition.costPoints;
    return this.write(
      call,
      async (state, ctx) => {
        const limit = input.reward.definition.limit;
        const claimsInPeriod = limit ? await countClaims(this.db, call.programId, call.memberId, input.reward.id, limitPeriodStart(limit.per, ctx.now)) : 0;
        const plan = claimReward(state, call.memberId, { ...input, claimsInPeriod }, ctx);
        return { ...withBalance(plan, claimView(plan.result.claim), call.settings, ctx.now), created: true };
      },
      { lots: (state, now) => loadedLotsCover(state, cost, now) },
    );
  }

  /** Cancels an unused coupon of this member: the points go back to the lots they came from. */
  cancelCoupon(sent: SentCall, claimId: string): Promise<LedgerReply<ClaimWithBalanceView, false>> {
    const call = this.settle(sent);
    return this.write(
      call,
      async (state, ctx) => {
        const claim = await readClaim(this.db, call.programId, claimId);
        if (!claim || claim.memberId !== call.memberId) throw new DomainError("coupon_not_found", "No such coupon in this program.");
        const redemption = claim.redemptionId === null ? null : await this.redemptionOf(call, state, claim.redemptionId);
        const plan = cancelCoupon(state, claim, redemption, ctx);
        return withBalance(plan, claimView(plan.result.claim), call.settings, ctx.now);
      },
      { lots: "all" },
    );
  }

  /** Expires a coupon past its validity (the job's work); a coupon no longer due is left alone. */
  expireCoupon(sent: SentCall, claimId: string): Promise<LedgerReply<{ expired: boolean; reservationId: string | null }, false>> {
    const call = this.settle(sent);
    return this.write(
      call,
      async (state, ctx) => {
        const claim = await readClaim(this.db, call.programId, claimId);
        if (!claim || claim.memberId !== call.memberId) return { plan: null, value: { expired: false, reservationId: null } };
        const redemption = claim.returnPointsOnExpiry && claim.redemptionId !== null ? await this.redemptionOf(call, state, claim.redemptionId) : null;
        const plan = expireCoupon(state, claim, redemption, ctx);
        return { plan, value: { expired: plan !== null, reservationId: claim.reservationId } };
      },
      { lots: "all" },
    );
  }

  // Referrals (src/referrals): each side's points through that member's own object, keyed by the referral.

  /** Enrollment with a referral code or fingerprints: the referral is judged and recorded in the enrollment's batch. */
  enrollReferred(sent: SentCall, input: EnrollInput, referral: ReferralEnrollment): Promise<LedgerReply<ReferredEnrollment, boolean>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const work = await enrollReferred(this.db, call, state, input, referral, ctx);
      return { ...work, created: work.value.created };
    });
  }

  /** The referrer's side of a referral: reward it when due (cap checked here), then complete or cancel it; a repeat does nothing. */
  creditReferral(sent: SentCall, referralId: string): Promise<LedgerReply<ReferralStep, false>> {
    const call = this.settle(sent);
    return this.write(call, (state, ctx) => advanceReferrer(this.db, call, state, referralId, this.giftMeans(call), ctx), { lots: "all" });
  }

  /** The referee's side: credited once, after the referrer's object rewarded the referral. */
  creditReferee(sent: SentCall, referralId: string): Promise<LedgerReply<ReferralStep, false>> {
    const call = this.settle(sent);
    return this.write(call, (state, ctx) => rewardReferee(this.db, call, state, referralId, this.giftMeans(call), ctx));
  }

  /** A referral's catalog reward takes its unit from the reward's object before the batch, as a claim does (claim-flow.ts). */
  private giftMeans(call: LedgerCall): GiftMeans {
    const now = clock(call).getTime();
    const stock: GiftStock = {
      needsUnit: usesStockObject,
      reserve: async (reward, reservationId) => {
        const answer = await rewardStockOf(this.env, call.programId, reward.id).reserve(stockIdentity(call.programId, reward), reservationId, now);
        return answer.ok ? { ok: true, code: answer.reservation.code } : { ok: false };
      },
      confirm: async (rewardId, reservationId) => void (await rewardStockOf(this.env, call.programId, rewardId).confirm(reservationId)),
      release: async (rewardId, reservationId) => void (await rewardStockOf(this.env, call.programId, rewardId).release(reservationId)),
    };
    return { stock, newReservationId: () => `rsv_${ulid()}` };
  }

  // Memberships (src/memberships): kept beside the member's ledger, changed one call at a time like it.

  startMembership(sent: SentCall, input: StartMembershipInput): Promise<LedgerReply<MembershipView, true>> {
    const call = this.settle(sent);
    // The memberships change here: the multiplier's cache is read afresh by the next accrual.
    return this.write(call, async (state, ctx) => {
      this.held = null;
      return { ...(await startMembership(this.db, call, state, input, ctx)), created: true as const };
    });
  }

  changeMembership(sent: SentCall, change: MembershipChange): Promise<LedgerReply<MembershipView, false>> {
    const call = this.settle(sent);
    return this.write(call, (state, ctx) => {
      this.held = null;
      return changeMembership(this.db, call, state, change, ctx);
    });
  }

  /** Lapses the member's memberships past their paidUntil (the lapse job's work); a second run finds none. */
  lapseMemberships(sent: SentCall): Promise<LedgerReply<{ lapsed: string[] }, false>> {
    const call = this.settle(sent);
    return this.write(call, (state, ctx) => {
      this.held = null;
      return lapseMemberships(this.db, call, state, ctx);
    });
  }

  /**
   * Posts an activity: one per member, type and reference (a second is
   * refused with the first). It earns by the activity rules in force at its
   * occurredAt (`call.rules`), within the member's limits and the campaigns'
   * budgets; a pending one earns only when confirmed.
   */
  recordActivity(sent: SentCall, input: ActivityInput): Promise<LedgerReply<ActivityView, true>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const member = requireMember(state, call.memberId);
      const original = await readActivityByReference(this.db, call.programId, call.memberId, input.type, input.reference);
      if (original) throw activityAlreadyRecorded(original);
      if (input.pending) {
        const plan = recordActivity(state, call.memberId, input, null, ctx);
        return { ...withBalance(plan, plan.result, call.settings, ctx.now), created: true };
      }
      const campaigns = await this.campaignsFor(call, state, input.occurredAt);
      const { plan, reservation } = await this.withBudgets(call, campaigns.rules, ctx.now, (budgetLeft) =>
        recordActivity(state, call.memberId, input, evaluateActivity(input, member, { ...campaigns, budgetLeft }, call.settings), ctx),
      );
      return { ...withBalance(plan, plan.result, call.settings, ctx.now), created: true, budget: reservation };
    });
  }

  /** A pending activity passed moderation: it earns now, by the rules in force when it occurred (`call.rules`). */
  confirmActivity(sent: SentCall, activityId: string): Promise<LedgerReply<ActivityView, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const member = requireMember(state, call.memberId);
      const activity = await this.activityOf(call, activityId);
      requirePending(activity);
      const campaigns = await this.campaignsFor(call, state, activity.occurredAt);
      const { plan, reservation } = await this.withBudgets(call, campaigns.rules, ctx.now, (budgetLeft) =>
        confirmActivity(state, activity, evaluateActivity(activity, member, { ...campaigns, budgetLeft }, call.settings), ctx),
      );
      return { ...withBalance(plan, plan.result, call.settings, ctx.now), budget: reservation };
    });
  }

  rejectActivity(sent: SentCall, activityId: string): Promise<LedgerReply<ActivityView, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const plan = rejectActivity(state, await this.activityOf(call, activityId), ctx);
      return withBalance(plan, plan.result, call.settings, ctx.now);
    });
  }

  /**
   * The year's birthday bonus on the member's day in the program's time zone,
   * by the birthday rules in force (`call.rules`): once per member and year
   * (member_bonuses), so a second run or an overlapping one gives nothing.
   */
  grantBirthday(sent: SentCall): Promise<LedgerReply<BirthdayResult, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const year = localDate(ctx.now, call.settings.timeZone).year;
      const skipped = (why: BirthdayResult["skipped"]) => ({ plan: null, value: { year, points: 0, skipped: why } });
      if (!state.member?.birthday || !celebratesOn(state.member.birthday, localDate(ctx.now, call.settings.timeZone))) return skipped("not_today");
      if (await bonusGiven(this.db, call.programId, call.memberId, birthdayBonusKey(year))) return skipped("already_given");
      const campaigns = await this.campaignsFor(call, state, ctx.now.toISOString());
      const { plan, reservation } = await this.withBudgets(call, campaigns.rules, ctx.now, (budgetLeft) =>
        birthdayBonus(state, { ...campaigns, budgetLeft }, false, ctx),
      );
      // The budgets may leave nothing: then nothing is written, and a later run may still give it today.
      if (!plan || plan.result.points === 0) return { ...skipped("no_points"), budget: reservation };
      return { plan, value: plan.result, budget: reservation };
    });
  }

  /** A manual credit or debit (customer service); a debit takes the soonest-expiring points and never makes debt. */
  /** `audit`: the operator's audit row, completed with what the adjustment did and written in its batch (a replay writes none). */
  adjust(sent: SentCall, input: AdjustmentInput, audit?: AuditRow): Promise<LedgerReply<AdjustmentView, true>> {
    const call = this.settle(sent);
    return this.write(
      call,
      (state, ctx) => {
        const plan = adjust(state, call.memberId, input, ctx);
        if (audit) plan.audit = [{ ...audit, after: JSON.stringify(adjustmentAudit(plan.result)) }];
        return { ...withBalance(plan, plan.result, call.settings, ctx.now), created: true };
      },
      { lots: (state, now) => input.points > 0 || loadedLotsCover(state, -input.points, now) },
    );
  }

  /**
   * One import's lines of this member, in ONE batch: enrolled if new, profile
   * and tier set, opening lots credited with their own dates. The batch marks
   * the lines done, and the lines already done are read first (only for a
   * member that exists: a new member has none), so a redelivered chunk or a
   * re-sent call posts nothing twice.
   */
  importMember(sent: SentCall, input: { importId: string; lines: ImportLine[] }): Promise<LedgerReply<ImportMemberResult, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const done = state.member ? await appliedLines(this.env.DB, call.programId, input.importId, call.memberId) : new Set<number>();
      const plan = importMember(state, call.memberId, input.importId, input.lines, done, ctx);
      return { plan, value: plan?.result ?? { created: false, applied: [], points: 0 } };
    });
  }

  // Scheduled work: jobs find candidates in D1, the object re-checks its own state and
  // writes only what is still due, so a repeated or overlapping run changes nothing.

  /** Expires one batch of due lots; the reply says whether more are due. */
  expirePoints(sent: SentCall): Promise<LedgerReply<ExpiryResult, false>> {
    const call = this.settle(sent);
    return this.write(
      call,
      (state, ctx) => {
        const plan = expireDue(state, ctx);
        return { plan, value: plan?.result ?? { lots: 0, points: 0, more: false } };
      },
      { sweepIdle: false, lots: "all" },
    );
  }

  warnExpiring(sent: SentCall): Promise<LedgerReply<{ warnings: ExpiringPoints[] }, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      const warned = await readWarnedExpiries(this.db, call.programId, call.memberId, ctx.now);
      const plan = warnExpiring(state, warned, ctx);
      return { plan, value: plan?.result ?? { warnings: [] } };
    }, { lots: "all" });
  }

  /**
   * `read` is what the job read of the member in D1 (see TierReading): its
   * window total stands for this object's state only at the same version, so
   * at another the object reads the total itself.
   */
  reviewTier(sent: SentCall, read?: Pick<TierReading, "version" | "windowQualifying">): Promise<LedgerReply<TierReviewResult | { change: null }, false>> {
    const call = this.settle(sent);
    return this.write(call, async (state, ctx) => {
      let windowQualifying: number | null;
      if (read && state.member?.version === read.version) windowQualifying = read.windowQualifying;
      else {
        const totals = await readQualifying(this.db, call.programId, call.memberId, call.memberId, call.settings, ctx.now);
        windowQualifying = totals ? (totals.get(call.memberId) ?? 0) : null;
      }
      const plan = reviewTier(state, windowQualifying, ctx);
      return { plan, value: plan?.result ?? { change: null } };
    });
  }

  /** Reads go through the object too, so they see every write that came before them. */
  getBalance(sent: SentCall): Promise<LedgerReply<Balance, false>> {
    const call = this.settle(sent);
    return this.read(call, (state, now) => balanceOf(state, call.settings, now));
  }

  getMember(sent: SentCall): Promise<LedgerReply<MemberView, false>> {
    const call = this.settle(sent);
    return this.read(call, (state, now) => memberView(state, call.settings, now));
  }

  /** Lapses the holds whose time ran out (the alarm's job; jobs and tests may call it too). */
  lapseHolds(sent: Omit<SentCall, "idempotency">): Promise<string[]> {
    const call = this.settle(sent);
    return this.serialized(async () => {
      try {
        return (await this.currentState({ ...call, idempotency: null }, clock(call))).lapsed;
      } catch (error) {
        if (isTransientD1Error(error)) this.forget();
        throw error;
      }
    });
  }

  override async alarm(): Promise<void> {
    const identity = await this.ctx.storage.get<{ programId: string; memberId: string }>("identity");
    if (!identity) return;
    const [program] = await this.db.select().from(programs).where(eq(programs.id, identity.programId));
    if (!program) return;
    const settings = ProgramSettingsSchema.parse(JSON.parse(program.settings));
    await this.lapseHolds({ ...identity, settings, partnerId: null });
  }

  // ------------------------------------------------------------ internals

  /**
   * Awaiting D1 is not storage I/O, so the input gate lets other calls in
   * while one waits on its batch. This queue is what keeps them apart.
   */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private read<T>(call: LedgerCall, view: (state: MemberState, now: Date) => T): Promise<LedgerReply<T, false>> {
    return this.answer(async () => {
      const now = clock(call);
      const { state } = await this.currentState(call, now);
      if (!state.member) throw memberNotFound(call.memberId);
      return { ok: true, value: view(state, now), replayed: false };
    });
  }

  /**
   * Runs one call in turn. Domain errors travel back as data; so does D1
   * refusing or losing work (overloaded, timed out), after which nothing
   * cached is trusted: whether a batch landed is unknown until D1 is read
   * again. Anything else stays an exception (a 500).
   */
  private answer<T, C extends boolean>(work: () => Promise<LedgerReply<T, C>>): Promise<LedgerReply<T, C>> {
    return this.serialized(async () => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof DomainError) return { ok: false, error: error.toFailure(), replayed: false };
        // Valid input can still multiply past safe integers under a program's rates: refuse it, nothing was written.
        if (error instanceof BeyondSafeIntegers) return { ok: false, error: outOfRange().toFailure(), replayed: false };
        if (isTransientD1Error(error)) {
          this.forget();
          console.log(JSON.stringify({ level: "warn", message: "D1 refused the member's work", error: errorMessages(error).at(-1) }));
          return { ok: false, error: databaseUnavailable().toFailure(), replayed: false };
        }
        throw error;
      } finally {
        // Lots added since the load (or all of them, loaded for one operation) are let go: the next load is a window again.
        if (this.cached && this.cached.lots.length > 2 * this.lotWindow) this.forget();
      }
    });
  }

  /**
   * A refund's plan. An order kept here whose lot is open takes that lot's remaining points from the
   * loaded lots, and needs D1 only when the refund reaches past them into what the lot lost to expiry
   * (not kept in memory): the plan is then made again on the lot as D1 holds it.
   */
  private async refundPlan(call: LedgerCall, state: MemberState, input: RefundInput, ctx: OpContext): Promise<Plan<RefundResult>> {
    const issuer = call.partnerId ?? "";
    const kept = this.orders.get(orderKey(issuer, input.orderId));
    const open = kept?.order.lotId ? state.lots.find((lot) => lot.id === kept.order.lotId) : undefined;
    if (kept && (!kept.order.lotId || open)) {
      const lot = open ? { id: open.id, remaining: open.remaining, expired: 0 } : null;
      const plan = refund(state, call.memberId, kept.order, lot, input, ctx, kept.earning);
      if (!lot || plan.result.fromLot === plan.result.pointsClawedBack) return plan;
    }
    const read = await readRefundable(this.db, call.programId, issuer, input.orderId);
    if (!read || read.order.memberId !== call.memberId) {
      throw new DomainError("order_not_found", `No order '${input.orderId}' of this member was accrued by this caller.`);
    }
    this.keepOrder(read.order, read.earning);
    return refund(state, call.memberId, read.order, read.lot, input, ctx, read.earning);
  }

  private keepOrder(order: OrderRecord, earning: OrderEarning | null): void {
    const key = orderKey(order.issuer, order.orderId);
    this.orders.delete(key);
    if (this.orders.size >= MAX_KEPT_ORDERS) this.orders.delete(this.orders.keys().next().value!);
    this.orders.set(key, { order, earning });
  }

  /** What a committed plan did to orders, on the kept ones. */
  private keepOrdersOf(plan: Plan<unknown>): void {
    if (plan.newOrder) this.keepOrder(plan.newOrder, plan.newOrderEarning ?? null);
    if (plan.orderRefund) {
      const { issuer, orderId, refundedAmount, clawedBackPoints } = plan.orderRefund;
      const kept = this.orders.get(orderKey(issuer, orderId));
      if (kept) this.keepOrder({ ...kept.order, refundedAmount, clawedBackPoints }, plan.orderEarningUpdate ?? kept.earning);
    }
  }

  /** The call with its settings parsed: a text this object parsed last is not parsed again. */
  private settle<C extends Omit<SentCall, "idempotency">>(sent: C): Omit<C, "settings" | "settingsText"> & { settings: ProgramSettings } {
    const { settingsText, settings, ...rest } = sent;
    if (settings) return { ...rest, settings };
    const text = settingsText!;
    // The Worker sends the text of settings it validated (readSettings): a fresh object (5,000 of them in
    // a bulk file) pays a JSON.parse, not the schema.
    if (this.keptSettings?.text !== text) this.keptSettings = { text, settings: JSON.parse(text) as ProgramSettings };
    return { ...rest, settings: this.keptSettings.settings };
  }

  /** Drops the cached state; the next call reads the member from D1 (and the closed period with it). */
  private forget(): void {
    this.cached = null;
    this.orders.clear();
    this.segmentFacts = null;
    this.grants.clear();
    this.ordered = null;
  }

  /**
   * What the campaign rules in force need of this member: the grants of the
   * limited ones (read once, then kept with the state), whether an order is on
   * record (only when a rule asks for the first order), and the budgets left.
   */
  private async campaignsFor(call: LedgerCall, state: MemberState, occurredAt: string, rules: ActiveRule[] = call.rules ?? []): Promise<AccrualCampaigns> {
    const membershipPercent = state.member ? await this.membershipPercent(call, new Date(occurredAt)) : 100;
    if (rules.length === 0) return { rules, grants: [], budgetLeft: new Map(), firstOrder: state.member === null, membershipPercent };
    // Plans in force when the trigger occurred: what plan conditions and early access read.
    const plans = state.member ? plansInForce(this.held ?? [], new Date(occurredAt)) : undefined;
    const wanted = grantsSince(rules, new Date(occurredAt), call.settings.timeZone).filter(({ campaignId, ruleId, since }) => {
      const have = this.grants.get(`${campaignId}/${ruleId}`);
      return !have || (have.since !== null && (since === null || since < have.since));
    });
    if (wanted.length > 0) {
      const read = await readRuleGrants(this.db.$client, call.programId, call.memberId, wanted);
      for (const { campaignId, ruleId, since } of wanted) {
        this.grants.set(`${campaignId}/${ruleId}`, { since, grants: read.filter((g) => g.campaignId === campaignId && g.ruleId === ruleId) });
      }
    }
    const grants = [...new Set(rules.map((r) => `${r.campaignId}/${r.rule.id}`))].flatMap((key) => this.grants.get(key)?.grants ?? []);
    let firstOrder = state.member === null;
    if (!firstOrder && rules.some((r) => r.rule.conditions.firstOrder !== undefined)) {
      this.ordered ??= await hasOrdered(this.db.$client, call.programId, call.memberId);
      firstOrder = !this.ordered;
    }
    // Segments as kept by the member's last batch, read only when a rule names them.
    const segmentIds = rules.some((r) => r.rule.conditions.segments !== undefined) ? await keptSegmentIds(this.db, call.programId, call.memberId) : [];
    // Budgets are not read here: the write path reserves them on their own objects (withBudgets).
    return { rules, grants, budgetLeft: new Map(), firstOrder, membershipPercent, segmentIds, plans };
  }

  /** The rules of a trigger in force at `at`: from the rule set the call names by version, else as the call carries them. */
  private async rulesFor(call: LedgerCall, at: Date, triggerType: RuleTrigger["type"], sent: ActiveRule[] | undefined): Promise<ActiveRule[]> {
    if (call.rulesVersion === undefined) return sent ?? [];
    const set = await ruleSetAtLeast(this.env.DB, call.programId, call.settings, call.rulesVersion, clock(call));
    return rulesInForce(set.rules, at, triggerType);
  }

  /** The best earning multiplier of the memberships in force when the order occurred. */
  private async membershipPercent(call: LedgerCall, at: Date): Promise<number> {
    this.held ??= await heldMemberships(this.db, call.programId, call.memberId);
    return membershipEarningPercent(this.held, at);
  }

  /**
   * Builds a plan whose rules may draw on campaign budgets: evaluated as if
   * they were open, each draw reserved on its budget's object, evaluated
   * again with what was granted (see buildWithBudgets). The write path
   * confirms the reservation once the plan commits.
   */
  private async withBudgets<P extends Plan<unknown> | null>(
    call: LedgerCall,
    rules: readonly ActiveRule[],
    now: Date,
    build: (budgetLeft: ReadonlyMap<string, number>) => P,
  ): Promise<{ plan: P; reservation: BudgetReservation | null }> {
    const built = await buildWithBudgets<NonNullable<P>>(this.env, call.programId, budgetLimits(rules, call.settings), `bdr_${ulid()}`, now.getTime(), build);
    // A build that never answers null gets its plan back as it built it.
    return { plan: built.plan as P, reservation: built.reservation };
  }


  /**
   * The write path every ledger operation shares: build the plan, commit it
   * together with the Idempotency-Key and the response it will replay, and
   * sort out what a constraint caught. A known key is not read up front: a
   * retry of a request that already committed fails on its own (its key or
   * its order is stored, or the points are gone), and only then is the
   * stored answer looked up. That keeps the first attempt at one D1 batch.
   * A business refusal is kept for its key in the round trip that looks the
   * key up (see refuse), so a retry is answered alike whatever changed since.
   */
  private write<T, C extends boolean>(call: LedgerCall, build: Builder<T, C>, options: WriteOptions = {}): Promise<LedgerReply<T, C>> {
    return this.answer(async (): Promise<LedgerReply<T, C>> => {
      const now = clock(call);
      for (let attempt = 0; ; attempt++) {
        let plan: Plan<unknown> | null = null;
        let budget: BudgetReservation | null = null;
        let stock: StockFollowUp = {};
        // A preload serves the first attempt only: a retry reads D1, as after any failed batch.
        const preloaded = attempt === 0 && (await this.adopt(call, now, options.preload));
        try {
          const state = await this.stateFor(call, now, options);
          // Kept for the object's life, like the state: the segments' plan conditions read them on every commit,
          // and a write that never earns (a redemption) would otherwise have them read again each time.
          this.held ??= await heldMemberships(this.db, call.programId, call.memberId);
          const built = await build(state, this.context(call, now));
          plan = built.plan;
          budget = built.budget ?? null;
          stock = built.stock ?? {};
          const outcome = { ok: true as const, value: built.value, created: built.created };
          if (!plan) {
            if (budget) await releaseBudgets(this.env, call.programId, budget);
            await stock.afterRefusal?.();
            return { ...outcome, replayed: false };
          }
          await this.commit(call, plan, call.idempotency ? { claim: call.idempotency, outcome } : null, now, built.extra);
          if (budget) await confirmBudgets(this.env, call.programId, budget, plan.budgetDraws ?? []);
          // A confirm lost here is the reward's reconcile's: it finds the claim in D1.
          await stock.afterCommit?.();
          await this.giveBack(call, plan);
          return { ...outcome, replayed: false };
        } catch (error) {
          // D1 refused or lost the work: no lookup adds to its load; the caller retries with the same key.
          // A reservation of a batch whose outcome is unknown is left to lapse: reconciling finds out whether it landed.
          if (isTransientD1Error(error)) throw error;
          const conflict = error instanceof DomainError || error instanceof BeyondSafeIntegers ? null : classifyCommitError(error);
          // Refused before the batch, or the batch failed whole on a constraint: the reserved points are free again.
          if (budget && conflict !== "unknown") await releaseBudgets(this.env, call.programId, budget);
          if (conflict !== "unknown") await stock.afterRefusal?.();
          // A budget reservation lapsed and was released before the batch landed: reserve again.
          if (conflict === "budget_lapsed" && attempt < 2) continue;
          if (preloaded && (conflict === null || conflict === "stale_version")) {
            // Refused, or the member changed since the route read them: decide again on what the object reads itself.
            this.forget();
            this.held = null;
            continue;
          }
          if (conflict === null) return this.refuse<T, C>(call, error instanceof DomainError ? error : outOfRange(), now);
          // A retry of what already committed (most often an accrual: its order is caught first) replays.
          if (call.idempotency) {
            const stored = await readStoredResponse(this.db, call.programId, call.idempotency);
            if (stored) return replay<T, C>(stored, call.idempotency);
          }
          // Another post of the same activity landed first (the object read none): refuse with it.
          if (conflict === "activity" && plan?.newActivity) {
            const { type, reference } = plan.newActivity;
            const original = await readActivityByReference(this.db, call.programId, call.memberId, type, reference);
            if (original) return this.refuse<T, C>(call, activityAlreadyRecorded(original), now);
          }
          if (conflict === "order") {
            const refusal = plan?.newOrder ? await this.orderConflict(call, plan.newOrder) : orderAlreadyAccrued(null, null);
            return this.refuse<T, C>(call, refusal, now);
          }
          // Someone wrote around this object: the cache is gone, so build once more on fresh state.
          if (conflict === "stale_version" && attempt === 0) continue;
          if (conflict === "stale_version") throw new DomainError("concurrent_update", "The member changed meanwhile; retry the request.");
          if (conflict === "budget_lapsed") throw new DomainError("concurrent_update", "A campaign budget's reservation kept lapsing; retry the request.");
          // A settlement period closed while this was built: stamp the entries with the next open one.
          if (conflict === "period_closed" && attempt < 2) continue;
          // A coupon's use won the race with its cancel; a claim's stock reservation lapsed before it committed.
          if (conflict === "coupon_moved") return this.refuse<T, C>(call, new DomainError("coupon_already_used", "The coupon was used meanwhile."), now);
          if (conflict === "reservation_void") {
            return this.refuse<T, C>(call, new DomainError("reward_reservation_lapsed", "The reward's reservation lapsed before the claim committed; retry with a new Idempotency-Key."), now);
          }
          throw error;
        }
      }
    });
  }

  /**
   * A request the ledger refuses. Under an Idempotency-Key that already has an
   * answer (a retry of what committed, or of a refusal), that answer is
   * replayed. Otherwise a business refusal becomes the key's answer, in the
   * same round trip that looked the key up; a refusal that may not hold on a
   * retry (not found, concurrent update, bad input) leaves the key free.
   */
  private async refuse<T, C extends boolean>(call: LedgerCall, refusal: DomainError, now: Date): Promise<LedgerReply<T, C>> {
    const claim = call.idempotency;
    if (!claim) throw refusal;
    const stored =
      claim.storeRefusals !== false && STORED_REFUSALS.has(refusal.code)
        ? await storeRefusal(this.db, call.programId, call.memberId, claim, { ok: false, error: refusal.toFailure(), requestId: call.requestId }, now)
        : await readStoredResponse(this.db, call.programId, claim);
    if (stored) return replay<T, C>(stored, claim);
    throw refusal;
  }

  /** The plan's order had already earned: say so, and (only to the member's own caller) what it earned. */
  private async orderConflict(call: LedgerCall, order: { issuer: string; orderId: string }): Promise<DomainError> {
    const existing = await readOrder(this.db, call.programId, order.issuer, order.orderId);
    return orderAlreadyAccrued(order.orderId, existing?.memberId === call.memberId ? existing : null);
  }

  /**
   * The member's state, with what time alone has done applied first: any hold
   * whose time ran out lapses, and under the inactivity policy an idle
   * member's points expire (unless the caller is the expiry job, which
   * expires and counts them itself). Points past the idle deadline are gone
   * whether or not the job has come by: nothing may count, spend or (by new
   * activity resetting the clock) revive them. A tier the program no longer
   * has, or a tier the points reach since the program's tiers changed, is
   * placed anew, so no answer shows a tier the program does not have.
   */
  private async currentState(call: LedgerCall, now: Date, sweepIdle = true, allLots = false, erased: "refuse" | "allow" = "refuse"): Promise<{ state: MemberState; lapsed: string[] }> {
    this.cached = await this.load(call, now, allLots);
    // An erased member is gone for every caller: nothing is read, swept or written for them.
    if (this.cached.member?.erasedAt && erased === "refuse" && !call.job) throw memberNotFound(call.memberId);
    // Points go back to lots and idle points expire: those need every lot.
    const lapseDue = this.cached.holds.some((h) => Date.parse(h.holdExpiresAt!) <= now.getTime());
    if (this.cached.rest && (lapseDue || (sweepIdle && isIdle(this.cached.member, call.settings.expiry, now)))) {
      this.cached = await this.load(call, now, true);
    }
    const ctx = this.context(call, now);
    const lapse = lapseDueHolds(this.cached, ctx);
    if (lapse) await this.commit(call, lapse, null, now);
    if (sweepIdle && isIdle(this.cached.member, call.settings.expiry, now)) {
      // A bounded batch of lots per commit, as the job does.
      for (let sweep = expireDue(this.cached, ctx); sweep; sweep = expireDue(this.cached, ctx)) await this.commit(call, sweep, null, now);
    }
    await this.placeTier(call, now);
    return { state: this.cached, lapsed: lapse?.result.lapsed ?? [] };
  }

  /**
   * Takes the state the bulk route read for this member, as the object's own first
   * load would have read it, when the object holds none: an object that has run
   * keeps what it holds, which is never older than the route's read. A preload
   * read before another change of the member is caught as any stale state is:
   * the member's version no longer matches, the batch fails, and the write path
   * decides again on what it reads itself (as on any refusal made on a preload).
   */
  private async adopt(call: LedgerCall, now: Date, preload: MemberPreload | undefined): Promise<boolean> {
    if (!preload || this.cached) return false;
    this.cached = preload.state;
    this.orders.clear();
    this.loadedEpoch = call.cacheEpoch ?? 0;
    this.closedThrough = preload.closedThrough;
    this.identity = { programId: call.programId, memberId: call.memberId };
    this.held ??= preload.held;
    // The memberships were read against the segments as they stood then; the list the object sees now is what they are kept for.
    this.segmentFacts = { ...preload.segments, segments: await programSegments(this.db, call.programId, now.getTime()) };
    return true;
  }

  /** The state an operation needs: a window of lots unless it needs more (see LotsNeeded). */
  private async stateFor(call: LedgerCall, now: Date, options: WriteOptions): Promise<MemberState> {
    const lots = options.lots ?? "window";
    const sweepIdle = options.sweepIdle ?? true;
    let { state } = await this.currentState(call, now, sweepIdle, lots === "all", options.erased);
    if (typeof lots === "function" && !lots(state, now)) {
      // The window ran short: a fresh one starts where the spent lots ended; failing that, all of them.
      this.forget();
      ({ state } = await this.currentState(call, now, sweepIdle));
      if (!lots(state, now)) ({ state } = await this.currentState(call, now, sweepIdle, true));
    }
    return state;
  }

  /**
   * Loads the member unless cached: a window of lots, or all of them. A
   * window is dropped when its lots no longer suffice: the caller needs all,
   * or time has reached the first expiry among the lots it did not load.
   */
  private async load(call: LedgerCall, now: Date, allLots: boolean): Promise<MemberState> {
    if (this.cached?.rest && (allLots || restExpiring(this.cached.rest, now))) this.forget();
    // A job wrote members' changes around their objects since this state was loaded: it may be one of them.
    if (this.cached && call.cacheEpoch !== undefined && call.cacheEpoch > this.loadedEpoch) this.forget();
    // Absence is never trusted from memory: an import creates new members in D1 without their objects.
    if (this.cached?.member) return this.cached;
    this.orders.clear();
    let loaded = await readMemberState(this.db, call.programId, call.memberId, allLots ? null : { window: this.lotWindow, now });
    if (loaded.state.rest && restExpiring(loaded.state.rest, now)) loaded = await readMemberState(this.db, call.programId, call.memberId);
    this.cached = loaded.state;
    this.closedThrough = loaded.closedThrough;
    this.identity = { programId: call.programId, memberId: call.memberId };
    // Unknown to the caller: the lowest, so the next caller that knows one reloads.
    this.loadedEpoch = call.cacheEpoch ?? 0;
    return loaded.state;
  }

  private async placeTier(call: LedgerCall, now: Date): Promise<void> {
    const member = this.cached?.member;
    if (!member) return;
    if (holdsUnknownTier(member, call.settings)) {
      // The caller's settings may predate the change that gave the member this tier: ask D1, and answer by what it says.
      const [program] = await this.db.select({ settings: programs.settings }).from(programs).where(eq(programs.id, call.programId));
      if (program) call.settings = ProgramSettingsSchema.parse(JSON.parse(program.settings));
    }
    const unknown = holdsUnknownTier(member, call.settings);
    const totals = unknown ? await readQualifying(this.db, call.programId, call.memberId, call.memberId, call.settings, now) : null;
    const plan = placeTier(this.cached!, totals ? (totals.get(call.memberId) ?? 0) : null, this.context(call, now));
    if (plan) await this.commit(call, plan, null, now);
  }

  private context(call: LedgerCall, now: Date): OpContext {
    return { settings: call.settings, now, newId, partnerId: call.partnerId, closedThrough: this.closedThrough };
  }

  private async commit(call: LedgerCall, plan: Plan<unknown>, idempotency: Parameters<typeof commitPlan>[3], now: Date, extra: BatchItem<"sqlite">[] = []): Promise<void> {
    if (this.env.KPI_ROLLUPS !== "off") plan.kpi ??= kpiWritesOfPlan(plan, call.settings.timeZone);
    let segmentFacts: KeptSegmentFacts;
    try {
      // The plans in force come from the memberships the object keeps; a membership's own batch has dropped them, so
      // its segments read the plans from D1 here, and the next write reads the memberships afresh.
      const plans = this.held ? this.held.filter((h) => inForce(h.membership, now)).map((h) => h.membership.planId) : null;
      segmentFacts = await withSegmentChanges(this.db, call.programId, plan, balanceOf(plan.nextState, call.settings, now).available, this.context(call, now), this.segmentFacts, plans);
      await commitPlan(this.db, call.programId, plan, idempotency, now, extra);
    } catch (error) {
      // Failed, or an outcome we cannot know: reload from D1 next time.
      this.cached = null;
      this.segmentFacts = null;
      this.orders.clear();
      throw error;
    }
    this.cached = plan.nextState;
    this.segmentFacts = segmentFacts;
    if (plan.newOrder) this.ordered = true;
    this.keepOrdersOf(plan);
    for (const { campaignId, ruleId, points, at } of plan.ruleGrants ?? []) this.grants.get(`${campaignId}/${ruleId}`)?.grants.push({ campaignId, ruleId, points, at });
    // Awaited, so the events are queued before the caller hears back; a failed send never fails the
    // change, which has committed: the outbox sweep sends what the consumer never marked sent. An
    // event no endpoint listens for is left to the sweep too, which finds it unheard and marks it sent.
    const events = fromPlan(call.programId, plan.member.memberId, plan.events, now.toISOString());
    await publishCommitted(this.env, events.filter((event) => mayBeHeard(call.listening, event.type)));
    await this.scheduleHoldAlarm();
  }

  private async scheduleHoldAlarm(): Promise<void> {
    const next = this.cached?.holds.map((h) => Date.parse(h.holdExpiresAt!)).sort((a, b) => a - b)[0];
    if (next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current !== null && current <= next) return;
    // Only the alarm needs to know whose object this is; an object without holds writes nothing to its storage.
    if (this.identity) await this.ctx.storage.put("identity", this.identity);
    await this.ctx.storage.setAlarm(next);
  }

  /** A committed plan's returns to campaign budgets (a refund's): each budget's object counts them once. */
  private async giveBack(call: LedgerCall, plan: Plan<unknown>): Promise<void> {
    const byReturn = new Map<string, { campaignId: string; points: number }[]>();
    for (const row of plan.budgetDrawRows ?? []) {
      if (row.kind === "return") byReturn.set(row.reservationId, [...(byReturn.get(row.reservationId) ?? []), { campaignId: row.campaignId, points: -row.points }]);
    }
    for (const [returnId, returned] of byReturn) await giveBackBudgets(this.env, call.programId, returnId, returned);
  }

  private async activityOf(call: LedgerCall, activityId: string): Promise<ActivityRecord> {
    const activity = await readActivity(this.db, call.programId, call.memberId, activityId);
    if (!activity) throw new DomainError("activity_not_found", `No activity '${activityId}' of this member.`);
    return activity;
  }

  /** An open hold is in the cached state with its allocations; anything else is read from D1. */
  private async redemptionOf(call: LedgerCall, state: MemberState, redemptionId: string): Promise<RedemptionWithAllocations> {
    const hold = state.holds.find((h) => h.id === redemptionId);
    if (hold) return hold;
    const redemption = await readRedemption(this.db, call.programId, redemptionId);
    if (!redemption || redemption.memberId !== call.memberId) throw redemptionNotFound(redemptionId);
    return redemption;
  }
}

/** Time has reached a lot the window did not load: it must be loaded to expire or to stop counting. */
function restExpiring(rest: RestOfLots, now: Date): boolean {
  const first = rest.expiries[0];
  return first !== undefined && Date.parse(first.expiresAt) <= now.getTime();
}

function clock(call: { now?: number }): Date {
  return new Date(call.now ?? Date.now());
}

/**
 * Business refusals: the ledger's rules decided against the request as it
 * stands, so the same key and body answer the same (conflicts and rule
 * refusals alike). Not here: a missing member, order or redemption (the
 * request may be early; a retry under the same key may post once it exists),
 * bad input,
 * concurrent_update (in flight) and idempotency_key_reused (the key has its
 * own answer already).
 */
export const STORED_REFUSALS: ReadonlySet<DomainCode> = new Set<DomainCode>([
  "insufficient_points",
  "below_minimum_redemption",
  "currency_mismatch",
  "refund_exceeds_order",
  "amount_out_of_range",
  "unknown_tier",
  "order_already_accrued",
  "redemption_not_capturable",
  "redemption_not_cancellable",
  "hold_expired",
  "reward_limit_reached",
  "reward_not_available",
  "coupon_already_used",
  "coupon_not_cancellable",
  "reward_reservation_lapsed",
  "membership_exists",
  "membership_not_active",
  "membership_plan_archived",
  "paid_until_not_later",
  "activity_already_recorded",
  "activity_not_pending",
]);

function outOfRange(): DomainError {
  return new DomainError("amount_out_of_range", "At this program's rates the points or their value would exceed the numbers the ledger can hold exactly.");
}

function withBalance<R extends object>(plan: Plan<unknown>, result: R, settings: ProgramSettings, now: Date): { plan: Plan<unknown>; value: WithBalance<R> } {
  return { plan, value: { ...result, balance: balanceOf(plan.nextState, settings, now) } };
}

function replay<T, C extends boolean>(stored: StoredResponse, claim: IdempotencyClaim): LedgerReply<T, C> {
  // An erased record has no request hash left to compare: whatever is sent under its key, the key is spent.
  if (!stored.erased && stored.requestHash !== claim.requestHash) {
    throw new DomainError("idempotency_key_reused", `Idempotency-Key '${claim.key}' was already used with a different request.`);
  }
  // The stored value comes back from D1 as JSON. Its request hash names the route, so it is this
  // method's own earlier answer: the one place the object's reply types rest on the record.
  return { ...(stored.outcome as StoredOutcome<T, C>), replayed: true };
}

function orderAlreadyAccrued(orderId: string | null, original: { accrualId: string; earnedPoints: number } | null): DomainError {
  // Only the member's own order reveals what it earned.
  const extras = original ? { accrualId: original.accrualId, points: original.earnedPoints } : {};
  return new DomainError("order_already_accrued", orderId === null ? "This order has already earned points." : `Order '${orderId}' has already earned points.`, extras);
}

/** What an adjustment's audit row says it did: ids and points, and the operator's reason (scrubbed with the member's data on erasure). */
function adjustmentAudit(result: AdjustmentResult) {
  return { adjustmentId: result.adjustmentId, points: result.points, reason: result.reason, lotId: result.lot?.id ?? null, expiresAt: result.lot?.expiresAt ?? null, debtPaid: result.debtPaid };
}
