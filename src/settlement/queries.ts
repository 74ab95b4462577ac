// The ledger reads a statement is built from: flows per issuer, the
// issuer-by-redeemer matrix from allocations, and what the lots still hold.
import { and, desc, eq, lte } from "drizzle-orm";
import type { Database } from "../db/client";
import { partners, partnerTerms, programs } from "../db/schema";
import { BeyondSafeIntegers, exactSum } from "../ledger/money";
import type { CrossFlow, IssuerFlows, PartnerTerms } from "./statement";

type Row = Record<string, unknown>;

/**
 * Sums over a whole program can pass 2^53 even when every member's stay
 * below it. The queries hand each sum over as text (CAST ... AS TEXT), read
 * here exactly; one that does not fit a safe integer, or that overflowed
 * SQLite's 64-bit SUM, refuses the statement instead of rounding it.
 */
const n = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  const exact = BigInt(String(v));
  if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) throw new BeyondSafeIntegers("settlement sum beyond safe integers");
  return Number(exact);
};

async function exactly<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if (/integer overflow/i.test(String((error as Error).message ?? error))) throw new BeyondSafeIntegers("settlement sum beyond 64-bit integers");
    throw error;
  }
}
const issuerOf = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Flows per issuing partner, for one settlement period or (period null) since the beginning. */
export async function issuerFlows(d1: D1Database, programId: string, period: string | null): Promise<IssuerFlows[]> {
  // Debt is paid by new lots (earn) and by points that come back to a lot (debt_payment); both name the lot's issuer.
  const rows = await exactly(
    d1
      .prepare(
        `SELECT partner_id AS issuer,
           CAST(SUM(CASE WHEN type = 'earn' THEN points ELSE 0 END) AS TEXT) AS issued,
           CAST(SUM(CASE WHEN type IN ('earn', 'debt_payment') THEN debt_paid ELSE 0 END) AS TEXT) AS debt_paid,
           CAST(SUM(CASE WHEN type = 'expire' THEN -points ELSE 0 END) AS TEXT) AS expired,
           CAST(SUM(CASE WHEN type = 'clawback' THEN from_lot ELSE 0 END) AS TEXT) AS from_lot,
           CAST(SUM(CASE WHEN type = 'clawback' THEN from_expired ELSE 0 END) AS TEXT) AS from_expired,
           CAST(SUM(CASE WHEN type = 'clawback' THEN added_to_debt ELSE 0 END) AS TEXT) AS to_debt
         FROM entries
         WHERE program_id = ?1 AND (?2 IS NULL OR settlement_period = ?2) AND type IN ('earn', 'debt_payment', 'expire', 'clawback')
         GROUP BY partner_id`,
      )
      .bind(programId, period)
      .all<Row>(),
  );
  return rows.results.map((r) => ({
    issuer: issuerOf(r.issuer),
    issued: n(r.issued),
    debtPaid: n(r.debt_paid),
    expired: n(r.expired),
    clawedFromLot: n(r.from_lot),
    clawedFromExpired: n(r.from_expired),
    clawedToDebt: n(r.to_debt),
  }));
}

/** Points of issuer X redeemed at redeemer Y (gross) and given back by reversals, exact from the allocations. */
export async function crossFlows(d1: D1Database, programId: string, period: string | null): Promise<CrossFlow[]> {
  const rows = await exactly(
    d1
      .prepare(
        `SELECT l.partner_id AS issuer, r.partner_id AS redeemer,
           CAST(SUM(CASE WHEN e.type = 'redeem' THEN a.points ELSE 0 END) AS TEXT) AS redeemed,
           CAST(SUM(CASE WHEN e.type = 'reverse' THEN a.points ELSE 0 END) AS TEXT) AS reversed
         FROM entries e
         JOIN redemptions r ON r.id = e.redemption_id
         JOIN allocations a ON a.redemption_id = e.redemption_id
         JOIN lots l ON l.id = a.lot_id
         WHERE e.program_id = ?1 AND (?2 IS NULL OR e.settlement_period = ?2) AND e.type IN ('redeem', 'reverse')
         GROUP BY l.partner_id, r.partner_id`,
      )
      .bind(programId, period)
      .all<Row>(),
  );
  return rows.results.map((r) => ({ issuer: issuerOf(r.issuer), redeemer: issuerOf(r.redeemer), grossPoints: n(r.redeemed), reversedPoints: n(r.reversed) }));
}

/** Points each issuer's lots still hold, plus those open holds took from them. */
export async function outstandingInLots(d1: D1Database, programId: string): Promise<{ issuer: string | null; points: number }[]> {
  const [inLots, inHolds] = await exactly(
    d1.batch<Row>([
      d1
        .prepare("SELECT partner_id AS issuer, CAST(SUM(remaining) AS TEXT) AS points FROM lots WHERE program_id = ?1 AND remaining > 0 GROUP BY partner_id")
        .bind(programId),
      d1
        .prepare(
          `SELECT l.partner_id AS issuer, CAST(SUM(a.points) AS TEXT) AS points
           FROM redemptions r JOIN allocations a ON a.redemption_id = r.id JOIN lots l ON l.id = a.lot_id
           WHERE r.program_id = ?1 AND r.status = 'held' GROUP BY l.partner_id`,
        )
        .bind(programId),
    ]),
  );
  const totals = new Map<string | null, number>();
  for (const r of [...inLots!.results, ...inHolds!.results]) {
    const issuer = issuerOf(r.issuer);
    totals.set(issuer, exactSum([totals.get(issuer) ?? 0, n(r.points)]));
  }
  return [...totals].map(([issuer, points]) => ({ issuer, points }));
}

/** The latest period the program closed, or null: statements, closing and terms all start from it. */
export async function closedThroughOf(db: Database, programId: string): Promise<string | null> {
  const [row] = await db.select({ closedThrough: programs.closedThrough }).from(programs).where(eq(programs.id, programId));
  return row!.closedThrough;
}

/** Each partner with the terms in force for the period: the latest version valid from it or before. */
export async function partnersWithTerms(db: Database, programId: string, period: string) {
  const rows = await db.select().from(partners).where(eq(partners.programId, programId)).orderBy(partners.name);
  return Promise.all(
    rows.map(async (p) => {
      const [t] = await db
        .select()
        .from(partnerTerms)
        .where(and(eq(partnerTerms.programId, programId), eq(partnerTerms.partnerId, p.id), lte(partnerTerms.validFrom, period)))
        .orderBy(desc(partnerTerms.validFrom))
        .limit(1);
      const terms: PartnerTerms | null = t
        ? {
            validFrom: t.validFrom,
            issuePrice: { amount: t.issueAmount, perPoints: t.issuePerPoints },
            redeemPrice: { amount: t.redeemAmount, perPoints: t.redeemPerPoints },
          }
        : null;
      return { id: p.id, name: p.name, terms };
    }),
  );
}
