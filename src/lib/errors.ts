// One error type for the whole API: a stable machine code, a human detail,
// and the single map from codes (the ledger's among them) to HTTP statuses.
import type { DomainCode, DomainFailure, FieldError } from "../ledger/errors";

export const errorStatuses = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  member_not_found: 404,
  program_not_found: 404,
  partner_not_found: 404,
  redemption_not_found: 404,
  order_not_found: 404,
  webhook_endpoint_not_found: 404,
  event_not_found: 404,
  member_exists: 409,
  order_already_accrued: 409,
  redemption_not_capturable: 409,
  redemption_not_cancellable: 409,
  hold_expired: 409,
  concurrent_update: 409,
  partner_exists: 409,
  idempotency_key_reused: 422,
  insufficient_points: 422,
  below_minimum_redemption: 422,
  currency_mismatch: 422,
  currency_locked: 422,
  refund_exceeds_order: 422,
  occurred_in_future: 422,
  occurred_before_window: 422,
  amount_out_of_range: 422,
  invalid_settings: 422,
  unknown_tier: 422,
  webhook_url_not_allowed: 422,
  too_many_webhook_endpoints: 422,
  period_not_over: 409,
  period_closed: 409,
  period_out_of_order: 409,
  settlement_period_locked: 409,
  settlement_unreconciled: 500,
  internal_error: 500,
  temporarily_unavailable: 503,
  order_already_recorded: 409,
  refund_already_recorded: 409,
  segments_not_available: 422,
  kpi_range_too_long: 422,
  token_invalid: 401,
  token_expired: 401,
  token_revoked: 401,
  insufficient_scope: 403,
  rate_limited: 429,
  card_code_invalid: 422,
  card_code_expired: 422,
  card_code_replayed: 409,
  reward_not_found: 404,
  cause_not_found: 404,
  coupon_not_found: 404,
  coupon_code_invalid: 422,
  coupon_already_used: 409,
  coupon_expired: 409,
  coupon_cancelled: 409,
  coupon_not_cancellable: 409,
  reward_out_of_stock: 422,
  reward_limit_reached: 422,
  reward_not_available: 422,
  reward_reservation_lapsed: 409,
  too_many_coupon_lookups: 429,
  segment_not_found: 404,
  referral_code_not_found: 422,
  referrals_disabled: 422,
  referral_reward_not_offered: 422,
  membership_plan_not_found: 404,
  membership_not_found: 404,
  membership_plan_archived: 422,
  membership_not_active: 409,
  membership_exists: 409,
  paid_until_not_later: 422,
  campaign_not_found: 404,
  campaign_invalid: 422,
  campaign_ended: 409,
  campaign_already_active: 409,
  campaign_not_active: 409,
  campaign_changed: 409,
  activity_already_recorded: 409,
  activity_not_found: 404,
  activity_not_pending: 409,
  import_not_found: 404,
  member_erasure_blocked: 409,
  idempotent_response_erased: 409,
} as const;

export type ErrorCode = keyof typeof errorStatuses;
/** The statuses an error can answer with: the ones every route declares (errorResponses in src/app/openapi.ts). */
export type ErrorStatus = (typeof errorStatuses)[ErrorCode];

// Every code the ledger may refuse with has its status here: this line fails to compile otherwise.
errorStatuses satisfies Record<DomainCode, number>;

const titles: Partial<Record<ErrorCode, string>> = {
  validation_failed: "The request is not valid",
  unauthorized: "Missing or invalid credentials",
  forbidden: "This key may not do that",
  insufficient_points: "Not enough points",
  idempotency_key_reused: "Idempotency-Key reused with a different request",
  internal_error: "Something went wrong on our side",
};

export type { FieldError } from "../ledger/errors";

export class ApiError extends Error {
  readonly status: ErrorStatus;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    /** Extra members of the problem body, e.g. the numbers behind insufficient_points. */
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = errorStatuses[code];
  }

  get title(): string {
    return titles[this.code] ?? this.code.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }
}

/** An RFC 9457 problem: the standard members, the stable code, and the error's extras. */
export interface ProblemBody {
  [member: string]: unknown;
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
}

/**
 * The RFC 9457 body for an error; never carries a stack or internals. Extras
 * come first so they can never overwrite a standard member (`status` is the
 * HTTP status, always a number).
 */
export function problemBody(error: ApiError, requestId?: string): ProblemBody {
  return {
    ...error.extras,
    type: `https://treue.dev/problems/${error.code.replace(/_/g, "-")}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(requestId ? { requestId } : {}),
  };
}

/** A ledger refusal as the HTTP layer answers it. */
export function fromDomain(failure: DomainFailure): ApiError {
  return new ApiError(failure.code, failure.detail, failure.data);
}
