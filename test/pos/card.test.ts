// The member card: a code that changes every 30 seconds (time injected into the pure functions), its QR code over HTTP.
import { beforeAll, describe, expect, it } from "vitest";
import { encode } from "uqr";
import { cardCode, cardCodeSigned, cardCodeTiming, cardNonce, cardStep, cardWindow, CARD_STEP_SECONDS, parseCardCode } from "../../src/tokens/card";
import { fromBase32, toBase32, utf8 } from "../../src/tokens/encoding";
import { createProgram, enroll, type TestProgram } from "../helpers";
import { issueToken, me } from "../tokens/support";

const SECRET = "12".repeat(32);
const OTHER = "34".repeat(32);
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

describe("the rotating code", () => {
  it("changes with every 30-second step and stays the same within one", async () => {
    const at = async (ms: number) => cardCode(SECRET, "prg_a", { memberId: "ada", step: cardStep(ms), nonce: "AAAAAAAA" });
    expect(await at(T0)).toBe(await at(T0 + 29_999));
    expect(await at(T0)).not.toBe(await at(T0 + CARD_STEP_SECONDS * 1000));
    expect(await at(T0 + 30_000)).not.toBe(await at(T0 + 60_000));
  });

  it("is taken in its own step and the next, and expired after", () => {
    const step = cardStep(T0);
    expect(cardCodeTiming(step, T0)).toBe("current");
    expect(cardCodeTiming(step, T0 + 59_999)).toBe("current");
    expect(cardCodeTiming(step, T0 + 60_000)).toBe("expired");
    expect(cardCodeTiming(step - 2880, T0), "yesterday's screenshot").toBe("expired");
    expect(cardCodeTiming(step + 1, T0), "a clock a little ahead").toBe("current");
    expect(cardCodeTiming(step + 2, T0)).toBe("future");
    const window = cardWindow(step);
    expect(window.refreshAt.getTime() - T0).toBe(30_000);
    expect(window.expiresAt.getTime() - T0).toBe(60_000);
  });

  it("names the member and is signed by the program's key alone", async () => {
    const text = await cardCode(SECRET, "prg_a", { memberId: "gid://shop/Customer/José", step: 42, nonce: cardNonce() });
    expect(text).toMatch(/^[A-Z0-9.]+$/);
    const parsed = parseCardCode(text)!;
    expect(parsed).toMatchObject({ memberId: "gid://shop/Customer/José", step: 42 });
    expect(await cardCodeSigned([OTHER, SECRET], "prg_a", parsed)).toBe(true);
    expect(await cardCodeSigned([OTHER], "prg_a", parsed)).toBe(false);
    expect(await cardCodeSigned([SECRET], "prg_b", parsed), "another program").toBe(false);
    expect(await cardCodeSigned([SECRET], "prg_a", { ...parsed, memberId: "bob" })).toBe(false);
    expect(await cardCodeSigned([SECRET], "prg_a", { ...parsed, step: 43 })).toBe(false);
    expect(await cardCodeSigned([SECRET], "prg_a", { ...parsed, nonce: cardNonce() })).toBe(false);
  });

  it.each([
    "",
    "T1",
    "T2.MFSGC.1.AAAAAAAA.AAAAAAAAAAAAAAAA",
    "T1..1.AAAAAAAA.AAAAAAAAAAAAAAAA",
    "T1.MFSGC.x.AAAAAAAA.AAAAAAAAAAAAAAAA",
    "T1.MFSGC.1.AAAAAAAA.AAAA",
    "T1.MFSGC.1.AAAA.AAAAAAAAAAAAAAAA",
    "T1.M1.1.AAAAAAAA.AAAAAAAAAAAAAAAA",
    "T1.MFSGC.1.AAAAAAAAAAAAAAAA",
  ])(
    "refuses %j as not a card code",
    (text) => expect(parseCardCode(text)).toBeNull(),
  );

  it("writes base32 both ways, one spelling per byte string", () => {
    for (const text of ["", "a", "ab", "abc", "abcd", "abcde", "José ✓"]) expect(new TextDecoder().decode(fromBase32(toBase32(utf8(text)))!)).toBe(text);
    expect(fromBase32("MmisspelledLowercase")).toBeNull();
    expect(fromBase32("MB")).toBeNull();
  });
});

let a: TestProgram;

beforeAll(async () => {
  a = await createProgram({}, "Card program");
  await enroll(a.server, "ada");
});

describe("GET /v1/me/card", () => {
  it("answers the current code, its times and an SVG QR code that holds it", async () => {
    const before = Date.now();
    const res = await me("/card", await issueToken(a.server, "ada"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(parseCardCode(res.json.code)).toMatchObject({ memberId: "ada" });
    expect(Date.parse(res.json.expiresAt) - before).toBeGreaterThan(29_000);
    expect(Date.parse(res.json.expiresAt) - Date.parse(res.json.refreshAt)).toBe(30_000);
    expect(res.json.svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The same modules as a fresh encoding of the code: the picture is the code.
    const { size } = encode(res.json.code, { ecc: "M", border: 4 });
    expect(res.json.svg).toContain(`viewBox="0 0 ${size * 8} ${size * 8}"`);
  });

  it("for a member the program does not have answers 404", async () => {
    const res = await me("/card", await issueToken(a.server, "ghost"));
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});
