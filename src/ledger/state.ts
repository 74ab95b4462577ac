// The member's ledger state as the domain sees it: plain data, no storage.
import type { AuditRow } from "../audit/audit";
import type { EarnLine } from "../campaigns/evaluate";
import type { Entry } from "./entries";
import type { OutboxEvent } from "./events";
import type { KpiWrites } from "../kpis/rollups";
import type { ClaimRecord, ClaimStatus } from "../rewards/types";
import type { MemberStatsWrite } from "../segments/batch";

export interface MemberRecord {
  memberId: string;
  email: string | null;
  name: string | null;
  attributes: Record<string, unknown>;
  tier: string | null;
  qualifyingPoints: number;
  lifetimeEarned: number;
  debt: number;
  version: number;
  lastActivityAt: string | null;
  /** Grace end of a tier the member no longer deserves; null when no downgrade is pending. */
  tierDowngradeAt: string | null;
  /** A tier granted by hand stays until then. */
  tierLockedUntil: string | null;
  enrolledAt: string;
  updatedAt: string;
  /** Optional: month and day, the year if given (absent in records built before birthdays existed). */
  birthday?: { month: number; day: number; year: number | null } | null;
  /** Set once the member's personal data was erased (absent otherwise); null clears it on a re-enrollment. */
  erasedAt?: string | null;
  /** Marketing consent, when and how it was given or withdrawn; null or absent when never said. */
  marketingConsent?: { granted: boolean; at: string; source: string } | null;
}

/** A lot with points left (remaining > 0), the only lots the hot path reads. */
export interface OpenLot {
  id: string;
  partnerId: string | null;
  orderId: string | null;
  points: number;
  remaining: number;
  earnedAt: string;
  availableAt: string;
  expiresAt: string | null;
}

/** The lot as it was issued: everything but its remaining points. */
export type LotIssue = Omit<OpenLot, "remaining">;

export interface HeldAllocation {
  lotId: string;
  points: number;
  lot: LotIssue;
}

