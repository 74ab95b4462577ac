// Integer money and points arithmetic: no floats reach the ledger.

/** Money in integer minor units of an ISO 4217 currency, e.g. 1999 EUR = 19.99 EUR. */
export interface Money {
  amount: number;
  currency: string;
}

export type Rounding = "floor" | "round" | "ceil";

/** A result of the integer arithmetic that no longer fits a safe integer. */
export class BeyondSafeIntegers extends RangeError {}

/**
 * numerator / denominator, rounded as asked. Runs on BigInt so products of
 * large amounts and rates stay exact beyond 2^53 before the division.
 */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): number {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  if (remainder !== 0n) {
    // Rounding is defined on the signed value: floor goes down, ceil goes up.
    if (rounding === "round" && remainder * 2n >= denominator) quotient += 1n;
    if (rounding === "ceil" && !negative) quotient += 1n;
    if (rounding === "floor" && negative) quotient += 1n;
  }
  const result = negative ? -quotient : quotient;
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new BeyondSafeIntegers("result beyond safe integers");
  }
  return Number(result);
}

/** The sum of integer terms (negative ones subtract), exact, or BeyondSafeIntegers when it does not fit. */
export function exactSum(terms: readonly number[]): number {
  let total = 0n;
  for (const term of terms) total += BigInt(term);
  if (total > BigInt(Number.MAX_SAFE_INTEGER) || total < BigInt(Number.MIN_SAFE_INTEGER)) throw new BeyondSafeIntegers("sum beyond safe integers");
  return Number(total);
}

/** a * b / c, rounded: the one shape every rate in the ledger takes. */
export function mulDiv(a: number, b: number, c: number, rounding: Rounding): number {
  return divideRounded(BigInt(a) * BigInt(b), BigInt(c), rounding);
}

const FALLBACK_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD"];

/** ISO 4217 codes the runtime knows; falls back to a short list where Intl lacks them. */
export const knownCurrencies: ReadonlySet<string> = (() => {
  try {
    const codes = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("currency");
    if (codes && codes.length > 0) return new Set(codes);
  } catch {
    // Intl without currency data: use the fallback list.
  }
  return new Set(FALLBACK_CURRENCIES);
})();

export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}
