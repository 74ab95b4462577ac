// The console's session: the operator's key sealed (AES-GCM, so encrypted and authenticated) into a cookie, with its role and a CSRF token; nothing is stored server-side.
import type { Role } from "../app/types";

export const SESSION_COOKIE = "treue_console";
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

export interface ConsoleSession {
  /** The program key the console calls the API with; only ever inside the sealed cookie. */
  key: string;
  /** The key's id, so the keys page does not offer to revoke the key in use. */
  keyId: string;
  role: Role;
  programId: string;
  partnerId: string | null;
  /** Per-session token every form post must carry. */
  csrf: string;
  /** Seconds since epoch. */
  expiresAt: number;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * The sealing key, derived from the platform secret: rotating ADMIN_TOKEN ends
 * every console session, and no other secret needs provisioning.
 */
async function sealingKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("treue-console"), info: encoder.encode("session cookie v1") },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export function newCsrfToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

export async function sealSession(secret: string, session: ConsoleSession): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealingKey(secret), encoder.encode(JSON.stringify(session)));
  return `${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The session in a cookie value, or null when it was not sealed by us, was altered, or is over. */
export async function openSession(secret: string, value: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): Promise<ConsoleSession | null> {
  if (!value || value.length > 4096) return null;
  const [ivPart, sealedPart, extra] = value.split(".");
  if (ivPart === undefined || sealedPart === undefined || extra !== undefined) return null;
  const iv = fromBase64url(ivPart);
  const sealed = fromBase64url(sealedPart);
  if (!iv || iv.length !== 12 || !sealed) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await sealingKey(secret), sealed);
    const session = JSON.parse(new TextDecoder().decode(plain)) as ConsoleSession;
    return session.expiresAt > nowSeconds ? session : null;
  } catch {
    return null;
  }
}

/** Equal strings, compared in time that depends only on their length. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What a server key may do in the console: look, never change. A partner key sees its settlement only. */
export function mayChange(session: ConsoleSession): boolean {
  return session.role === "admin";
}
