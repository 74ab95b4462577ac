// Hashes and secrets as hex: what keys and request hashes are stored and compared as.
import { describe, expect, it } from "vitest";
import { randomSecret, sha256Hex } from "../src/lib/ids";

describe("hex", () => {
  it("writes SHA-256 digests as the standard's test vectors do", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("gives secrets of 64 lowercase hex digits, each one drawn anew", () => {
    const secrets = Array.from({ length: 50 }, randomSecret);
    for (const secret of secrets) expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(secrets).size).toBe(50);
  });
});
