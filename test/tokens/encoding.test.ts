// base64url as member tokens carry it: decoded by table exactly as atob decodes it, invalid text refused.
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/tokens/encoding";

/** The decoder this one replaced: atob on the standard alphabet. */
function byAtob(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
}

describe("base64url", () => {
  it("gives back every byte string it encoded, of every length up to 200", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
  });

  it("decodes any text as atob does, and refuses what atob's caller refused", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. é\u0000";
    for (let n = 0; n < 3000; n++) {
      const length = n % 23;
      const text = Array.from({ length }, () => alphabet[Math.floor(Math.random() * (n % 3 === 0 ? alphabet.length : 64))]).join("");
      expect(fromBase64Url(text), JSON.stringify(text)).toEqual(byAtob(text));
    }
    // Leftover bits of the last character are dropped, as atob drops them.
    expect(fromBase64Url("QR")).toEqual(byAtob("QR"));
    for (const bad of ["A", "AAAAA", "AA=", "A+AA", "A/AA", "AA AA", "ÀAAA"]) expect(fromBase64Url(bad)).toBeNull();
  });
});