export interface Redemption {
  id: string;
  memberId: string;
  partnerId: string | null;
  status: "held" | "captured" | "cancelled" | "lapsed" | "reversed";
  points: number;
  valueAmount: number;
  currency: string;
  orderId: string | null;
  channel: string | null;
  holdExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A redemption with the lots it took its points from. */
export interface RedemptionWithAllocations extends Redemption {
  allocations: HeldAllocation[];
}

/**
 * The open lots a member's object did not load: all past their pending
 * period, none expired before `expiries[0]`, and all after `after` in spending
 * order, so no operation that works on the loaded lots reaches them.
 */
export interface RestOfLots {
  points: number;
  /** Their first expiry dates (up to the balance's five), soonest first. */
  expiries: { expiresAt: string; points: number }[];
  /** The last loaded lot in spending order: every lot up to it is loaded. */
  after: Pick<OpenLot, "id" | "expiresAt" | "earnedAt">;
}

export interface MemberState {
  member: MemberRecord | null;
  /** Open lots: all of them, or (with `rest`) the first in spending order, the pending ones and those added since. */
  lots: OpenLot[];
  /** What the lots not loaded add up to; absent or null when `lots` are all of them. */
  rest?: RestOfLots | null;
  /** Open holds only: status "held". */
  holds: RedemptionWithAllocations[];
}

export interface OrderRecord {
  issuer: string;
  orderId: string;
  memberId: string;
  accrualId: string;
  lotId: string | null;
  amount: number;
  currency: string;
  earnedPoints: number;
  refundedAmount: number;
  clawedBackPoints: number;
  createdAt: string;
}

/** An order's campaign lines as refunds by item need them. */
export interface OrderEarning {
  issuer: string;
  orderId: string;
  breakdown: EarnLine[];
  refundedItems: { sku: string; quantity: number }[];
  returned: { campaignId: string; points: number }[];
}

/** An activity a member earns points for (a review, a share, a survey), as stored. */
export interface ActivityRecord {
  id: string;
  memberId: string;
  type: string;
  reference: string;
  status: "pending" | "confirmed" | "rejected";
  occurredAt: string;
  attributes: Record<string, unknown>;
  points: number;
  entryId: string | null;
  lotId: string | null;
  /** The evaluator's lines for the points (EarnLine[]), kept for the history. */
  breakdown: unknown[];
  createdAt: string;
  updatedAt: string;
}

export type { Entry, EntryType } from "./entries";
export type { EventType, OutboxEvent } from "./events";

/**
 * Everything one operation writes, committed as ONE D1 batch by the member's
 * Durable Object. `nextState` is what the object caches once the batch
 * committed, and what the response's balance is computed from.
 */
export interface Plan<Result> {
  member: MemberRecord;
  /**
   * The member as the state this plan was built on holds it: what D1 holds at the version the plan
   * steps from, so the batch writes only the columns that differ (src/members/store.ts). Absent: all.
   */
  memberBefore?: MemberRecord | null;
  memberIsNew: boolean;
  newLots: OpenLot[];
  /** Changes to lots' remaining points and (`expired`) to what they lost to expiry. */
  lotDeltas: { lotId: string; delta: number; expired?: number }[];
  entries: Entry[];
  newOrder: OrderRecord | null;
  orderRefund: { issuer: string; orderId: string; refundedAmount: number; clawedBackPoints: number } | null;
  newRedemption: Redemption | null;
  redemptionUpdates: { id: string; fromStatus: Redemption["status"]; status: Redemption["status"] }[];
  allocations: { redemptionId: string; lotId: string; points: number }[];
  events: OutboxEvent[];
  /** Expiry dates this plan warns about: each recorded once per member (see expiry_warnings). */
  expiryWarnings?: { expiresAt: string; points: number }[];
  /** What the change adds to the KPI rollups (src/kpis/rollups.ts), committed in the same batch. */
  kpi?: KpiWrites | null;
  /** Facts a capability counts in the KPIs, on the program's local day of `at`: 'referral_conversions', 'activity:<type>'. */
  kpiCounts?: { name: string; at: string }[];
  /** Reward claims (with their coupons) this plan writes, and claims whose coupon it moves out of `issued`. */
  rewardClaims?: { inserts: ClaimRecord[]; updates: { id: string; status: Exclude<ClaimStatus, "issued" | "donated"> }[] };
  /** Spend per category of the order's lines (an accrual that names them), for the member's statistics. */
  orderCategories?: Record<string, number>;
  /** The member's statistics after this plan and the segments they enter and leave (src/segments/batch.ts). */
  memberStats?: MemberStatsWrite;
  /**
   * Campaign rules' points to the member, recorded for limits, cooldowns and the campaigns' stats (member_rule_grants).
   * A grant no limit or cooldown counts (`counted: false`) is only the stats': it waits in the pending KPI row.
   */
  ruleGrants?: { campaignId: string; version: number; ruleId: string; points: number; at: string; entryId: string; orderId: string | null; counted: boolean }[];
  /** An accrual whose campaign rules gave points: its breakdown, kept for refunds by item (order_earnings). */
  newOrderEarning?: OrderEarning;
  /** A refund of such an order: what refunds have named and given back to each campaign, this one included. */
  orderEarningUpdate?: OrderEarning;
  /** Points this refund gives back to each campaign whose rules gave the order points. */
  budgetReturns?: { campaignId: string; points: number }[];
  /** Points drawn from each budgeted campaign by this plan. */
  budgetDraws?: { campaignId: string; points: number }[];
  /**
   * Rows for budget_draws: each budgeted campaign's draw under the reservation
   * made before the batch (and refunds' returns, negative). Written with it, so
   * a budget's reconcile can tell a committed draw from a lapsed reservation.
   */
  budgetDrawRows?: { campaignId: string; reservationId: string; kind: "draw" | "return"; points: number }[];
  /** An activity posted (src/activities/): one per member, type and reference, which D1 keeps unique. */
  newActivity?: ActivityRecord;
  /** A pending activity confirmed or rejected: written only over the status it was read with. */
  activityUpdate?: Pick<ActivityRecord, "id" | "status" | "points" | "entryId" | "lotId" | "breakdown" | "updatedAt"> & { fromStatus: ActivityRecord["status"] };
  /** Bonuses given once per member ('enrollment', 'birthday:<year>'): a second one aborts the batch. */
  memberBonuses?: { bonus: string; points: number; entryId: string | null }[];
  /** An import's lines this plan applies: marked done in the same batch, so none is applied twice. */
  importLines?: { importId: string; lines: number[] };
  nextState: MemberState;
  result: Result;
  /** Operator changes this plan makes (a tier grant), written to the audit log in its batch. */
  audit?: AuditRow[];
}
