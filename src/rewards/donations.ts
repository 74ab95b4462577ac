// Donations to a cause: totals per settlement period, and the same as CSV.
import { exactSum } from "../ledger/money";
import { csvLine } from "../lib/csv";

export interface DonationPeriod {
  period: string;
  claims: number;
  points: number;
  amount: { amount: number; currency: string };
}

export interface Donations {
  causeId: string;
  name: string;
  currency: string;
  periods: DonationPeriod[];
  total: { amount: number; currency: string };
}

/** Sums are exact: past 2^53 the totals are refused rather than rounded. */
export function donationsOf(cause: { id: string; name: string }, currency: string, rows: readonly { period: string; claims: number; points: number; amount: number }[]): Donations {
  const periods = rows.map((r) => ({ period: r.period, claims: r.claims, points: r.points, amount: { amount: r.amount, currency } }));
  return { causeId: cause.id, name: cause.name, currency, periods, total: { amount: exactSum(rows.map((r) => r.amount)), currency } };
}

export function donationsCsv(d: Donations): string {
  const lines = ["cause_id,name,period,claims,points,amount,currency"];
  for (const p of d.periods) lines.push(csvLine([d.causeId, d.name, p.period, p.claims, p.points, p.amount.amount, d.currency]));
  return `${lines.join("\r\n")}\r\n`;
}
