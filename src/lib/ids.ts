// Time-ordered ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford
// base32), monotonic within an isolate so entries written in one batch sort in
// the order they were made. Cursors on the history rely on that order.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b & 31);
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return randomDigits();
}

export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomDigits();
  }
  let time = "";
  let t = Math.max(now, lastTime);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + lastRandom.map((d) => ALPHABET[d]).join("");
}

export type IdPrefix = "prg" | "key" | "ptr" | "lot" | "ent" | "red" | "acc" | "evt" | "ref" | "mbr" | "mpl" | "imp";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

/** A secret with 256 bits of entropy, as hex. */
export function randomSecret(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Every request hashes its key (and a write its body): a table, not a formatted string per byte. */
const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += HEX_BYTES[b];
  return text;
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}
