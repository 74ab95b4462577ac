// Coupon codes: random enough, readable, and a check character that tells a typo from an unknown code.
import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_LENGTH, CODE_RANDOM_SYMBOLS, formatCode, generateCouponCode, hasValidCheck, normalizeCode } from "../../src/rewards/codes";

const samples = Array.from({ length: 50 }, () => generateCouponCode());

describe("coupon codes", () => {
  it("carry at least 60 random bits in an alphabet without look-alikes", () => {
    expect(CODE_RANDOM_SYMBOLS * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(60);
    for (const ch of "ILOU") expect(CODE_ALPHABET).not.toContain(ch);
    for (const code of samples) {
      expect(code).toHaveLength(CODE_LENGTH);
      expect([...code].every((ch) => CODE_ALPHABET.includes(ch))).toBe(true);
      expect(hasValidCheck(code)).toBe(true);
    }
    expect(new Set(samples).size).toBe(samples.length);
  });

  it("catch every single wrong character", () => {
    for (const code of samples.slice(0, 10)) {
      for (let i = 0; i < code.length; i++) {
        for (const ch of CODE_ALPHABET) {
          if (ch === code[i]) continue;
          const typo = code.slice(0, i) + ch + code.slice(i + 1);
          expect(hasValidCheck(typo), `${code} with ${ch} at ${i}`).toBe(false);
        }
      }
    }
  });

  it("catch every swap of two neighbouring characters", () => {
    for (const code of samples) {
      for (let i = 0; i + 1 < code.length; i++) {
        if (code[i] === code[i + 1]) continue;
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        expect(hasValidCheck(swapped), `${code} swapped at ${i}`).toBe(false);
      }
    }
  });

  it("are read as Crockford does: case, hyphens, O for 0, I and L for 1", () => {
    const code = samples[0]!;
    expect(normalizeCode(formatCode(code).toLowerCase())).toBe(code);
    expect(normalizeCode(code.replace(/0/g, "O").replace(/1/g, "l"))).toBe(code);
    expect(normalizeCode("TOO-SHORT")).toBeNull();
    expect(normalizeCode(`${code.slice(0, -1)}U`)).toBeNull();
  });
});
