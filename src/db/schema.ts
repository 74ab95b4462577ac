// The D1 schema: the system of record. drizzle-kit turns it into migrations/.
// CHECK constraints refuse what must never happen, so a write that slipped past
// the member's Durable Object fails whole instead of corrupting a balance.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const programs = sqliteTable("programs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** ProgramSettings as JSON, validated by src/ledger/settings.ts before it is written. */
  settings: text("settings").notNull(),
  /** The latest closed settlement period; entries can no longer land in it or before it. */
  closedThrough: text("closed_through"),
  /** Steps by one on every settings PATCH, which writes only over the version it read. */
  version: integer("version").notNull().default(0),
  /** Steps by one in every batch a job writes around members' objects; an object drops state loaded under an older one. */
  cacheEpoch: integer("cache_epoch").notNull().default(0),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    role: text("role", { enum: ["admin", "server", "partner"] }).notNull(),
    partnerId: text("partner_id"),
    name: text("name").notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    keyHash: text("key_hash").notNull(),
    keyPrefix: text("key_prefix").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash").on(t.keyHash),
    index("api_keys_program").on(t.programId),
    check("api_keys_partner_role", sql`(${t.role} = 'partner') = (${t.partnerId} IS NOT NULL)`),
  ],
);

export const partners = sqliteTable(
  "partners",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("partners_program_name").on(t.programId, t.name)],
);

export const members = sqliteTable(
  "members",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    email: text("email"),
    name: text("name"),
    /** Free-form storefront attributes as JSON. */
    attributes: text("attributes").notNull().default("{}"),
    tier: text("tier"),
    qualifyingPoints: integer("qualifying_points").notNull().default(0),
    lifetimeEarned: integer("lifetime_earned").notNull().default(0),
    /** Points clawed back by refunds after they were spent; later earnings pay it off first. */
    debt: integer("debt").notNull().default(0),
    /** Bumped by exactly one on every ledger batch; a trigger refuses any other step. */
    version: integer("version").notNull().default(1),
    lastActivityAt: text("last_activity_at"),
    /** When a tier the member no longer deserves is taken away (grace end); null when none is pending. */
    tierDowngradeAt: text("tier_downgrade_at"),
    /** A tier granted by hand is kept until then, whatever the points say. */
    tierLockedUntil: text("tier_locked_until"),
    enrolledAt: text("enrolled_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /** Optional birthday (migration 0014): month and day, the year if the member gave it. */
    birthdayMonth: integer("birthday_month"),
    birthdayDay: integer("birthday_day"),
    birthdayYear: integer("birthday_year"),
    /** When the member was erased (migration 0020): personal fields are blank, the id is a pseudonym, sums stay. */
    erasedAt: text("erased_at"),
    /** Marketing consent (migration 0020): null when never given or withdrawn. */
    marketingConsent: integer("marketing_consent", { mode: "boolean" }),
    marketingConsentAt: text("marketing_consent_at"),
    marketingConsentSource: text("marketing_consent_source"),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.memberId] }),
    index("members_by_birthday").on(t.programId, t.birthdayMonth, t.birthdayDay, t.memberId).where(sql`${t.birthdayMonth} IS NOT NULL`),
    check("members_debt_nonnegative", sql`${t.debt} >= 0`),
    check("members_counters_nonnegative", sql`${t.lifetimeEarned} >= 0 AND ${t.qualifyingPoints} >= 0`),
    // Inactivity expiry and its warnings walk members by last activity, per program.
    index("members_by_activity").on(t.programId, t.lastActivityAt, t.memberId),
  ],
);

export const lots = sqliteTable(
  "lots",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    /** Partner that issued the points; null when the program itself did. */
    partnerId: text("partner_id"),
    orderId: text("order_id"),
    points: integer("points").notNull(),
    remaining: integer("remaining").notNull(),
    /** Points the lot lost to expiry and no refund has taken back yet. */
    expired: integer("expired").notNull().default(0),
    earnedAt: text("earned_at").notNull(),
    availableAt: text("available_at").notNull(),
    /** Null when the points never expire. */
    expiresAt: text("expires_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    check("lots_points_positive", sql`${t.points} > 0`),
    check("lots_remaining_in_range", sql`${t.remaining} >= 0 AND ${t.remaining} <= ${t.points}`),
    check("lots_expired_in_range", sql`${t.expired} >= 0 AND ${t.remaining} + ${t.expired} <= ${t.points}`),
    // The hot path reads only a member's open lots, never the history: it loads their first open lots
    // in spending order and the pending ones, never all of them, and the rest's expiry dates in order.
    index("lots_open_by_spending")
      .on(t.programId, t.memberId, sql`ifnull(${t.expiresAt}, '~')`, t.earnedAt, t.id)
      .where(sql`${t.remaining} > 0`),
    index("lots_open_by_availability")
      .on(t.programId, t.memberId, t.availableAt)
      .where(sql`${t.remaining} > 0`),
    // Scheduled jobs run per program and page by (expires_at, id): a stable keyset.
    index("lots_open_by_program_expiry")
      .on(t.programId, t.expiresAt, t.id)
      .where(sql`${t.remaining} > 0`),
    // The KPIs' pending points of a program (src/kpis/queries.ts), from migration 0016.
    index("lots_open_by_program_availability")
      .on(t.programId, t.availableAt)
      .where(sql`${t.remaining} > 0`),
  ],
);

