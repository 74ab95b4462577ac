// Member ids are the storefront's own: any printable Unicode up to 255 characters, percent-encoded
// in paths, compared exactly as given; control characters are refused.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createProgram, expectLedgerConsistent, type TestProgram } from "./helpers";

const path = (id: string, rest = "") => `/v1/members/${encodeURIComponent(id)}${rest}`;

const STOREFRONT_IDS = [
  "gid://shopify/Customer/123",
  "cust 42",
  "José",
  "Jose\u0301", // the same name, decomposed: another id
  "顧客-0042",
  "x'; DROP TABLE members; --",
  "<script>alert(1)</script>",
  "100% loyal",
  "a?b#c&d=e+f",
  "=HYPERLINK(\"https://evil.example\")",
  "...",
  " padded ",
  "😀".repeat(255),
  "m".repeat(255),
];

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram();
});

describe("member ids", () => {
  it.each(STOREFRONT_IDS.map((id) => [id.length > 40 ? `${id.slice(0, 12)}... (${[...id].length} characters)` : id, id]))(
    "accepts %j through enrollment, accrual, redemption, history and bulk posting",
    async (_label, id) => {
      const enrolled = await call(path(id), { method: "PUT", key: p.server, body: { name: "n" } });
      expect(enrolled.status, JSON.stringify(enrolled.json)).toBe(201);
      expect(enrolled.json.memberId).toBe(id);
      const accrued = await call(path(id, "/accruals"), { key: p.server, body: { orderId: `o-${crypto.randomUUID()}`, amount: { amount: 1000, currency: "EUR" } } });
      expect(accrued.status).toBe(201);
      const redeemed = await call(path(id, "/redemptions"), { key: p.server, body: { points: 3 } });
      expect(redeemed.status).toBe(201);
      expect(redeemed.json.memberId).toBe(id);
      expect((await call(`/v1/redemptions/${redeemed.json.id}`, { key: p.server })).json.memberId).toBe(id);
      const bulk = await call("/v1/transactions/batch", {
        key: p.server,
        idempotencyKey: null,
        body: { items: [{ type: "accrual", memberId: id, orderId: `b-${crypto.randomUUID()}`, amount: { amount: 500, currency: "EUR" } }] },
      });
      expect(bulk.json.results[0], JSON.stringify(bulk.json)).toMatchObject({ status: "posted", memberId: id });
      const history = await call(path(id, "/transactions"), { key: p.server });
      expect(history.json.data.map((e: { type: string }) => e.type)).toEqual(["earn", "redeem", "earn"]);
      expect((await call(path(id, "/balance"), { key: p.server })).json.available).toBe(12);
      const events = await env.DB.prepare("SELECT DISTINCT member_id FROM outbox_events WHERE program_id = ? AND member_id = ?").bind(p.programId, id).all();
      expect(events.results).toEqual([{ member_id: id }]);
    },
  );

  it("compares ids exactly as given: no case folding, no Unicode normalization, no trimming", async () => {
    const q = await createProgram();
    for (const id of ["José", "Jose\u0301", "JOSÉ", "cust 42", "cust  42", " cust 42", "a/b", "a%2Fb"]) {
      expect((await call(path(id), { method: "PUT", key: q.server, body: {} })).status, id).toBe(201);
    }
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM members WHERE program_id = ?").bind(q.programId).first<{ n: number }>();
    expect(rows!.n).toBe(8);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it.each([
    ["a NUL", "a\u0000b"],
    ["a line feed", "a\nb"],
    ["a carriage return", "a\rb"],
    ["a tab", "a\tb"],
    ["DEL", "a\u007fb"],
    ["a C1 control", "a\u0085b"],
    ["a zero-width space", "a\u200bb"],
    ["a right-to-left override", "a\u202eb"],
    ["a line separator", "a\u2028b"],
    ["256 characters", "m".repeat(256)],
    ["256 emoji", "😀".repeat(256)],
    ["a single dot", "."],
    ["two dots", ".."],
  ])("refuses an id with %s with 400 on every route that takes one", async (_name, id) => {
    for (const [method, rest, body] of [
      ["PUT", "", {}],
      ["GET", "/balance", undefined],
      ["POST", "/accruals", { orderId: "o-1", amount: { amount: 1000, currency: "EUR" } }],
      ["POST", "/tier", { tier: "gold" }],
    ] as const) {
      const res = await call(`/v1/members/${encodeURIComponent(id).replace(/\./g, "%2E")}${rest}`, { method, key: p.server, body });
      if (id === "." || id === "..") {
        // The URL parser resolves dot segments before any route sees them.
        expect(res.status, `${method} ${rest}`).toBe(404);
        continue;
      }
      expect(res.status, `${method} ${rest}`).toBe(400);
      expect(res.json.code).toBe("validation_failed");
      expect(res.json.errors[0].path).toBe("memberId");
    }
    const bulk = await call("/v1/transactions/batch", {
      key: p.server,
      idempotencyKey: null,
      body: { items: [{ type: "accrual", memberId: id, orderId: "o-1", amount: { amount: 500, currency: "EUR" } }] },
    });
    expect(bulk.json.results[0]).toMatchObject({ status: "error", error: { code: "validation_failed", errors: [{ path: "memberId" }] } });
  });

  it("refuses a lone surrogate in a bulk item's member id", async () => {
    const bulk = await call("/v1/transactions/batch", {
      key: p.server,
      idempotencyKey: null,
      rawBody: '{"items":[{"type":"accrual","memberId":"a\\ud800","orderId":"o-1","amount":{"amount":500,"currency":"EUR"}}]}',
      headers: { "content-type": "application/json" },
    });
    expect(bulk.json.results[0]).toMatchObject({ status: "error", error: { code: "validation_failed" } });
  });

  it("refuses percent-encoding that is not UTF-8 with 400, rather than guess", async () => {
    for (const raw of ["%", "%E0%A4%A", "%ff", "%ED%A0%80"]) {
      const res = await call(`/v1/members/${raw}/balance`, { key: p.server });
      expect(res.status, raw).toBe(400);
      expect(res.json.code).toBe("validation_failed");
    }
  });
});
