// Referral codes: short, unguessable, typed by people, and the share link built from the program's template.

/** No 0/O, 1/I/L or U: characters people misread or mistype. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
/** 10 characters of a 30-letter alphabet: about 49 bits, far beyond what anyone guesses by trying. */
export const CODE_LENGTH = 10;

/**
 * A fresh code from `random` bytes (a cryptographic source by default).
 * Bytes of 240 and above are skipped, so every letter is equally likely.
 */
export function generateReferralCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  let code = "";
  while (code.length < CODE_LENGTH) {
    for (const byte of random(CODE_LENGTH * 2)) {
      if (byte >= 240) continue;
      code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
      if (code.length === CODE_LENGTH) break;
    }
  }
  return code;
}

/** What a person typed, as stored: upper case, without spaces or dashes. Null when it cannot be a code. */
export function normalizeReferralCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, "").toUpperCase();
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** The program's share link for a code; the code is URL-safe as it stands. */
export function shareLink(template: string, code: string): string {
  return template.split("{code}").join(code);
}