export const orders = sqliteTable(
  "orders",
  {
    programId: text("program_id").notNull(),
    /** Partner id of the issuer, or '' when the program's own storefront posted it. */
    issuer: text("issuer").notNull(),
    orderId: text("order_id").notNull(),
    memberId: text("member_id").notNull(),
    accrualId: text("accrual_id").notNull(),
    lotId: text("lot_id"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    earnedPoints: integer("earned_points").notNull(),
    refundedAmount: integer("refunded_amount").notNull().default(0),
    clawedBackPoints: integer("clawed_back_points").notNull().default(0),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.issuer, t.orderId] }),
    check("orders_refund_in_range", sql`${t.refundedAmount} >= 0 AND ${t.refundedAmount} <= ${t.amount}`),
    check("orders_clawback_in_range", sql`${t.clawedBackPoints} >= 0 AND ${t.clawedBackPoints} <= ${t.earnedPoints}`),
  ],
);

export const redemptions = sqliteTable(
  "redemptions",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    partnerId: text("partner_id"),
    status: text("status", { enum: ["held", "captured", "cancelled", "lapsed", "reversed"] }).notNull(),
    points: integer("points").notNull(),
    valueAmount: integer("value_amount").notNull(),
    currency: text("currency").notNull(),
    orderId: text("order_id"),
    channel: text("channel"),
    /** When a hold lapses; null once it is resolved or for a direct capture. */
    holdExpiresAt: text("hold_expires_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    check("redemptions_points_positive", sql`${t.points} > 0`),
    index("redemptions_by_member").on(t.programId, t.memberId, t.status),
    index("redemptions_open_holds").on(t.holdExpiresAt).where(sql`${t.status} = 'held'`),
  ],
);

/** Which lots a redemption took its points from: makes reversals and settlement exact. */
export const allocations = sqliteTable(
  "allocations",
  {
    redemptionId: text("redemption_id").notNull(),
    lotId: text("lot_id").notNull(),
    programId: text("program_id").notNull(),
    points: integer("points").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.redemptionId, t.lotId] }),
    check("allocations_points_positive", sql`${t.points} > 0`),
    index("allocations_by_lot").on(t.lotId),
  ],
);

/** The append-only history. `points` moves what the member owns, `heldPoints` what is reserved. */
export const entries = sqliteTable(
  "entries",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    type: text("type", {
      enum: ["earn", "redeem", "hold", "release", "expire", "clawback", "reverse", "debt_payment", "adjust", "tier"],
    }).notNull(),
    points: integer("points").notNull(),
    heldPoints: integer("held_points").notNull().default(0),
    lotId: text("lot_id"),
    orderId: text("order_id"),
    redemptionId: text("redemption_id"),
    partnerId: text("partner_id"),
    channel: text("channel"),
    /** Type-specific facts as JSON (rule breakdown, tier change...), typed per entry type in src/ledger/entries.ts. */
    details: text("details").notNull().default("{}"),
    // The figures queries sum, never read from `details`: null for the types that do not carry them (trigger entries_figures_present).
    /** earn, debt_payment: debt paid off. */
    debtPaid: integer("debt_paid"),
    /** clawback: points taken from the lot, from what it lost to expiry, and made debt. */
    fromLot: integer("from_lot"),
    fromExpired: integer("from_expired"),
    addedToDebt: integer("added_to_debt"),
    /** earn: the order's amount. */
    orderAmount: integer("order_amount"),
    /** clawback: the amount refunded. */
    refundedAmount: integer("refunded_amount"),
    occurredAt: text("occurred_at").notNull(),
    /** The settlement period the entry counts in: its own, or the first open one if that was closed. */
    settlementPeriod: text("settlement_period"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("entries_by_member").on(t.programId, t.memberId, t.id),
    index("entries_by_partner").on(t.programId, t.partnerId, t.id),
    index("entries_by_period").on(t.programId, t.settlementPeriod, t.type),
  ],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    programId: text("program_id").notNull(),
    /** The caller the key belongs to: role, plus the partner for partner keys. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** 0: `body` is the ledger's outcome; records of older versions hold the HTTP status and body they sent. */
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    /** The member the record answered for (migration 0024): erasure scrubs their records by it. */
    memberId: text("member_id"),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.scope, t.key] }),
    index("idempotency_keys_expiry").on(t.expiresAt),
    index("idempotency_keys_by_member").on(t.programId, t.memberId).where(sql`${t.memberId} IS NOT NULL`),
  ],
);

