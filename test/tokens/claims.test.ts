// The member token's pure rules: claims, scopes, revocation marks, and the JWS parts (no HTTP).
import { describe, expect, it } from "vitest";
import { checkClaims, CLOCK_LEEWAY_SECONDS, hasScope, newClaims, revocationMark, revoked } from "../../src/tokens/claims";
import { toBase64Url, utf8 } from "../../src/tokens/encoding";
import { decodeToken, signatureValid, signToken } from "../../src/tokens/jwt";
import { claimsFor, handMade } from "./support";

const SECRET = "ab".repeat(32);
const NOW = 1_800_000_000;

describe("checkClaims", () => {
  const base = claimsFor("prg_a", "ada", {}, NOW);

  it("accepts Treue's own claims for the program within their lifetime", () => {
    const verdict = checkClaims({ ...base }, { programId: "prg_a", now: NOW + 100 });
    expect(verdict).toMatchObject({ ok: true, scopes: ["read"], claims: { sub: "ada" } });
  });

  it.each([
    ["another audience", { aud: "prg_b" }, "token_invalid"],
    ["an audience list", { aud: ["prg_a"] }, "token_invalid"],
    ["another issuer", { iss: "someone" }, "token_invalid"],
    ["no subject", { sub: "" }, "token_invalid"],
    ["fractional times", { exp: NOW + 0.5 }, "token_invalid"],
    ["a lifetime over 24 hours", { exp: NOW + 86_401 }, "token_invalid"],
    ["an issue time in the future", { iat: NOW + CLOCK_LEEWAY_SECONDS + 200, exp: NOW + 2000 }, "token_invalid"],
    ["a not-before in the future", { nbf: NOW + CLOCK_LEEWAY_SECONDS + 1 }, "token_invalid"],
    ["an expiry past the leeway", { exp: NOW - CLOCK_LEEWAY_SECONDS, iat: NOW - 900 }, "token_expired"],
  ])("refuses %s", (_, overrides, code) => {
    const verdict = checkClaims({ ...base, ...overrides }, { programId: "prg_a", now: NOW });
    expect(verdict).toMatchObject({ ok: false, code });
  });

  it("takes an expiry within the leeway, for clocks a little apart", () => {
    expect(checkClaims({ ...base, iat: NOW - 900, exp: NOW - CLOCK_LEEWAY_SECONDS + 1 }, { programId: "prg_a", now: NOW }).ok).toBe(true);
  });

  it("keeps only the scopes it knows", () => {
    const verdict = checkClaims({ ...base, scope: "read admin claim" }, { programId: "prg_a", now: NOW });
    expect(verdict.ok && verdict.scopes).toEqual(["read", "claim"]);
    expect(hasScope(["read"], "claim")).toBe(false);
  });
});

describe("revocation", () => {
  it("refuses tokens issued before the revocation, and not one issued right after it in the same second", () => {
    const mark = revocationMark(NOW * 1000 + 500);
    expect(revoked({ iat: NOW }, mark)).toBe(true);
    const after = newClaims({ programId: "p", memberId: "m", scopes: ["read"], ttlSeconds: 900, now: NOW, tokensValidAfter: mark, jti: "j" });
    expect(revoked(after, mark)).toBe(false);
    expect(after.exp - after.iat).toBe(900);
    expect(revoked({ iat: NOW }, null)).toBe(false);
  });
});

describe("the JWS", () => {
  it("verifies what it signed, and nothing with a byte changed", async () => {
    const token = await signToken(claimsFor("prg_a", "ada", {}, NOW), "kid1", SECRET);
    const decoded = decodeToken(token)!;
    expect(decoded.header).toEqual({ alg: "HS256", typ: "JWT", kid: "kid1" });
    expect(await signatureValid(decoded, SECRET)).toBe(true);
    expect(await signatureValid(decoded, "cd".repeat(32))).toBe(false);
    const [h, p, s] = token.split(".");
    const tampered = `${h}.${toBase64Url(utf8(JSON.stringify({ ...claimsFor("prg_a", "bob", {}, NOW) })))}.${s}`;
    expect(await signatureValid(decodeToken(tampered)!, SECRET)).toBe(false);
    expect(p).not.toContain("=");
  });

  it.each([
    ["alg none", handMade({ alg: "none", kid: "k" }, { sub: "ada" })],
    ["alg none with a signature", handMade({ alg: "none", kid: "k" }, { sub: "ada" }, "A".repeat(43))],
    ["alg RS256", handMade({ alg: "RS256", kid: "k" }, { sub: "ada" }, "A".repeat(43))],
    ["no kid", handMade({ alg: "HS256" }, { sub: "ada" }, "A".repeat(43))],
    ["an embedded key", handMade({ alg: "HS256", kid: "k", jwk: {} }, { sub: "ada" }, "A".repeat(43))],
    ["two parts", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ"],
    ["a program key", "trk_0000000000000000000000000000000000000000000000000000000000000000"],
    ["a short signature", handMade({ alg: "HS256", kid: "k" }, { sub: "ada" }, "AAAA")],
  ])("refuses %s before looking for a key", (_, token) => {
    expect(decodeToken(token)).toBeNull();
  });
});
