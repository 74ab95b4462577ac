// Byte encodings the tokens and card codes are written in: base64url (JWT) and base32 (QR alphanumeric mode).
const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Each character's 6 bits by its code, -1 for any other character. */
const BASE64URL_VALUES = Int8Array.from({ length: 128 }, (_, code) => BASE64URL.indexOf(String.fromCharCode(code)));

/**
 * The bytes, or null for anything that is not unpadded base64url. Every member
 * token's three parts are decoded on every request: by table, as atob would
 * decode them (leftover bits of the last character are dropped).
 */
export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64URL_VALUES[code]! : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >>> bits) & 255;
    }
  }
  return out;
}

/** RFC 4648 base32, unpadded: upper-case letters and digits, which a QR code packs in its dense alphanumeric mode. */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function toBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The bytes, or null for anything that is not unpadded upper-case base32 with zero trailing bits. */
export function fromBase32(text: string): Uint8Array | null {
  if (!/^[A-Z2-7]*$/.test(text) || [1, 3, 6].includes(text.length % 8)) return null;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    buffer = (buffer << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // One spelling per byte string: leftover bits must be zero.
  if (buffer !== 0) return null;
  return Uint8Array.from(out);
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_HMAC_KEYS = 1_000;

/** An HMAC-SHA-256 key for a hex secret, imported once per isolate. */
export function hmacKey(secretHex: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secretHex);
  if (!key) {
    const raw = Uint8Array.from(secretHex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (hmacKeys.size >= MAX_CACHED_HMAC_KEYS) hmacKeys.delete(hmacKeys.keys().next().value!);
    hmacKeys.set(secretHex, key);
  }
  return key;
}
