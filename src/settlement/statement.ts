// A settlement statement as a pure function: the ledger's flows for a period
// and the partners' terms in, per-partner amounts, the cross-partner matrix,
// breakage and the reconciliation out. Integer money throughout.
import { exactSum, mulDiv, type Money } from "../ledger/money";

/** A price per point: `amount` minor units for every `perPoints` points (80 per 100 = 0.8 cent a point in EUR). */
export interface PointPrice {
  amount: number;
  perPoints: number;
}

export interface PartnerTerms {
  issuePrice: PointPrice;
  redeemPrice: PointPrice;
  validFrom: string;
}

/** What the ledger says happened to the points one issuer issued. */
export interface IssuerFlows {
  issuer: string | null;
  issued: number;
  /** Part of new earnings that paid off members' debt instead of landing in the lot. */
  debtPaid: number;
  expired: number;
  clawedFromLot: number;
  /** Taken back by refunds from what had expired: counted as clawed back, and no longer as breakage. */
  clawedFromExpired: number;
  clawedToDebt: number;
}

/**
 * Points issued by `issuer` that redemptions at `redeemer` took in the
 * period (gross), and that reversals in the period gave back (reversed).
 */
export interface CrossFlow {
  issuer: string | null;
  redeemer: string | null;
  grossPoints: number;
  reversedPoints: number;
}

/**
 * The three figures of a redemption count, always named apart: gross (taken
 * by redemptions), reversed (given back), net = gross - reversed, which is
 * what is paid for. Net can be negative when a reversal follows a redemption
 * of an earlier period.
 */
export interface RedeemedPoints {
  grossPoints: number;
  reversedPoints: number;
  netPoints: number;
}

export type MatrixCell = Pick<CrossFlow, "issuer" | "redeemer"> & RedeemedPoints;

export interface PartnerLine {
  partnerId: string | null;
  name: string;
  terms: PartnerTerms | null;
  issued: { points: number; value: Money };
  clawedBack: { points: number; value: Money };
  /** `value` is the net points at the redeem price. */
  redeemedAt: RedeemedPoints & { value: Money };
  expired: number;
  /** Positive: the partner owes the program. Negative: the program owes the partner. */
  net: Money;
}

export interface ReconciliationLine {
  issuer: string | null;
  /** Outstanding points this issuer issued, from the ledger's flows since the beginning. */
  fromFlows: number;
  /** The same, counted in the lots (and the holds that took points from them). */
  inLots: number;
  ok: boolean;
}

/** What donation rewards gave a cause in the period: the amount to transfer to it. */
export interface DonationLine {
  causeId: string;
  name: string;
  claims: number;
  points: number;
  value: Money;
}

export interface Statement {
  period: string;
  currency: string;
  partners: PartnerLine[];
  matrix: MatrixCell[];
  breakage: { issuer: string | null; expired: number }[];
  reconciliation: ReconciliationLine[];
  /** Donations per cause; absent from statements frozen before donations existed. */
  donations?: DonationLine[];
  rounding: string;
}

export const ROUNDING_NOTE = "Each money amount is points x price rounded half up once, on the line's total.";

function price(points: number, p: PointPrice | undefined, currency: string): Money {
  return { amount: p ? mulDiv(points, p.amount, p.perPoints, "round") : 0, currency };
}

/**
 * The flows that change how many points of an issuer are outstanding (what
 * refunds take back from expired points was out already). Summed exactly:
 * a program's totals may pass 2^53, and then the statement is refused.
 */
export function outstandingChange(f: IssuerFlows, redeemedFrom: number, reversedTo: number): number {
  return exactSum([f.issued, -f.debtPaid, -redeemedFrom, reversedTo, -f.expired, -f.clawedFromLot]);
}

const emptyFlows = (issuer: string | null): IssuerFlows => ({
  issuer,
  issued: 0,
  debtPaid: 0,
  expired: 0,
  clawedFromLot: 0,
  clawedFromExpired: 0,
  clawedToDebt: 0,
});

