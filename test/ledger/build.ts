// Builders for the pure ledger's table tests: members, lots, holds, orders, and a context with a fixed clock and counted ids.
import { expect } from "vitest";
import { DomainError, type DomainCode } from "../../src/ledger/errors";
import type { OpContext } from "../../src/ledger/plan";
import { defaultSettings } from "../../src/ledger/settings";
import type { HeldAllocation, LotIssue, MemberRecord, MemberState, OpenLot, OrderRecord, RedemptionWithAllocations } from "../../src/ledger/state";

/** The clock every test reads unless it says otherwise. */
export const NOW = "2026-03-10T12:00:00.000Z";
/** When the members were enrolled and the lots earned, well before NOW. */
export const EARLIER = "2026-01-01T00:00:00.000Z";

export type SettingsInput = Parameters<typeof defaultSettings>[0];

/**
 * A context at `now` whose ids count per prefix: the first lot is `lot_1`,
 * the first entry `ent_1`, the first event `evt_1`, and so on.
 */
export function context(options: { now?: string; settings?: SettingsInput; partnerId?: string | null; closedThrough?: string | null } = {}): OpContext {
  const counts = new Map<string, number>();
  return {
    settings: defaultSettings(options.settings),
    now: new Date(options.now ?? NOW),
    newId: (prefix) => {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      return `${prefix}_${n}`;
    },
    partnerId: options.partnerId ?? null,
    ...(options.closedThrough === undefined ? {} : { closedThrough: options.closedThrough }),
  };
}

export function member(fields: Partial<MemberRecord> = {}): MemberRecord {
  return {
    memberId: "ada",
    email: "ada@example.com",
    name: "Ada",
    attributes: {},
    tier: null,
    qualifyingPoints: 0,
    lifetimeEarned: 0,
    debt: 0,
    version: 3,
    lastActivityAt: EARLIER,
    tierDowngradeAt: null,
    tierLockedUntil: null,
    enrolledAt: EARLIER,
    updatedAt: EARLIER,
    birthday: null,
    ...fields,
  };
}

/** An open lot earned at EARLIER, spendable at once, that never expires unless told. */
export function lot(id: string, remaining: number, fields: Partial<OpenLot> = {}): OpenLot {
  return {
    id,
    partnerId: null,
    orderId: null,
    points: remaining,
    remaining,
    earnedAt: EARLIER,
    availableAt: EARLIER,
    expiresAt: null,
    ...fields,
  };
}

/** The lot as it was issued, for allocations. */
export function issue(id: string, points: number, fields: Partial<LotIssue> = {}): LotIssue {
  const { remaining: _remaining, ...issued } = lot(id, points, fields);
  return issued;
}

/** A redemption of `allocations`' points; held until an hour after NOW unless told. */
export function redemption(id: string, allocations: HeldAllocation[], fields: Partial<RedemptionWithAllocations> = {}): RedemptionWithAllocations {
  const points = allocations.reduce((sum, a) => sum + a.points, 0);
  return {
    id,
    memberId: "ada",
    partnerId: null,
    status: "held",
    points,
    valueAmount: points,
    currency: "EUR",
    orderId: null,
    channel: "online",
    holdExpiresAt: "2026-03-10T13:00:00.000Z",
    createdAt: EARLIER,
    updatedAt: EARLIER,
    allocations,
    ...fields,
  };
}

export function taken(lotId: string, points: number, lotFields: Partial<LotIssue> = {}): HeldAllocation {
  return { lotId, points, lot: issue(lotId, points, lotFields) };
}

export function order(fields: Partial<OrderRecord> = {}): OrderRecord {
  return {
    issuer: "",
    orderId: "o-1",
    memberId: "ada",
    accrualId: "acc_9",
    lotId: "lot_o1",
    amount: 10_000,
    currency: "EUR",
    earnedPoints: 100,
    refundedAmount: 0,
    clawedBackPoints: 0,
    createdAt: EARLIER,
    ...fields,
  };
}

export function state(fields: { member?: MemberRecord | null; lots?: OpenLot[]; holds?: RedemptionWithAllocations[] } = {}): MemberState {
  return { member: fields.member === undefined ? member() : fields.member, lots: fields.lots ?? [], holds: fields.holds ?? [] };
}

/** Runs `operation` and expects the domain refusal `code` with exactly `data` as its numbers. */
export function expectRefusal(operation: () => unknown, code: DomainCode, data: Record<string, unknown> = {}): void {
  let thrown: unknown = null;
  try {
    operation();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a ${code} refusal`).toBeInstanceOf(DomainError);
  expect({ code: (thrown as DomainError).code, data: (thrown as DomainError).data }).toEqual({ code, data });
}