/** Transactional outbox: written in the same batch as the change it announces. */
export const outboxEvents = sqliteTable(
  "outbox_events",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id"),
    partnerId: text("partner_id"),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    createdAt: text("created_at").notNull(),
    sentAt: text("sent_at"),
  },
  (t) => [
    index("outbox_unsent").on(t.createdAt).where(sql`${t.sentAt} IS NULL`),
    index("outbox_by_member").on(t.programId, t.memberId, t.createdAt).where(sql`${t.memberId} IS NOT NULL`),
  ],
);

/** One `points.expiring` event per member and expiry date: the primary key makes "never twice" a constraint. */
export const expiryWarnings = sqliteTable(
  "expiry_warnings",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    expiresAt: text("expires_at").notNull(),
    points: integer("points").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.memberId, t.expiresAt] }),
    index("expiry_warnings_by_date").on(t.programId, t.expiresAt),
  ],
);

/** What each run of a scheduled job did, for operators (GET /v1/jobs). */
export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    job: text("job").notNull(),
    programId: text("program_id").notNull(),
    trigger: text("trigger", { enum: ["cron", "manual"] }).notNull(),
    status: text("status", { enum: ["running", "done", "partial", "failed"] }).notNull(),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    itemsDone: integer("items_done").notNull().default(0),
    /** Work still due when the run stopped (counted up to a cap). */
    itemsLeft: integer("items_left").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("job_runs_by_program").on(t.programId, t.job, t.startedAt)],
);

/** Where a job stopped, per program, so the next run carries on from there. */
export const jobCursors = sqliteTable(
  "job_cursors",
  {
    job: text("job").notNull(),
    programId: text("program_id").notNull(),
    cursor: text("cursor").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.job, t.programId] })],
);

/** A partner's prices, versioned: each version applies from the start of `validFrom` (a period id). */
export const partnerTerms = sqliteTable(
  "partner_terms",
  {
    programId: text("program_id").notNull(),
    partnerId: text("partner_id").notNull(),
    validFrom: text("valid_from").notNull(),
    /** What the partner pays the program: issueAmount minor units per issuePerPoints points issued. */
    issueAmount: integer("issue_amount").notNull(),
    issuePerPoints: integer("issue_per_points").notNull(),
    /** What the program pays the partner per point redeemed at its tills. */
    redeemAmount: integer("redeem_amount").notNull(),
    redeemPerPoints: integer("redeem_per_points").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.partnerId, t.validFrom] }),
    check("partner_terms_prices", sql`${t.issueAmount} >= 0 AND ${t.issuePerPoints} > 0 AND ${t.redeemAmount} >= 0 AND ${t.redeemPerPoints} > 0`),
  ],
);

/** Closed settlement periods and the statement frozen when each closed. */
export const settlementPeriods = sqliteTable(
  "settlement_periods",
  {
    programId: text("program_id").notNull(),
    period: text("period").notNull(),
    closedAt: text("closed_at").notNull(),
    statement: text("statement").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.period] })],
);

/** Where a program's webhook events are POSTed. A partner's endpoint receives only the events that partner caused. */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    /** Set when a partner key registered it. */
    partnerId: text("partner_id"),
    url: text("url").notNull(),
    /** JSON array of event types; null for every type, including ones added later. */
    eventTypes: text("event_types"),
    description: text("description"),
    /** `whsec_<base64>`: needed in clear to sign, shown once; blanked when the endpoint is deleted. */
    secret: text("secret").notNull(),
    createdAt: text("created_at").notNull(),
    /** Deleted endpoints stay as rows so deliveries in flight find them and stop. */
    deletedAt: text("deleted_at"),
  },
  (t) => [index("webhook_endpoints_active").on(t.programId, t.id).where(sql`${t.deletedAt} IS NULL`)],
);