export interface StatementInput {
  period: string;
  currency: string;
  partners: { id: string; name: string; terms: PartnerTerms | null }[];
  flows: IssuerFlows[];
  cross: CrossFlow[];
  /** Flows since the beginning of the ledger, per issuer, to reconcile with the lots. */
  allTimeFlows: IssuerFlows[];
  allTimeCross: CrossFlow[];
  /** Outstanding points per issuer as the lots and open holds hold them now. */
  outstandingInLots: { issuer: string | null; points: number }[];
  /** The period's donations per cause (their points are already in the redemptions above). */
  donations?: { causeId: string; name: string; claims: number; points: number; amount: number }[];
}

export function buildStatement(input: StatementInput): Statement {
  const { currency } = input;
  const flowsOf = new Map(input.flows.map((f) => [f.issuer, f]));
  const lines: PartnerLine[] = [{ id: null as string | null, name: "program", terms: null as PartnerTerms | null }, ...input.partners].map(
    (partner) => {
      const f = flowsOf.get(partner.id) ?? emptyFlows(partner.id);
      const atPartner = input.cross.filter((c) => c.redeemer === partner.id);
      const gross = exactSum(atPartner.map((c) => c.grossPoints));
      const reversed = exactSum(atPartner.map((c) => c.reversedPoints));
      const clawed = exactSum([f.clawedFromLot, f.clawedToDebt, f.clawedFromExpired]);
      const netRedeemed = exactSum([gross, -reversed]);
      const terms = partner.terms;
      const issuedValue = price(f.issued, terms?.issuePrice, currency);
      const clawedValue = price(clawed, terms?.issuePrice, currency);
      const redeemedValue = price(netRedeemed, terms?.redeemPrice, currency);
      return {
        partnerId: partner.id,
        name: partner.name,
        terms,
        issued: { points: f.issued, value: issuedValue },
        clawedBack: { points: clawed, value: clawedValue },
        redeemedAt: { grossPoints: gross, reversedPoints: reversed, netPoints: netRedeemed, value: redeemedValue },
        expired: exactSum([f.expired, -f.clawedFromExpired]),
        net: { amount: exactSum([issuedValue.amount, -clawedValue.amount, -redeemedValue.amount]), currency },
      };
    },
  );
  return {
    period: input.period,
    currency,
    partners: lines,
    matrix: input.cross
      .filter((c) => c.grossPoints !== 0 || c.reversedPoints !== 0)
      .map((c) => ({ issuer: c.issuer, redeemer: c.redeemer, grossPoints: c.grossPoints, reversedPoints: c.reversedPoints, netPoints: exactSum([c.grossPoints, -c.reversedPoints]) })),
    breakage: lines.map((l) => ({ issuer: l.partnerId, expired: l.expired })),
    reconciliation: reconcile(input),
    donations: (input.donations ?? []).map((d) => ({ causeId: d.causeId, name: d.name, claims: d.claims, points: d.points, value: { amount: d.amount, currency } })),
    rounding: ROUNDING_NOTE,
  };
}

/**
 * For every issuer: issued - debt paid - redeemed from its lots + reversed to
 * them - expired - clawed from its lots, summed since the beginning, must
 * equal what its lots and holds still hold. A statement that does not
 * reconcile is refused, not published.
 */
export function reconcile(input: Pick<StatementInput, "allTimeFlows" | "allTimeCross" | "outstandingInLots">): ReconciliationLine[] {
  const issuers = new Set<string | null>([
    ...input.allTimeFlows.map((f) => f.issuer),
    ...input.outstandingInLots.map((o) => o.issuer),
    ...input.allTimeCross.map((c) => c.issuer),
  ]);
  return [...issuers].map((issuer) => {
    const f = input.allTimeFlows.find((x) => x.issuer === issuer) ?? emptyFlows(issuer);
    const fromIssuer = input.allTimeCross.filter((c) => c.issuer === issuer);
    const fromFlows = outstandingChange(
      f,
      exactSum(fromIssuer.map((c) => c.grossPoints)),
      exactSum(fromIssuer.map((c) => c.reversedPoints)),
    );
    const inLots = input.outstandingInLots.find((o) => o.issuer === issuer)?.points ?? 0;
    return { issuer, fromFlows, inLots, ok: fromFlows === inLots };
  });
}
