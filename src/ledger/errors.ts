// The ledger's refusals: a stable code, a human detail and the numbers behind it; no HTTP status.
export type DomainCode =
  | "validation_failed"
  | "member_not_found"
  | "redemption_not_found"
  | "order_not_found"
  | "order_already_accrued"
  | "redemption_not_capturable"
  | "redemption_not_cancellable"
  | "hold_expired"
  | "concurrent_update"
  | "idempotency_key_reused"
  | "insufficient_points"
  | "below_minimum_redemption"
  | "currency_mismatch"
  | "refund_exceeds_order"
  | "occurred_before_window"
  | "amount_out_of_range"
  | "unknown_tier"
  | "temporarily_unavailable"
  | "reward_limit_reached"
  | "reward_not_available"
  | "coupon_not_found"
  | "coupon_already_used"
  | "coupon_expired"
  | "coupon_not_cancellable"
  | "reward_reservation_lapsed"
  | "reward_out_of_stock"
  | "referral_code_not_found"
  | "referrals_disabled"
  | "membership_plan_not_found"
  | "membership_not_found"
  | "membership_plan_archived"
  | "membership_not_active"
  | "membership_exists"
  | "paid_until_not_later"
  | "activity_already_recorded"
  | "activity_not_found"
  | "activity_not_pending"
  | "member_erasure_blocked"
  | "idempotent_response_erased";

/** One field that failed validation: its dotted path and what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}

/** zod's issues as the field errors a refusal lists; `whole` is the path named when the value itself is wrong. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], whole: string): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join(".") || whole, message: issue.message }));
}

/** A refusal as plain data: how it crosses the Durable Object's RPC boundary and how it is kept for an Idempotency-Key. */
export interface DomainFailure {
  code: DomainCode;
  detail: string;
  /** The numbers behind the refusal, e.g. available and requested points for insufficient_points. */
  data: Record<string, unknown>;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainCode,
    readonly detail: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toFailure(): DomainFailure {
    return { code: this.code, detail: this.detail, data: this.data };
  }
}

/** The one "no such member" refusal, wherever a member must exist. */
export function memberNotFound(memberId: string): DomainError {
  return new DomainError("member_not_found", `No member '${memberId}' in this program.`);
}

/** The one "no such redemption" refusal: none in the program, or none the caller may see. */
export function redemptionNotFound(redemptionId: string): DomainError {
  return new DomainError("redemption_not_found", `No redemption '${redemptionId}' in this program.`);
}