/** One row per attempt to deliver an event to an endpoint. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The queue's count for this message: 1 for the first try, counting again from 1 for a resend. */
    attempt: integer("attempt").notNull(),
    /** delivered (2xx), retrying (failed, another attempt follows), failed (the last attempt failed: dead-lettered). */
    status: text("status", { enum: ["delivered", "retrying", "failed"] }).notNull(),
    /** The endpoint's HTTP status; null when no response came (timeout, connection refused). */
    responseStatus: integer("response_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: text("attempted_at").notNull(),
  },
  (t) => [index("webhook_deliveries_by_endpoint").on(t.endpointId, t.id)],
);

// ---------------------------------------------------------------------------
// KPI rollups (migrations/0016_kpis.sql; triggers there keep the day, period and
// cohort counts of orders and refunds). Mirrored here for the batch statements.

export const kpiOrders = sqliteTable(
  "kpi_orders",
  {
    programId: text("program_id").notNull(),
    issuer: text("issuer").notNull(),
    orderId: text("order_id").notNull(),
    customer: text("customer").notNull(),
    isMember: integer("is_member").notNull(),
    channel: text("channel").notNull(),
    partnerId: text("partner_id").notNull(),
    amount: integer("amount").notNull(),
    refundedAmount: integer("refunded_amount").notNull().default(0),
    currency: text("currency").notNull(),
    day: text("day").notNull(),
    cohort: text("cohort").notNull(),
    occurredAt: text("occurred_at").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.issuer, t.orderId] })],
);

export const kpiRefunds = sqliteTable(
  "kpi_refunds",
  {
    programId: text("program_id").notNull(),
    issuer: text("issuer").notNull(),
    orderId: text("order_id").notNull(),
    refundId: text("refund_id").notNull(),
    customer: text("customer").notNull(),
    amount: integer("amount").notNull(),
    day: text("day").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.issuer, t.orderId, t.refundId] })],
);

export const kpiDays = sqliteTable(
  "kpi_days",
  {
    programId: text("program_id").notNull(),
    day: text("day").notNull(),
    channel: text("channel").notNull(),
    partnerId: text("partner_id").notNull(),
    isMember: integer("is_member").notNull(),
    orders: integer("orders").notNull().default(0),
    revenue: integer("revenue").notNull().default(0),
    refunds: integer("refunds").notNull().default(0),
    refundedAmount: integer("refunded_amount").notNull().default(0),
    newCustomers: integer("new_customers").notNull().default(0),
    enrollments: integer("enrollments").notNull().default(0),
    pointsIssued: integer("points_issued").notNull().default(0),
    pointsRedeemed: integer("points_redeemed").notNull().default(0),
    pointsExpired: integer("points_expired").notNull().default(0),
    pointsClawedBack: integer("points_clawed_back").notNull().default(0),
    tierMoves: integer("tier_moves").notNull().default(0),
    rewardPoints: integer("reward_points").notNull().default(0),
    donationPoints: integer("donation_points").notNull().default(0),
    donationAmount: integer("donation_amount").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.day, t.channel, t.partnerId, t.isMember] })],
);

export const kpiCustomerPeriods = sqliteTable(
  "kpi_customer_periods",
  {
    programId: text("program_id").notNull(),
    kind: text("kind").notNull(),
    grain: text("grain").notNull(),
    period: text("period").notNull(),
    customer: text("customer").notNull(),
    isMember: integer("is_member").notNull(),
    prevPeriod: text("prev_period").notNull(),
    nextPeriod: text("next_period").notNull(),
    cohort: text("cohort").notNull(),
    orders: integer("orders").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.programId, t.kind, t.grain, t.customer, t.period] })],
);

export const kpiCohorts = sqliteTable(
  "kpi_cohorts",
  {
    programId: text("program_id").notNull(),
    cohort: text("cohort").notNull(),
    month: text("month").notNull(),
    enrolled: integer("enrolled").notNull().default(0),
    active: integer("active").notNull().default(0),
    orders: integer("orders").notNull().default(0),
    revenue: integer("revenue").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.cohort, t.month] })],
);

export const kpiRuleDays = sqliteTable(
  "kpi_rule_days",
  {
    programId: text("program_id").notNull(),
    day: text("day").notNull(),
    partnerId: text("partner_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    rule: text("rule").notNull(),
    points: integer("points").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.day, t.partnerId, t.campaignId, t.rule] })],
);

export const kpiEarnCohorts = sqliteTable(
  "kpi_earn_cohorts",
  {
    programId: text("program_id").notNull(),
    earnMonth: text("earn_month").notNull(),
    issued: integer("issued").notNull().default(0),
    expired: integer("expired").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.earnMonth] })],
);

export const kpiTotals = sqliteTable(
  "kpi_totals",
  {
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    value: integer("value").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.name] })],
);
// ------------------------------------------------------------ rewards, coupons and causes (migration 0011)

