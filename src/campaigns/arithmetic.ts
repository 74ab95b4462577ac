// Exact integer ratios for the rules engine: plain numbers while the product is a safe integer, BigInt beyond.
import { divideRounded, type Rounding } from "../ledger/money";

/**
 * (a * b * c) / divisor with the given rounding, for non-negative integer factors. When the true
 * product fits a safe integer the float product is exact and so are floor and remainder; otherwise
 * (the float product then reads 2^53 or more) it goes through BigInt, as the ledger's mulDiv does.
 */
export function ratio(a: number, b: number, c: number, divisor: number, rounding: Rounding): number {
  const product = a * b * c;
  if (Number.isSafeInteger(product) && product >= 0 && Number.isSafeInteger(divisor) && divisor > 0) {
    const quotient = Math.floor(product / divisor);
    const remainder = product - quotient * divisor;
    if (remainder === 0 || rounding === "floor") return quotient;
    if (rounding === "ceil") return quotient + 1;
    return remainder * 2 >= divisor ? quotient + 1 : quotient;
  }
  return divideRounded(BigInt(a) * BigInt(b) * BigInt(c), BigInt(divisor), rounding);
}
