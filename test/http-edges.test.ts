// The HTTP edge: which bodies count as JSON, and odd methods, paths, headers and encodings,
// none of which may reach a 500.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, createProgram, enroll, type TestProgram } from "./helpers";

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram();
  await enroll(p.server, "ada");
});

let orderCounter = 0;
const order = () => JSON.stringify({ orderId: `ct-${++orderCounter}`, amount: { amount: 1000, currency: "EUR" } });

describe("content types", () => {
  it.each([
    "application/json",
    "application/json;",
    "application/json;;",
    "application/json ; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "Application/JSON",
    "application/vnd.treue+json",
    "application/json; foo=bar",
  ])("accepts a JSON body sent as %j", async (contentType) => {
    const res = await call("/v1/members/ada/accruals", { key: p.server, rawBody: order(), headers: { "content-type": contentType } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  });

  it("accepts such types on every kind of body route: PUT, PATCH and the bulk file", async () => {
    const headers = { "content-type": "application/json;" };
    expect((await call("/v1/members/bea", { method: "PUT", key: p.server, rawBody: "{}", headers })).status).toBe(201);
    expect((await call("/v1/program", { method: "PATCH", key: p.admin, rawBody: "{}", headers })).status).toBe(200);
    const batch = await call("/v1/transactions/batch", { key: p.server, rawBody: JSON.stringify({ items: [] }), headers, idempotencyKey: null });
    expect(batch.status, JSON.stringify(batch.json)).not.toBeGreaterThanOrEqual(500);
  });

  it("refuses a body in another charset than UTF-8 with 415, and posts nothing", async () => {
    const earned = async () => (await call("/v1/members/ada/transactions?limit=200", { key: p.server })).json.data.length;
    const before = await earned();
    for (const charset of ["latin1", "iso-8859-1", "utf-16", '"windows-1252"']) {
      const res = await call("/v1/members/ada/accruals", { key: p.server, rawBody: order(), headers: { "content-type": `application/json; charset=${charset}` } });
      expect(res.status, charset).toBe(415);
      expect(res.json.code).toBe("unsupported_media_type");
    }
    expect(await earned()).toBe(before);
  });
});

describe("odd requests", () => {
  const odd: { name: string; method?: string; path: string; headers?: Record<string, string>; body?: string; status: number }[] = [
    { name: "HEAD of a balance", method: "HEAD", path: "/v1/members/ada/balance", status: 200 },
    { name: "OPTIONS of a balance", method: "OPTIONS", path: "/v1/members/ada/balance", status: 404 },
    { name: "an unknown method", method: "PROPFIND", path: "/v1/members/ada/balance", status: 404 },
    { name: "DELETE of a member by a server key (erasure is the admin's)", method: "DELETE", path: "/v1/members/ada", status: 403 },
    { name: "malformed percent-encoding in the member id", path: "/v1/members/%E0%A4%A/balance", status: 400 },
    { name: "a lone percent sign in the member id", path: "/v1/members/%/balance", status: 400 },
    { name: "an encoded NUL in the member id", path: "/v1/members/a%00b/balance", status: 400 },
    { name: "an empty member id", path: "/v1/members//balance", status: 404 },
    { name: "a trailing slash", path: "/v1/members/ada/balance/", status: 404 },
    { name: "a dot-dot segment", path: "/v1/members/%2e%2e/balance", status: 404 },
    { name: "an invalid UTF-8 path", path: "/%ff%fe", status: 400 },
    { name: "malformed percent-encoding in the query", path: "/v1/members/ada/balance?%ff=%zz", status: 200 },
    { name: "a limit twice", path: "/v1/members/ada/transactions?limit=1&limit=2", status: 400 },
    { name: "a member id of 5,000 characters", path: `/v1/members/${"a".repeat(5000)}/balance`, status: 400 },
    { name: "a request id of 1,000 characters", path: "/v1/members/ada/balance", headers: { "x-request-id": "r".repeat(1000) }, status: 200 },
    { name: "an empty bearer token", path: "/v1/members/ada/balance", headers: { authorization: "Bearer " }, status: 401 },
    { name: "a body that is not UTF-8", method: "POST", path: "/v1/members/ada/accruals", body: "\u00ff", headers: { "content-type": "application/json" }, status: 400 },
    { name: "a body that starts with a byte order mark", method: "PUT", path: "/v1/members/ada", body: "\ufeff{}", headers: { "content-type": "application/json" }, status: 200 },
    { name: "a body on a GET", method: "GET", path: "/v1/members/ada/balance", status: 200 },
    { name: "a Content-Type that is not JSON without a body", method: "PUT", path: "/v1/members/ada", headers: { "content-type": "text/plain" }, status: 415 },
  ];

  it.each(odd)("$name: $status, never a 500", async (c) => {
    const headers = { authorization: `Bearer ${p.server}`, "idempotency-key": `odd-${Math.random()}`, ...c.headers };
    const body = c.body === "\u00ff" ? new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) : c.body;
    const res = await exports.default.fetch(`${BASE}${c.path}`, { method: c.method ?? "GET", headers, body });
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    if (res.status >= 400) {
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.parse(text).status).toBe(c.status);
    }
  });

  it("answers the platform's own routes alike", async () => {
    const res = await call("/v1/programs", { key: env.ADMIN_TOKEN, rawBody: JSON.stringify({ name: "x" }), headers: { "content-type": "application/json; charset=latin1" } });
    expect(res.status).toBe(415);
  });
});