/** Good causes a donation reward gives to; archived ones keep their donations. */
export const causes = sqliteTable(
  "causes",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    url: text("url"),
    archivedAt: text("archived_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("causes_by_program").on(t.programId, t.createdAt)],
);

/** The catalog: what points buy. `definition` is the validated RewardDefinition (src/rewards/schema.ts). */
export const rewards = sqliteTable(
  "rewards",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    type: text("type").notNull(),
    status: text("status", { enum: ["active", "archived"] }).notNull(),
    costPoints: integer("cost_points").notNull(),
    causeId: text("cause_id"),
    definition: text("definition").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [check("rewards_cost_positive", sql`${t.costPoints} > 0`), index("rewards_by_program").on(t.programId, t.status, t.createdAt)],
);

/**
 * A member's claim of a reward, written in the same batch as the redemption
 * that paid for it, with the coupon it issued (none for a donation).
 */
export const rewardClaims = sqliteTable(
  "reward_claims",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    rewardId: text("reward_id").notNull(),
    rewardType: text("reward_type").notNull(),
    /** The redemption that paid for it; null for a claim a referral gave (migrations/0022). */
    redemptionId: text("redemption_id"),
    /** The reward's stock reservation this claim confirms; null when the reward has no stock. */
    reservationId: text("reservation_id"),
    points: integer("points").notNull(),
    /** The money value the claim stands for (a donation's amount, a fixed discount); null for the others. */
    valueAmount: integer("value_amount"),
    currency: text("currency").notNull(),
    causeId: text("cause_id"),
    code: text("code"),
    codeSource: text("code_source", { enum: ["generated", "pool"] }),
    /** What the coupon gives, as it was when claimed (JSON). */
    gives: text("gives").notNull(),
    status: text("status", { enum: ["issued", "used", "cancelled", "expired", "donated"] }).notNull(),
    expiresAt: text("expires_at"),
    returnPointsOnExpiry: integer("return_points_on_expiry", { mode: "boolean" }).notNull(),
    orderId: text("order_id"),
    usedAt: text("used_at"),
    settlementPeriod: text("settlement_period").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /** The referral that gave it (a catalog reward as a referral's reward), at no cost. */
    referralId: text("referral_id"),
  },
  (t) => [
    check(
      "reward_claims_paid_or_given",
      sql`(${t.redemptionId} IS NOT NULL AND ${t.points} > 0) OR (${t.redemptionId} IS NULL AND ${t.points} = 0 AND ${t.referralId} IS NOT NULL)`,
    ),
    uniqueIndex("reward_claims_code").on(t.programId, t.code).where(sql`${t.code} IS NOT NULL`),
    uniqueIndex("reward_claims_reservation").on(t.reservationId).where(sql`${t.reservationId} IS NOT NULL`),
    index("reward_claims_by_redemption").on(t.redemptionId),
    index("reward_claims_by_member").on(t.programId, t.memberId, t.rewardId, t.createdAt),
    index("reward_claims_issued_by_expiry").on(t.programId, t.expiresAt).where(sql`${t.status} = 'issued'`),
    index("reward_claims_by_cause").on(t.programId, t.causeId, t.settlementPeriod).where(sql`${t.causeId} IS NOT NULL`),
  ],
);

/** Reservations the reward's stock object released after they lapsed: no claim may confirm them later. */
export const rewardReservationVoids = sqliteTable("reward_reservation_voids", {
  reservationId: text("reservation_id").primaryKey(),
  programId: text("program_id").notNull(),
  rewardId: text("reward_id").notNull(),
  voidedAt: text("voided_at").notNull(),
});

// ------------------------------------------------ referrals and memberships (migrations/0012)

/** One referral code per member, made on first ask; unique in the program. */
export const referralCodes = sqliteTable(
  "referral_codes",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    code: text("code").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.memberId] }), uniqueIndex("referral_codes_by_code").on(t.programId, t.code)],
);

/** Device and payment fingerprints as hashes of the storefront's hashes, for the self-referral rules. */
export const memberFingerprints = sqliteTable(
  "member_fingerprints",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    kind: text("kind", { enum: ["device", "payment"] }).notNull(),
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.memberId, t.kind, t.hash] }), check("member_fingerprints_kind", sql`${t.kind} IN ('device', 'payment')`)],
);

