// CORS on /v1/me: preflights for origins a program allows, real answers only for the token's own program's origins.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, createProgram, enroll, type TestProgram } from "../helpers";
import { claimsFor, forge, issueToken, me } from "../tokens/support";

let a: TestProgram;
let b: TestProgram;
const SHOP_A = "https://shop-a.example";
const SHOP_B = "https://shop-b.example";

function preflight(origin: string | null, path = "/v1/me/balance") {
  return exports.default.fetch(`${BASE}${path}`, {
    method: "OPTIONS",
    headers: { ...(origin ? { origin } : {}), "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });
}

beforeAll(async () => {
  a = await createProgram({ cors: { allowedOrigins: [SHOP_A, "http://localhost:8787"] } }, "CORS A");
  b = await createProgram({ cors: { allowedOrigins: [SHOP_B] } }, "CORS B");
  await enroll(a.server, "ada");
  await enroll(b.server, "ada");
});

describe("preflights", () => {
  it("answer an origin a program allows with the methods and headers /v1/me takes", async () => {
    const res = await preflight(SHOP_A);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP_A);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("give an origin no program allows no CORS headers at all", async () => {
    for (const origin of ["https://evil.example", "https://shop-a.example.evil.example", "null"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(res.headers.get("access-control-allow-methods")).toBeNull();
    }
    expect((await preflight(null)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("are answered for /v1/me itself too", async () => {
    expect((await preflight(SHOP_B, "/v1/me")).headers.get("access-control-allow-origin")).toBe(SHOP_B);
  });
});

describe("answers to a member token", () => {
  it("carry the origin when the token's program allows it, never *", async () => {
    const res = await me("/balance", await issueToken(a.server, "ada"), { origin: SHOP_A });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP_A);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("carry none for an origin only another program allows", async () => {
    const res = await me("/balance", await issueToken(a.server, "ada"), { origin: SHOP_B });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("carry the origin on the token's own refusals, so the shop's page can read why (an expired token)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge(a.programId, claimsFor(a.programId, "ada", { iat: now - 3600, exp: now - 600 }));
    const res = await me("/balance", expired, { origin: SHOP_A });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_expired");
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP_A);
    expect((await me("/balance", expired, { origin: SHOP_B })).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("follow a settings change of the program", async () => {
    const token = await issueToken(b.server, "ada");
    expect((await me("/balance", token, { origin: "https://new-b.example" })).headers.get("access-control-allow-origin")).toBeNull();
    const patched = await call("/v1/program", { method: "PATCH", key: b.admin, body: { cors: { allowedOrigins: [SHOP_B, "https://new-b.example"] } } });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect((await me("/balance", token, { origin: "https://new-b.example" })).headers.get("access-control-allow-origin")).toBe("https://new-b.example");
  });

  it("are not given to program-key routes", async () => {
    const res = await call("/v1/members/ada/balance", { key: a.server, headers: { origin: SHOP_A } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("the setting", () => {
  it("takes origins only, no paths or wildcards", async () => {
    for (const origin of ["*", "https://shop.example/path", "shop.example"]) {
      const res = await call("/v1/program", { method: "PATCH", key: a.admin, body: { cors: { allowedOrigins: [origin] } } });
      expect([400, 422], origin).toContain(res.status);
      expect(JSON.stringify(res.json.errors ?? res.json.detail), origin).toContain("origin");
    }
  });
});
