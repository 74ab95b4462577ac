// Page cursors: opaque, signed, and bound to the list they came from (program, member, partner, filters).
import { ApiError } from "./errors";

/**
 * What a cursor belongs to: the list's name and every value that decides
 * which rows the list holds. A cursor signed for one scope is refused in
 * any other, so another member's or program's cursor cannot walk this list.
 */
export type CursorScope = readonly [list: string, ...parts: (string | null)[]];

/** Far above any cursor sealed here (a row id and a MAC); longer ones are refused unread. */
const MAX_CURSOR_LENGTH = 512;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC key derived from a deployment secret with a fixed label, so the secret itself never signs anything else here. */
function signingKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((base) => crypto.subtle.sign("HMAC", base, encoder.encode("treue page cursor v1")))
      .then((derived) => crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]));
    keys.set(secret, key);
  }
  return key;
}

function signedText(scope: CursorScope, position: string): Uint8Array {
  // JSON keeps the parts apart whatever characters they hold (member ids may hold any printable one).
  return encoder.encode(JSON.stringify([...scope, position]));
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** The cursor that resumes `scope`'s list after `position` (the last row's sort key). */
export async function sealCursor(secret: string, scope: CursorScope, position: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await signingKey(secret), signedText(scope, position)));
  return `${toBase64Url(encoder.encode(position))}.${toBase64Url(mac)}`;
}

/** The position a cursor resumes after; anything not sealed for this very scope is `400 invalid_cursor`. */
export async function openCursor(secret: string, scope: CursorScope, cursor: string | undefined): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  const invalid = new ApiError("invalid_cursor", "The cursor is not one this list gave out; start again without it.");
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalid;
  const [encodedPosition, encodedMac, extra] = cursor.split(".");
  if (encodedPosition === undefined || encodedMac === undefined || extra !== undefined) throw invalid;
  const positionBytes = fromBase64Url(encodedPosition);
  const mac = fromBase64Url(encodedMac);
  if (!positionBytes || !mac || mac.length !== 32) throw invalid;
  let position: string;
  try {
    position = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(positionBytes);
  } catch {
    throw invalid;
  }
  // verify compares in constant time.
  if (!(await crypto.subtle.verify("HMAC", await signingKey(secret), mac, signedText(scope, position)))) throw invalid;
  return position;
}