export const referrals = sqliteTable(
  "referrals",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    referrerId: text("referrer_id").notNull(),
    refereeId: text("referee_id").notNull(),
    code: text("code").notNull(),
    status: text("status", { enum: ["pending", "qualified", "completed", "cancelled", "rejected"] }).notNull(),
    /** FraudFlag[] as JSON: why it was refused. */
    fraudFlags: text("fraud_flags").notNull().default("[]"),
    trigger: text("trigger", { enum: ["enrollment", "first_order"] }).notNull(),
    minOrderAmount: integer("min_order_amount").notNull().default(0),
    /** The rewards as the settings said when the referral was recorded. */
    referrerPoints: integer("referrer_points").notNull(),
    refereePoints: integer("referee_points").notNull(),
    orderIssuer: text("order_issuer"),
    orderId: text("order_id"),
    orderAmount: integer("order_amount"),
    rewardAvailableAt: text("reward_available_at"),
    referrerLotId: text("referrer_lot_id"),
    refereeLotId: text("referee_lot_id"),
    refereeRewardedAt: text("referee_rewarded_at"),
    /** When the referrer was rewarded: the cap counts these per calendar period. */
    rewardedAt: text("rewarded_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /** Catalog rewards given instead of points, as the settings said at recording (migrations/0022). */
    referrerRewardId: text("referrer_reward_id"),
    refereeRewardId: text("referee_reward_id"),
    /** The claims (with their coupons) each side was given. */
    referrerClaimId: text("referrer_claim_id"),
    refereeClaimId: text("referee_claim_id"),
    /** UnfulfilledReward[] as JSON: a side's catalog reward that could not be given (out of stock, no longer offered). */
    unfulfilled: text("unfulfilled").notNull().default("[]"),
  },
  (t) => [
    check("referrals_status", sql`${t.status} IN ('pending', 'qualified', 'completed', 'cancelled', 'rejected')`),
    check("referrals_points", sql`${t.referrerPoints} >= 0 AND ${t.refereePoints} >= 0`),
    uniqueIndex("referrals_one_per_referee").on(t.programId, t.refereeId).where(sql`${t.status} <> 'rejected'`),
    index("referrals_by_referrer").on(t.programId, t.referrerId, t.id),
    index("referrals_by_program").on(t.programId, t.id),
    index("referrals_open")
      .on(t.programId, t.id)
      .where(sql`${t.status} IN ('pending', 'qualified') OR (${t.status} IN ('completed', 'cancelled') AND ${t.refereeRewardedAt} IS NULL)`),
  ],
);

export const membershipPlans = sqliteTable(
  "membership_plans",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    priceAmount: integer("price_amount").notNull(),
    priceCurrency: text("price_currency").notNull(),
    term: text("term", { enum: ["month", "year"] }).notNull(),
    earningMultiplierPercent: integer("earning_multiplier_percent").notNull().default(100),
    freeShipping: integer("free_shipping").notNull().default(0),
    earlyAccessDays: integer("early_access_days").notNull().default(0),
    exclusiveRewards: integer("exclusive_rewards").notNull().default(0),
    renews: integer("renews").notNull().default(1),
    archivedAt: text("archived_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [check("membership_plans_term", sql`${t.term} IN ('month', 'year')`), index("membership_plans_by_program").on(t.programId, t.id)],
);

export const memberships = sqliteTable(
  "memberships",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    planId: text("plan_id").notNull(),
    status: text("status", { enum: ["active", "cancelled", "lapsed"] }).notNull(),
    paidUntil: text("paid_until").notNull(),
    externalRef: text("external_ref"),
    cancelAtTermEnd: integer("cancel_at_term_end").notNull().default(0),
    startedAt: text("started_at").notNull(),
    endedAt: text("ended_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    check("memberships_status", sql`${t.status} IN ('active', 'cancelled', 'lapsed')`),
    index("memberships_by_member").on(t.programId, t.memberId, t.id),
    index("memberships_active_by_paid_until").on(t.programId, t.paidUntil, t.id).where(sql`${t.status} = 'active'`),
  ],
);

// ------------------------------------------------------------ campaigns (migration 0013)

/** A program's campaign: its status and current version; the definitions are in campaign_versions. */
export const campaigns = sqliteTable(
  "campaigns",
  {
    programId: text("program_id").notNull(),
    /** `cmp_<ulid>`. */
    id: text("id").notNull(),
    status: text("status", { enum: ["draft", "active", "paused", "ended"] }).notNull(),
    /** The version an edit or an activation works on: the latest. */
    version: integer("version").notNull(),
    /** Steps by exactly one on every change (a trigger refuses any other step): changes never undo each other. */
    revision: integer("revision").notNull().default(1),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.id] }),
    check("campaigns_status", sql`${t.status} IN ('draft', 'active', 'paused', 'ended')`),
    check("campaigns_version_positive", sql`${t.version} >= 1`),
    index("campaigns_by_program").on(t.programId, t.createdAt, t.id),
  ],
);

