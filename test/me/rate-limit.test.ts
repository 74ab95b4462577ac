// Member-token calls are limited per member and per client address (the rate limiting bindings of wrangler.toml).
import { beforeAll, describe, expect, it } from "vitest";
import { call, createProgram, enroll, type TestProgram } from "../helpers";
import { issueToken, me } from "../tokens/support";

let a: TestProgram;

beforeAll(async () => {
  a = await createProgram({}, "Limits");
  await enroll(a.server, "busy");
  await enroll(a.server, "calm");
});

/** Calls until the first 429 (windows are aligned to the clock, so one may roll over midway: three windows' worth at most). */
async function untilLimited(send: () => ReturnType<typeof call>, atMost: number) {
  for (let i = 1; i <= atMost; i++) {
    const res = await send();
    if (res.status === 429) return { res, calls: i };
    expect(res.status).toBeLessThan(429);
  }
  throw new Error(`no 429 in ${atMost} calls`);
}

describe("rate limits", () => {
  it("answer 429 rate_limited with Retry-After once a member calls too often, and leave other members alone", async () => {
    const token = await issueToken(a.server, "busy");
    const { res, calls } = await untilLimited(() => me("/balance", token), 3 * 30 + 1);
    expect(calls).toBeGreaterThan(1);
    expect(res.json.code).toBe("rate_limited");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await me("/balance", await issueToken(a.server, "calm"))).status).toBe(200);
  });

  it("limit one client address across members and bad tokens alike", async () => {
    const ip = { "cf-connecting-ip": "203.0.113.77" };
    const calmToken = await issueToken(a.server, "calm");
    // Windows are aligned to the clock: when the window turns between the limit and the next call, that call
    // passes (and says so), and the address is limited again in the next window.
    let limitedToo = false;
    for (let attempt = 0; attempt < 3 && !limitedToo; attempt++) {
      const { res } = await untilLimited(() => me("/balance", "not-a-token", ip), 3 * 100 + 1);
      expect(res.json.code).toBe("rate_limited");
      expect(res.headers.get("retry-after")).toBeTruthy();
      const calm = await me("/balance", calmToken, ip);
      expect([200, 429]).toContain(calm.status);
      limitedToo = calm.status === 429;
    }
    expect(limitedToo).toBe(true);
    expect((await me("/balance", await issueToken(a.server, "calm"), { "cf-connecting-ip": "203.0.113.78" })).status).toBe(200);
  });

  it("count preflights against the address too", async () => {
    const ip = { "cf-connecting-ip": "203.0.113.79" };
    const { res } = await untilLimited(() => call("/v1/me/balance", { method: "OPTIONS", headers: { ...ip, origin: "https://unknown.example" } }), 3 * 100 + 1);
    expect(res.json.code).toBe("rate_limited");
  });
});
