// The typed shape of every ledger entry, and the figures settlement and tier qualification sum from its columns.
import type { CappedRule, EarnLine } from "../campaigns/evaluate";
import type { EarningLine } from "./earning";
import type { TierChangeReason } from "./tier-review";

export interface MoneyAmount {
  amount: number;
  currency: string;
}

export interface EntryAllocation {
  lotId: string;
  points: number;
}

/** What each entry type records beside its points, as the history shows it (`details`). */
export interface EntryDetailsByType {
  earn: { accrualId: string; amount: MoneyAmount; breakdown: EarningLine[] | EarnLine[]; debtPaid: number; capped?: CappedRule[]; bonus?: BonusDetails };
  /** A capture at once names the lots it took; a captured hold named them when it was held. */
  redeem: { allocations: EntryAllocation[]; value: MoneyAmount } | { capturedHold: true; value: MoneyAmount };
  hold: { allocations: EntryAllocation[]; value: MoneyAmount };
  release: { allocations: EntryAllocation[] };
  reverse: { allocations: EntryAllocation[] };
  debt_payment: { debtPaid: number; reason: "released_points" | "reversed_points" };
  expire:
    | { reason: "lot_expired" | "inactivity"; earnedAt: string; expiresAt: string }
    | { reason: "returned_to_expired_lot"; redeemer: string | null };
  clawback: { refundedAmount: MoneyAmount; fromLot: number; fromExpired: number; addedToDebt: number; reason: string | null; items?: { sku: string; quantity: number }[] };
  tier: TierEntryDetails;
}

/** Points earned without an order (an activity, the sign-up, a birthday): an earn entry of amount 0 that says why. */
export type BonusDetails =
  | { source: "activity"; activityId: string; activityType: string; reference: string }
  | { source: "enrollment" }
  | { source: "birthday"; year: number };

export type TierEntryDetails = {
  from: string | null;
  to: string | null;
  reason: TierChangeReason;
  /** A removed tier: the grant it ended. */
  grantUntil?: string;
  /** A grant: until when it holds, and why it was given. */
  until?: string | null;
  note?: string | null;
};

export type EntryType = keyof EntryDetailsByType;

interface EntryFields {
  id: string;
  /** Change to what the member owns: lots' remaining + held - debt. */
  points: number;
  /** Change to the points reserved by open holds. */
  heldPoints: number;
  lotId: string | null;
  orderId: string | null;
  redemptionId: string | null;
  partnerId: string | null;
  channel: string | null;
  occurredAt: string;
  /** Where coalition settlement counts the entry; null only outside a program (pure tests). */
  settlementPeriod: string | null;
  createdAt: string;
}

/** One entry, discriminated on `type`: a plan cannot build an entry whose details miss a field its type carries. */
export type Entry = { [T in EntryType]: EntryFields & { type: T; details: EntryDetailsByType[T] } }[EntryType];

/**
 * The figures that queries sum, each a column of its own on `entries`
 * (migrations/0008), written from the entry's details in the same batch.
 * Null exactly for the entry types that do not carry the figure; a trigger
 * refuses an entry of a type that carries one without it.
 */
export interface EntryFigures {
  /** earn, debt_payment: debt the points paid off (settlement's debt paid per issuer). */
  debtPaid: number | null;
  /** clawback: taken back from the order's lot, from what the lot lost to expiry, and made debt. */
  fromLot: number | null;
  fromExpired: number | null;
  addedToDebt: number | null;
  /** earn: the order's amount (qualifying spend). */
  orderAmount: number | null;
  /** clawback: the amount this refund gave back (qualifying spend lost). */
  refundedAmount: number | null;
}

const NO_FIGURES: EntryFigures = { debtPaid: null, fromLot: null, fromExpired: null, addedToDebt: null, orderAmount: null, refundedAmount: null };

export function entryFigures(e: Entry): EntryFigures {
  switch (e.type) {
    case "earn":
      return { ...NO_FIGURES, debtPaid: e.details.debtPaid, orderAmount: e.details.amount.amount };
    case "debt_payment":
      return { ...NO_FIGURES, debtPaid: e.details.debtPaid };
    case "clawback": {
      const { fromLot, fromExpired, addedToDebt, refundedAmount } = e.details;
      return { ...NO_FIGURES, fromLot, fromExpired, addedToDebt, refundedAmount: refundedAmount.amount };
    }
    case "redeem":
    case "hold":
    case "release":
    case "reverse":
    case "expire":
    case "tier":
      return NO_FIGURES;
    default:
      return unreachable(e);
  }
}

/** The entry types that carry each figure: what the trigger in migrations/0008 checks, and the tests with it. */
export const FIGURE_CARRIERS: { [F in keyof EntryFigures]: EntryType[] } = {
  debtPaid: ["earn", "debt_payment"],
  fromLot: ["clawback"],
  fromExpired: ["clawback"],
  addedToDebt: ["clawback"],
  orderAmount: ["earn"],
  refundedAmount: ["clawback"],
};

function unreachable(e: never): never {
  throw new Error(`entry type ${(e as { type: string }).type} has no figures defined`);
}
