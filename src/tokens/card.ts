// The member card's rotating code: an HMAC of the member and a 30-second time step under the program's key, like a TOTP.
import { fromBase32, hmacKey, toBase32, utf8 } from "./encoding";

export const CARD_STEP_SECONDS = 30;
/** A code is accepted in its own step and the next, so it lives 30 to 60 seconds whenever it was shown. */
export const CARD_STEPS_ACCEPTED = 2;
const PREFIX = "T1";
/** 80 bits of MAC: far beyond guessing within a code's minute, and short enough to type. */
const MAC_BYTES = 10;
/** Each card shown gets its own code, so two scans in one step (two tills, a second purchase) are two codes, each resolving once. */
const NONCE_BYTES = 5;

export interface CardCode {
  memberId: string;
  step: number;
  /** Base32, NONCE_BYTES random bytes. */
  nonce: string;
}

export function cardNonce(): string {
  return toBase32(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

export function cardStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / CARD_STEP_SECONDS);
}

/** When a step's code should be replaced on screen, and when the till stops taking it. */
export function cardWindow(step: number): { refreshAt: Date; expiresAt: Date } {
  return {
    refreshAt: new Date((step + 1) * CARD_STEP_SECONDS * 1000),
    expiresAt: new Date((step + CARD_STEPS_ACCEPTED) * CARD_STEP_SECONDS * 1000),
  };
}

async function mac(secretHex: string, programId: string, code: CardCode): Promise<Uint8Array> {
  // Its own label and line breaks: no JWT signing input (base64url and one dot) can equal it.
  const message = utf8(`treue member card v1\n${programId}\n${code.step}\n${code.nonce}\n${code.memberId}`);
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secretHex), message)).slice(0, MAC_BYTES);
}

/** `T1.<member id, base32>.<step>.<nonce>.<mac, base32>`: only characters a QR code's alphanumeric mode holds. */
export async function cardCode(secretHex: string, programId: string, code: CardCode): Promise<string> {
  return `${PREFIX}.${toBase32(utf8(code.memberId))}.${code.step}.${code.nonce}.${toBase32(await mac(secretHex, programId, code))}`;
}

/** The member and step a code claims, or null when it is not shaped like a card code. Untrusted until `cardCodeSigned`. */
export function parseCardCode(text: string): (CardCode & { mac: Uint8Array }) | null {
  if (text.length > 1024) return null;
  const parts = text.trim().toUpperCase().split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX || !/^\d{1,12}$/.test(parts[2]!)) return null;
  const memberBytes = fromBase32(parts[1]!);
  const nonce = parts[3]!;
  const macBytes = fromBase32(parts[4]!);
  if (!memberBytes || memberBytes.length === 0 || fromBase32(nonce)?.length !== NONCE_BYTES || !macBytes || macBytes.length !== MAC_BYTES) return null;
  let memberId: string;
  try {
    memberId = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(memberBytes);
  } catch {
    return null;
  }
  return { memberId, step: Number(parts[2]), nonce, mac: macBytes };
}

/** Whether one of the program's keys made this code (compared in constant time over the MAC). */
export async function cardCodeSigned(secretsHex: readonly string[], programId: string, code: CardCode & { mac: Uint8Array }): Promise<boolean> {
  let found = false;
  for (const secret of secretsHex) {
    const expected = await mac(secret, programId, code);
    let difference = 0;
    for (let i = 0; i < MAC_BYTES; i++) difference |= expected[i]! ^ code.mac[i]!;
    if (difference === 0) found = true;
  }
  return found;
}

export type CardCodeTiming = "current" | "expired" | "future";

/** A code from the step now or the one before is current; older is expired; a later one was not made by this clock. */
export function cardCodeTiming(step: number, nowMs: number): CardCodeTiming {
  const now = cardStep(nowMs);
  // One step ahead is a clock a little ahead of this one (another isolate), not a forgery.
  if (step > now + 1) return "future";
  return now - step < CARD_STEPS_ACCEPTED ? "current" : "expired";
}
