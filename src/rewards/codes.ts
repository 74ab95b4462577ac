// Coupon codes: 65 random bits in Crockford base32, plus a check character
// (Damm's scheme over GF(32)), so a mistyped code is told from an unknown one.

/** Crockford's base32: no I, L, O or U, so nothing is read for something else. */
export const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** 13 symbols of 5 bits: 65 bits from crypto.getRandomValues. */
export const CODE_RANDOM_SYMBOLS = 13;
export const CODE_LENGTH = CODE_RANDOM_SYMBOLS + 1;

/** Multiplication in GF(2^5) by x, reduced by the primitive polynomial x^5 + x^2 + 1. */
function timesX(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? (shifted ^ 0b100101) & 0b11111 : shifted;
}

/**
 * Damm's check over the quasigroup a*b = x*a + b of GF(32): every single
 * wrong symbol and every swap of two neighbours changes the result, so the
 * check character catches them all (x != 0, 1 makes it totally anti-symmetric).
 */
function interim(symbols: readonly number[]): number {
  let state = 0;
  for (const s of symbols) state = timesX(state) ^ s;
  return state;
}

function checkSymbol(symbols: readonly number[]): number {
  // The symbol that brings the interim to 0: x*state + c = 0, and -1 = 1 in characteristic 2.
  return timesX(interim(symbols));
}

export function generateCouponCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_RANDOM_SYMBOLS));
  const symbols = Array.from(bytes, (b) => b & 31);
  return [...symbols, checkSymbol(symbols)].map((s) => CODE_ALPHABET[s]).join("");
}

/**
 * What a person typed, read as Crockford does: case ignored, hyphens and
 * spaces dropped, O read as 0 and I or L as 1. Null when it is not a code of
 * this shape at all.
 */
export function normalizeCode(input: string): string | null {
  const text = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (text.length !== CODE_LENGTH) return null;
  for (const ch of text) if (!CODE_ALPHABET.includes(ch)) return null;
  return text;
}

/** Whether a normalized code's check character fits its symbols. */
export function hasValidCheck(code: string): boolean {
  const symbols = [...code].map((ch) => CODE_ALPHABET.indexOf(ch));
  return symbols.length === CODE_LENGTH && !symbols.includes(-1) && interim(symbols) === 0;
}

/** Codes for display: groups of four, as people read them out. */
export function formatCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, "$1-");
}