/** A campaign's definition as of a version; a draft's one version is edited in place. */
export const campaignVersions = sqliteTable(
  "campaign_versions",
  {
    programId: text("program_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    version: integer("version").notNull(),
    /** CampaignDefinition as JSON, validated by src/campaigns/rules.ts before it is written. */
    definition: text("definition").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.campaignId, t.version] })],
);

/** When a version was in force, by recorded time: [startsAt, endsAt), endsAt null while it still is. */
export const campaignIntervals = sqliteTable(
  "campaign_intervals",
  {
    programId: text("program_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    version: integer("version").notNull(),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at"),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.campaignId, t.version, t.startsAt] }),
    check("campaign_intervals_ordered", sql`${t.endsAt} IS NULL OR ${t.endsAt} >= ${t.startsAt}`),
  ],
);

/** A campaign rule's points to one member (one breakdown line), written in the member's batch. */
export const memberRuleGrants = sqliteTable(
  "member_rule_grants",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    version: integer("version").notNull(),
    ruleId: text("rule_id").notNull(),
    points: integer("points").notNull(),
    /** When the trigger occurred (the order's occurredAt): what limits and cooldowns count by. */
    occurredAt: text("occurred_at").notNull(),
    /** The earn entry that carries the points. */
    entryId: text("entry_id").notNull(),
    orderId: text("order_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.entryId, t.campaignId, t.ruleId] }),
    check("member_rule_grants_points", sql`${t.points} >= 0`),
    index("member_rule_grants_by_member").on(t.programId, t.memberId, t.campaignId, t.ruleId, t.occurredAt),
    index("member_rule_grants_by_campaign").on(t.programId, t.campaignId, t.memberId),
  ],
);

/** An order's earn breakdown when campaign rules gave points, and what its refunds named and gave back so far. */
export const orderEarnings = sqliteTable(
  "order_earnings",
  {
    programId: text("program_id").notNull(),
    issuer: text("issuer").notNull(),
    orderId: text("order_id").notNull(),
    /** EarnLine[] as JSON. */
    breakdown: text("breakdown").notNull(),
    /** [{sku, quantity}] refunded so far, as JSON. */
    refundedItems: text("refunded_items").notNull().default("[]"),
    /** [{campaignId, points}] given back to each campaign so far, as JSON. */
    returned: text("returned").notNull().default("[]"),
  },
  (t) => [primaryKey({ columns: [t.programId, t.issuer, t.orderId] })],
);

// ------------------------------------------------------------ campaign budgets (migration 0014)

/**
 * What member batches drew on a campaign's budget (`draw`), what refunds gave
 * back (`return`, negative), and the reservations the budget's object found
 * lapsed (`lapsed`, 0 points). The primary key makes a draw and a lapse of the
 * same reservation exclude each other: whichever commits first decides.
 */
export const budgetDraws = sqliteTable(
  "budget_draws",
  {
    programId: text("program_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    reservationId: text("reservation_id").notNull(),
    kind: text("kind", { enum: ["draw", "return", "lapsed"] }).notNull(),
    memberId: text("member_id"),
    points: integer("points").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.campaignId, t.reservationId] }),
    check("budget_draws_kind", sql`${t.kind} IN ('draw', 'return', 'lapsed')`),
    check(
      "budget_draws_points_sign",
      sql`(${t.kind} = 'draw' AND ${t.points} > 0) OR (${t.kind} = 'return' AND ${t.points} < 0) OR (${t.kind} = 'lapsed' AND ${t.points} = 0)`,
    ),
    check("budget_draws_member", sql`(${t.kind} = 'lapsed') = (${t.memberId} IS NULL)`),
  ],
);

/** Activities members earn points for; one per member, type and reference (migration 0014). */
export const activities = sqliteTable(
  "activities",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    type: text("type").notNull(),
    reference: text("reference").notNull(),
    /** pending (awaiting moderation), confirmed (earned), rejected. */
    status: text("status", { enum: ["pending", "confirmed", "rejected"] }).notNull(),
    occurredAt: text("occurred_at").notNull(),
    /** The storefront's own facts about it, as JSON. */
    attributes: text("attributes").notNull().default("{}"),
    points: integer("points").notNull().default(0),
    entryId: text("entry_id"),
    lotId: text("lot_id"),
    /** The evaluator's lines for the points, as JSON. */
    breakdown: text("breakdown").notNull().default("[]"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("activities_once").on(t.programId, t.memberId, t.type, t.reference),
    index("activities_by_member").on(t.programId, t.memberId, t.id),
    check("activities_status", sql`${t.status} IN ('pending', 'confirmed', 'rejected')`),
    check("activities_points", sql`${t.points} >= 0 AND (${t.status} = 'confirmed' OR ${t.points} = 0)`),
  ],
);

