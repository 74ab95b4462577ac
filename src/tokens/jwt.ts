// Compact JWS (RFC 7515) with HS256 over WebCrypto: sign a member token, and take one apart and check its signature.
import { fromBase64Url, hmacKey, toBase64Url, utf8 } from "./encoding";

/** The only algorithm accepted: `none`, RS/ES and anything else are refused before any key is looked at. */
export const TOKEN_ALGORITHM = "HS256";

export interface TokenHeader {
  alg: string;
  typ?: string;
  kid: string;
}

/** The claims Treue writes; a token read back is checked field by field (src/tokens/claims.ts). */
export interface TokenClaims {
  iss: string;
  /** The program id. */
  aud: string;
  /** The storefront's member id. */
  sub: string;
  iat: number;
  nbf?: number;
  exp: number;
  jti: string;
  /** Space-separated scopes, as OAuth access tokens carry them (RFC 9068). */
  scope: string;
}

export interface DecodedToken {
  header: TokenHeader;
  /** Untrusted until the signature is checked. */
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Uint8Array;
}

function segment(value: unknown): string {
  return toBase64Url(utf8(JSON.stringify(value)));
}

export async function signToken(claims: TokenClaims, kid: string, secretHex: string): Promise<string> {
  const signingInput = `${segment({ alg: TOKEN_ALGORITHM, typ: "JWT", kid })}.${segment(claims)}`;
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secretHex), utf8(signingInput)));
  return `${signingInput}.${toBase64Url(signature)}`;
}

function jsonObject(bytes: Uint8Array | null): Record<string, unknown> | null {
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Far above any token signed here; longer ones are refused unread. */
export const MAX_TOKEN_LENGTH = 2048;

/**
 * The token's parts, or null when it is not a compact JWS with an HS256
 * header and a key id. Nothing here is trusted yet: the caller finds the key
 * by (aud, kid) and checks the signature with `signatureValid`.
 */
export function decodeToken(token: string): DecodedToken | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = jsonObject(fromBase64Url(headerPart));
  const payload = jsonObject(fromBase64Url(payloadPart));
  const signature = fromBase64Url(signaturePart);
  if (!header || !payload || !signature || signature.length !== 32) return null;
  if (header.alg !== TOKEN_ALGORITHM || typeof header.kid !== "string" || header.kid.length === 0 || header.kid.length > 64) return null;
  // A header that asks for more than plain JWS processing (crit, embedded keys) is not one of ours.
  if ("crit" in header || "jwk" in header || "jku" in header || "x5u" in header) return null;
  return { header: header as unknown as TokenHeader, payload, signingInput: `${headerPart}.${payloadPart}`, signature };
}

/** Constant-time check of the HMAC over the token's first two parts. */
export async function signatureValid(token: DecodedToken, secretHex: string): Promise<boolean> {
  return crypto.subtle.verify("HMAC", await hmacKey(secretHex), token.signature, utf8(token.signingInput));
}