/** Bonuses given once per member: 'enrollment' (sign-up), 'birthday:<year>'. The key makes "once" a constraint. */
export const memberBonuses = sqliteTable(
  "member_bonuses",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    bonus: text("bonus").notNull(),
    points: integer("points").notNull(),
    entryId: text("entry_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.memberId, t.bonus] })],
);

// ------------------------------------------------------------ imports (migrations/0017_imports.sql)
// Written with raw statements in src/imports/store.ts; drizzle knows the lines so a member's batch can mark them done.

/** One line of an import file: invalid, pending, done (set by the member's batch that applied it), failed. */
export const importLines = sqliteTable(
  "import_lines",
  {
    importId: text("import_id").notNull(),
    line: integer("line").notNull(),
    programId: text("program_id").notNull(),
    memberId: text("member_id"),
    chunk: integer("chunk"),
    status: text("status", { enum: ["invalid", "pending", "done", "failed"] }).notNull(),
    data: text("data"),
    error: text("error"),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
);

// ------------------------------------------------------------ segments (migration 0019)

/** What segments are evaluated over, one row per member, written by the member's own batches (src/segments/stats.ts). */
export const memberStats = sqliteTable(
  "member_stats",
  {
    programId: text("program_id").notNull(),
    memberId: text("member_id").notNull(),
    lifetimeSpend: integer("lifetime_spend").notNull().default(0),
    orderCount: integer("order_count").notNull().default(0),
    firstOrderAt: text("first_order_at"),
    lastOrderAt: text("last_order_at"),
    availablePoints: integer("available_points").notNull().default(0),
    onlineOrders: integer("online_orders").notNull().default(0),
    storeOrders: integer("store_orders").notNull().default(0),
    appOrders: integer("app_orders").notNull().default(0),
    /** Spend per category from order lines, the largest few only (JSON object, bounded in stats.ts). */
    categorySpend: text("category_spend").notNull().default("{}"),
    lastRedemptionAt: text("last_redemption_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.memberId] })],
);

export const segments = sqliteTable(
  "segments",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    /** SegmentConditions as JSON (src/segments/conditions.ts). */
    conditions: text("conditions").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("segments_by_program").on(t.programId, t.id)],
);

/** Who is in a segment, as of their last batch: what paging a segment reads instead of evaluating every member. */
export const segmentMembers = sqliteTable(
  "segment_members",
  {
    programId: text("program_id").notNull(),
    segmentId: text("segment_id").notNull(),
    memberId: text("member_id").notNull(),
    enteredAt: text("entered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.memberId] }), index("segment_members_by_member").on(t.programId, t.memberId)],
);

// ---------------------------------------------------------------------------
// Audit log (migrations/0021_audit_log.sql): each operator change, written in the change's batch.

export const auditLog = sqliteTable(
  "audit_log",
  {
    programId: text("program_id").notNull(),
    id: text("id").primaryKey(),
    at: text("at").notNull(),
    keyId: text("key_id").notNull(),
    keyName: text("key_name"),
    keyRole: text("key_role").notNull(),
    requestId: text("request_id").notNull(),
    /** 'program', 'campaign:<id>', 'key:<id>', ... */
    resource: text("resource").notNull(),
    action: text("action").notNull(),
    /** JSON, or null (a create's before, a delete's after). */
    before: text("before"),
    after: text("after"),
  },
  (t) => [index("audit_log_by_time").on(t.programId, t.at, t.id), index("audit_log_by_resource").on(t.programId, t.resource, t.at, t.id)],
);

// ---------------------------------------------------------------------------
// KPI counts of a day that belong to no channel (migrations/0025_kpi_costs_counts.sql): referral conversions, activities.

export const kpiDayCounts = sqliteTable(
  "kpi_day_counts",
  {
    programId: text("program_id").notNull(),
    day: text("day").notNull(),
    /** 'referral_conversions', or 'activity:' + the activity's type. */
    name: text("name").notNull(),
    value: integer("value").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programId, t.day, t.name] })],
);

/** A member's change's KPI rollup figures, waiting to be folded into the rollup tables (migrations/0026). */
export const kpiPending = sqliteTable(
  "kpi_pending",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    programId: text("program_id").notNull(),
    /** The change's KpiWrites as JSON. */
    writes: text("writes").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("kpi_pending_by_program").on(t.programId, t.seq)],
);

/** The last kpi_pending row folded, per program. */
export const kpiFoldCursors = sqliteTable("kpi_fold_cursors", {
  programId: text("program_id").primaryKey(),
  foldedThrough: integer("folded_through").notNull(),
});
