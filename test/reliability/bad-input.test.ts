// Bad input: malformed, hostile or misdirected requests each get a 4xx
// application/problem+json with a stable code (never a 500), and leave every
// table of the database exactly as it was (but for a business refusal's one
// idempotency record, which its key replays).
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/app/create-app";
import { errorStatuses } from "../../src/lib/errors";
import type { DomainCode } from "../../src/ledger/errors";
import { STORED_REFUSALS } from "../../src/members/member-ledger";
import { accrue, BASE, call, createProgram, enroll, redeem, type TestProgram } from "../helpers";
import { periodOf } from "../../src/ledger/periods";
import { contractViolations } from "../openapi-check";
import { databaseFingerprint } from "./support";

type KeyName = "admin" | "server" | "partner" | "otherProgram" | "highRates" | "bigSums" | "bigSumsAdmin" | "none" | "bogus";

interface BadRequest {
  name: string;
  method?: string;
  /** `{red}` stands for a captured redemption of the member. */
  path: string;
  key?: KeyName;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Omitted: a fresh key; null: no header at all. */
  idempotencyKey?: string | null;
  /** Sends the body as a stream, so no Content-Length tells its size in advance. */
  streamed?: boolean;
  status: number;
  code: string;
}

const ACCRUALS = "/v1/members/ada/accruals";
const REDEMPTIONS = "/v1/members/ada/redemptions";
const REFUNDS = "/v1/members/ada/refunds";
const PROGRAM = "/v1/program";
const order = (fields: Record<string, unknown> = {}) => ({ orderId: "o-new", amount: { amount: 1000, currency: "EUR" }, ...fields });
const money = (amount: unknown, currency: unknown = "EUR") => ({ amount, currency });
/** A valid accrual body of exactly `bytes` bytes (ASCII), padded in an extra field. */
function paddedTo(bytes: number): string {
  const bare = JSON.stringify({ ...order(), padding: "" });
  return JSON.stringify({ ...order(), padding: "x".repeat(bytes - bare.length) });
}
const SQL = "x'; DROP TABLE members; --";
const SCRIPT = "<script>alert(1)</script>";

const cases: BadRequest[] = [
  // Wrong types, signs and sizes of numbers.
  { name: "amount as a string", path: ACCRUALS, body: order({ amount: money("1000") }), status: 400, code: "validation_failed" },
  { name: "negative amount", path: ACCRUALS, body: order({ amount: money(-100) }), status: 400, code: "validation_failed" },
  { name: "zero amount", path: ACCRUALS, body: order({ amount: money(0) }), status: 400, code: "validation_failed" },
  { name: "fractional amount", path: ACCRUALS, body: order({ amount: money(10.5) }), status: 400, code: "validation_failed" },
  { name: "amount beyond safe integers", path: ACCRUALS, body: order({ amount: money(2 ** 53 + 2) }), status: 400, code: "validation_failed" },
  { name: "amount of 1e300", path: ACCRUALS, body: order({ amount: money(1e300) }), status: 400, code: "validation_failed" },
  {
    name: "amount that parses to Infinity",
    path: ACCRUALS,
    rawBody: '{"orderId":"o-new","amount":{"amount":1e400,"currency":"EUR"}}',
    status: 400,
    code: "validation_failed",
  },
  {
    name: "amount with 30 digits",
    path: ACCRUALS,
    rawBody: '{"orderId":"o-new","amount":{"amount":123456789012345678901234567890,"currency":"EUR"}}',
    status: 400,
    code: "validation_failed",
  },
  { name: "amount null", path: ACCRUALS, body: order({ amount: money(null) }), status: 400, code: "validation_failed" },
  { name: "amount as a bare number", path: ACCRUALS, body: order({ amount: 1000 }), status: 400, code: "validation_failed" },
  // Currencies.
  { name: "lower-case currency", path: ACCRUALS, body: order({ amount: money(1000, "eur") }), status: 400, code: "validation_failed" },
  { name: "unknown currency", path: ACCRUALS, body: order({ amount: money(1000, "ABC") }), status: 400, code: "validation_failed" },
  { name: "numeric currency code", path: ACCRUALS, body: order({ amount: money(1000, 978) }), status: 400, code: "validation_failed" },
  { name: "another currency than the program's", path: ACCRUALS, body: order({ amount: money(1000, "USD") }), status: 422, code: "currency_mismatch" },
  // Missing, oversized and unknown fields.
  { name: "missing orderId", path: ACCRUALS, body: { amount: money(1000) }, status: 400, code: "validation_failed" },
  { name: "empty orderId", path: ACCRUALS, body: order({ orderId: "" }), status: 400, code: "validation_failed" },
  { name: "orderId of 129 characters", path: ACCRUALS, body: order({ orderId: "o".repeat(129) }), status: 400, code: "validation_failed" },
  { name: "orderId as a number", path: ACCRUALS, body: order({ orderId: 42 }), status: 400, code: "validation_failed" },
  { name: "SQL in orderId", path: ACCRUALS, body: order({ orderId: SQL }), status: 400, code: "validation_failed" },
  { name: "script in orderId", path: ACCRUALS, body: order({ orderId: SCRIPT }), status: 400, code: "validation_failed" },
  { name: "NUL byte in orderId", path: ACCRUALS, body: order({ orderId: "o-\u0000" }), status: 400, code: "validation_failed" },
  { name: "unknown field", path: ACCRUALS, body: order({ points: 1_000_000 }), status: 400, code: "validation_failed" },
  {
    name: "__proto__ field",
    path: ACCRUALS,
    rawBody: '{"orderId":"o-new","amount":{"amount":1000,"currency":"EUR"},"__proto__":{"isAdmin":true}}',
    status: 400,
    code: "validation_failed",
  },
  { name: "unknown channel", path: ACCRUALS, body: order({ channel: "fax" }), status: 400, code: "validation_failed" },
  { name: "occurredAt not a date", path: ACCRUALS, body: order({ occurredAt: "yesterday" }), status: 400, code: "validation_failed" },
  { name: "occurredAt in the future", path: ACCRUALS, body: order({ occurredAt: "2999-01-01T00:00:00Z" }), status: 422, code: "occurred_in_future" },
  {
    name: "line item with a negative quantity",
    path: ACCRUALS,
    body: order({ items: [{ sku: "a", quantity: -1, price: money(100) }] }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "501 line items",
    path: ACCRUALS,
    body: order({ items: Array.from({ length: 501 }, () => ({ sku: "a", quantity: 1, price: money(1) })) }),
    status: 400,
    code: "validation_failed",
  },
  { name: "an order that already earned", path: ACCRUALS, body: order({ orderId: "o-paid" }), status: 409, code: "order_already_accrued" },
  // Redemptions.
  { name: "negative points", path: REDEMPTIONS, body: { points: -10 }, status: 400, code: "validation_failed" },
  { name: "zero points", path: REDEMPTIONS, body: { points: 0 }, status: 400, code: "validation_failed" },
  { name: "fractional points", path: REDEMPTIONS, body: { points: 1.5 }, status: 400, code: "validation_failed" },
  { name: "points as a string", path: REDEMPTIONS, body: { points: "10" }, status: 400, code: "validation_failed" },
  { name: "points beyond safe integers", path: REDEMPTIONS, body: { points: Number.MAX_SAFE_INTEGER + 2 }, status: 400, code: "validation_failed" },
  { name: "more points than available", path: REDEMPTIONS, body: { points: 101 }, status: 422, code: "insufficient_points" },
  { name: "unknown redemption mode", path: REDEMPTIONS, body: { points: 10, mode: "steal" }, status: 400, code: "validation_failed" },
  { name: "hold that lives 1 second", path: REDEMPTIONS, body: { points: 10, mode: "hold", ttlSeconds: 1 }, status: 400, code: "validation_failed" },
  { name: "hold that lives ten years", path: REDEMPTIONS, body: { points: 10, mode: "hold", ttlSeconds: 315_360_000 }, status: 400, code: "validation_failed" },
  { name: "capture of a captured redemption", path: "/v1/redemptions/{red}/capture", method: "POST", status: 409, code: "redemption_not_capturable" },
  { name: "capture of an unknown redemption", path: "/v1/redemptions/red_00000000000000000000000000/capture", method: "POST", status: 404, code: "redemption_not_found" },
  { name: "SQL as a redemption id", path: `/v1/redemptions/${encodeURIComponent(SQL)}/capture`, method: "POST", status: 400, code: "validation_failed" },
  // Refunds.
  { name: "negative refund", path: REFUNDS, body: { orderId: "o-paid", amount: money(-1) }, status: 400, code: "validation_failed" },
  { name: "refund of an unknown order", path: REFUNDS, body: { orderId: "o-unknown", amount: money(100) }, status: 404, code: "order_not_found" },
  { name: "refund of more than the order", path: REFUNDS, body: { orderId: "o-paid", amount: money(10_001) }, status: 422, code: "refund_exceeds_order" },
  { name: "refund in another currency", path: REFUNDS, body: { orderId: "o-paid", amount: money(100, "USD") }, status: 422, code: "currency_mismatch" },
  // Bodies that are not the JSON object asked for.
  { name: "broken JSON", path: ACCRUALS, rawBody: "{", status: 400, code: "invalid_json" },
  { name: "truncated JSON", path: ACCRUALS, rawBody: '{"orderId":"o-new","amount":{', status: 400, code: "invalid_json" },
  { name: "JSON followed by garbage", path: ACCRUALS, rawBody: `${JSON.stringify(order())}x`, status: 400, code: "invalid_json" },
  { name: "empty body", path: ACCRUALS, rawBody: "", status: 400, code: "invalid_json" },
  { name: "JSON array", path: ACCRUALS, rawBody: "[]", status: 400, code: "validation_failed" },
  { name: "JSON null", path: ACCRUALS, rawBody: "null", status: 400, code: "validation_failed" },
  { name: "JSON string", path: ACCRUALS, rawBody: '"order"', status: 400, code: "validation_failed" },
  { name: "JSON nested 20,000 deep", path: ACCRUALS, rawBody: "[".repeat(20_000) + "]".repeat(20_000), status: 400, code: "validation_failed" },
  { name: "text/plain body", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "text/plain", status: 415, code: "unsupported_media_type" },
  { name: "form-encoded body", path: ACCRUALS, rawBody: "orderId=o-new&amount=1000", contentType: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type" },
  { name: "XML body", path: ACCRUALS, rawBody: "<order><id>o-new</id></order>", contentType: "application/xml", status: 415, code: "unsupported_media_type" },
  { name: "JSON declared as Latin-1", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "application/json; charset=latin1", status: 415, code: "unsupported_media_type" },
  { name: "JSON declared as UTF-16", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "application/json; charset=utf-16", status: 415, code: "unsupported_media_type" },
  { name: "two charsets, one not UTF-8", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "application/json; charset=utf-8; charset=latin1", status: 415, code: "unsupported_media_type" },
  { name: "a list of media types", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "application/json, text/plain", status: 415, code: "unsupported_media_type" },
  { name: "a parameter without a value", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "application/json; charset", status: 415, code: "unsupported_media_type" },
  { name: "a wildcard media type", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "*/*", status: 415, code: "unsupported_media_type" },
  { name: "an empty Content-Type", path: ACCRUALS, rawBody: JSON.stringify(order()), contentType: "", status: 415, code: "unsupported_media_type" },
  { name: "broken JSON with a trailing semicolon in the type", path: ACCRUALS, rawBody: "{", contentType: "application/json;", status: 400, code: "invalid_json" },
  { name: "settings PATCH as Latin-1", path: "/v1/program", method: "PATCH", key: "admin", rawBody: "{}", contentType: "application/json; charset=latin1", status: 415, code: "unsupported_media_type" },
  { name: "bulk file as text", path: "/v1/transactions/batch", rawBody: '{"items":[]}', contentType: "text/plain", idempotencyKey: null, status: 415, code: "unsupported_media_type" },
  {
    name: "body one byte over 64 KiB",
    path: ACCRUALS,
    rawBody: paddedTo(MAX_BODY_BYTES + 1),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "streamed body over 64 KiB without a Content-Length",
    path: ACCRUALS,
    rawBody: JSON.stringify(order({ channel: "x".repeat(MAX_BODY_BYTES) })),
    streamed: true,
    status: 413,
    code: "payload_too_large",
  },
  // Members and paths.
  { name: "accrual for an unknown member", path: "/v1/members/ghost/accruals", body: order(), status: 404, code: "member_not_found" },
  { name: "redemption for an unknown member", path: "/v1/members/ghost/redemptions", body: { points: 1 }, status: 404, code: "member_not_found" },
  { name: "balance of an unknown member", path: "/v1/members/ghost/balance", method: "GET", status: 404, code: "member_not_found" },
  // Member ids are the storefront's own (printable Unicode): SQL or markup in one is just an id nobody enrolled.
  { name: "SQL in the member id", path: `/v1/members/${encodeURIComponent(SQL)}/accruals`, body: order(), status: 404, code: "member_not_found" },
  { name: "script in the member id", path: `/v1/members/${encodeURIComponent(SCRIPT)}/redemptions`, body: { points: 1 }, status: 404, code: "member_not_found" },
  { name: "member id of 256 characters", path: `/v1/members/${"m".repeat(256)}/balance`, method: "GET", status: 400, code: "validation_failed" },
  { name: "member id of 256 emoji", path: `/v1/members/${encodeURIComponent("😀".repeat(256))}/balance`, method: "GET", status: 400, code: "validation_failed" },
  { name: "NUL in the member id", path: "/v1/members/a%00b", method: "PUT", body: {}, status: 400, code: "validation_failed" },
  { name: "line feed in the member id", path: "/v1/members/a%0Ab/accruals", body: order(), status: 400, code: "validation_failed" },
  { name: "DEL in the member id", path: "/v1/members/a%7Fb/redemptions", body: { points: 1 }, status: 400, code: "validation_failed" },
  { name: "right-to-left override in the member id", path: `/v1/members/${encodeURIComponent("a\u202eb")}`, method: "PUT", body: {}, status: 400, code: "validation_failed" },
  { name: "malformed percent-encoding in the member id", path: "/v1/members/%E0%A4%A/balance", method: "GET", status: 400, code: "validation_failed" },
  { name: "percent-encoded lone surrogate in the member id", path: "/v1/members/%ED%A0%80", method: "PUT", body: {}, status: 400, code: "validation_failed" },
  { name: "tab in the member id of a tier grant", path: "/v1/members/a%09b/tier", body: { tier: "gold" }, status: 400, code: "validation_failed" },
  { name: "unknown route", path: "/v1/members/ada/points", body: {}, status: 404, code: "not_found" },
  // Enrollment fields.
  { name: "invalid email", path: "/v1/members/ada", method: "PUT", body: { email: "not-an-email" }, status: 400, code: "validation_failed" },
  { name: "name of 201 characters", path: "/v1/members/ada", method: "PUT", body: { name: "n".repeat(201) }, status: 400, code: "validation_failed" },
  {
    name: "51 attributes",
    path: "/v1/members/ada",
    method: "PUT",
    body: { attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i])) },
    status: 400,
    code: "validation_failed",
  },
  { name: "nested attribute", path: "/v1/members/ada", method: "PUT", body: { attributes: { a: { b: 1 } } }, status: 400, code: "validation_failed" },
  // Keys and Idempotency-Keys.
  { name: "no Authorization header", path: ACCRUALS, key: "none", body: order(), status: 401, code: "unauthorized" },
  { name: "Basic instead of Bearer", path: ACCRUALS, key: "none", headers: { authorization: "Basic YWRhOmFkYQ==" }, body: order(), status: 401, code: "unauthorized" },
  { name: "unknown key", path: ACCRUALS, key: "bogus", body: order(), status: 401, code: "unauthorized" },
  { name: "partner key enrolling a member", path: "/v1/members/ada", method: "PUT", key: "partner", body: {}, status: 403, code: "forbidden" },
  { name: "another program's key on this member", path: ACCRUALS, key: "otherProgram", body: order(), status: 404, code: "member_not_found" },
  { name: "another program's key on this redemption", path: "/v1/redemptions/{red}/cancel", method: "POST", key: "otherProgram", status: 404, code: "redemption_not_found" },
  { name: "another program's key on this order", path: "/v1/members/bob/refunds", key: "otherProgram", body: { orderId: "o-paid", amount: money(100) }, status: 404, code: "order_not_found" },
  { name: "missing Idempotency-Key", path: ACCRUALS, body: order(), idempotencyKey: null, status: 400, code: "validation_failed" },
  { name: "Idempotency-Key with spaces", path: ACCRUALS, body: order(), idempotencyKey: "my key", status: 400, code: "validation_failed" },
  { name: "Idempotency-Key of 256 characters", path: ACCRUALS, body: order(), idempotencyKey: "k".repeat(256), status: 400, code: "validation_failed" },
  { name: "Idempotency-Key reused for another body", path: ACCRUALS, body: order({ orderId: "o-other" }), idempotencyKey: "used-key", status: 422, code: "idempotency_key_reused" },
  // Valid numbers that a program's (valid) rates turn into points or money beyond safe integers.
  { name: "accrual worth more points than integers hold", path: ACCRUALS, key: "highRates", body: order({ amount: money(1e15) }), status: 422, code: "amount_out_of_range" },
  { name: "accrual whose points are worth more money than integers hold", path: ACCRUALS, key: "highRates", body: order({ amount: money(10_000) }), status: 422, code: "amount_out_of_range" },
  // Debt rules and running sums: each step was fine, what they add up to is not.
  { name: "redemption of points a refund claimed back while they were held", path: "/v1/members/dee/redemptions", body: { points: 100 }, status: 422, code: "insufficient_points" },
  { name: "accrual that would push the balance past 2^53", path: ACCRUALS, key: "bigSums", body: order({ amount: money(4_000_000_000) }), status: 422, code: "amount_out_of_range" },
  { name: "settlement whose program-wide totals pass 2^53", path: `/v1/settlements/${new Date().toISOString().slice(0, 7)}`, method: "GET", key: "bigSumsAdmin", status: 422, code: "amount_out_of_range" },
  { name: "limit of 0 on the history", path: "/v1/members/ada/transactions?limit=0", method: "GET", status: 400, code: "validation_failed" },
  // Settings patches: each is merged into the stored settings and the result checked whole; nothing is written on a refusal.
  { name: "settings patch with an unknown field", path: PROGRAM, method: "PATCH", key: "admin", body: { nonsense: 1 }, status: 400, code: "validation_failed" },
  { name: "settings patch that is an array", path: PROGRAM, method: "PATCH", key: "admin", rawBody: "[]", status: 400, code: "validation_failed" },
  { name: "settings patch naming the program null", path: PROGRAM, method: "PATCH", key: "admin", body: { name: null }, status: 400, code: "validation_failed" },
  { name: "settings patch with a hold time of 5 seconds", path: PROGRAM, method: "PATCH", key: "admin", body: { holdTtlSeconds: 5 }, status: 400, code: "validation_failed" },
  { name: "settings patch with a negative backdate window", path: PROGRAM, method: "PATCH", key: "admin", body: { maxBackdateDays: -1 }, status: 400, code: "validation_failed" },
  { name: "settings patch with two tiers of one name", path: PROGRAM, method: "PATCH", key: "admin", body: { tiers: [{ name: "a", threshold: 1 }, { name: "a", threshold: 2 }] }, status: 400, code: "validation_failed" },
  { name: "settings patch merging to 0 points per amount", path: PROGRAM, method: "PATCH", key: "admin", body: { earnRate: { points: 0 } }, status: 422, code: "invalid_settings" },
  { name: "settings patch with a typo in a nested field", path: PROGRAM, method: "PATCH", key: "admin", body: { earnRate: { point: 3 } }, status: 422, code: "invalid_settings" },
  { name: "settings patch merging to an incomplete expiry policy", path: PROGRAM, method: "PATCH", key: "admin", body: { expiry: { policy: "period_end" } }, status: 422, code: "invalid_settings" },
  { name: "settings patch with a field of another expiry policy", path: PROGRAM, method: "PATCH", key: "admin", body: { expiry: { policy: "never", days: 30 } }, status: 422, code: "invalid_settings" },
  { name: "settings patch with a nested object as a string", path: PROGRAM, method: "PATCH", key: "admin", body: { tierQualification: "lifetime" }, status: 400, code: "validation_failed" },
  { name: "settings patch changing the currency after orders", path: PROGRAM, method: "PATCH", key: "admin", body: { currency: "USD", pendingDays: 3 }, status: 422, code: "currency_locked" },
  { name: "settings patch switching the period kind after a close", path: PROGRAM, method: "PATCH", key: "admin", body: { settlementPeriod: "quarter" }, status: 409, code: "settlement_period_locked" },
  { name: "settings patch by a server key", path: PROGRAM, method: "PATCH", body: { pendingDays: 1 }, status: 403, code: "forbidden" },
  // Years at the edges: 0001, 0099 (which Date.UTC reads as 1999), before 1970, and beyond 9999.
  { name: "occurredAt in year 0001", path: ACCRUALS, body: order({ occurredAt: "0001-01-01T00:00:00Z" }), status: 422, code: "occurred_before_window" },
  { name: "occurredAt at the end of year 0099", path: ACCRUALS, body: order({ occurredAt: "0099-12-31T23:59:59Z" }), status: 422, code: "occurred_before_window" },
  { name: "occurredAt in year 0000 by its offset", path: ACCRUALS, body: order({ occurredAt: "0001-01-01T00:00:00+01:00" }), status: 422, code: "occurred_before_window" },
  { name: "occurredAt before 1970", path: ACCRUALS, body: order({ occurredAt: "1969-12-31T23:59:59Z" }), status: 422, code: "occurred_before_window" },
  { name: "occurredAt just beyond the program's window", path: ACCRUALS, body: order({ occurredAt: new Date(Date.now() - 366 * 86_400_000).toISOString() }), status: 422, code: "occurred_before_window" },
  { name: "occurredAt in year 10000", path: ACCRUALS, body: order({ occurredAt: "+010000-01-01T00:00:00Z" }), status: 400, code: "validation_failed" },
  { name: "occurredAt at the end of year 9999", path: ACCRUALS, body: order({ occurredAt: "9999-12-31T23:59:59Z" }), status: 422, code: "occurred_in_future" },
  { name: "tier granted until year 0001", path: "/v1/members/ada/tier", key: "admin", body: { tier: null, until: "0001-01-01T00:00:00Z" }, status: 400, code: "validation_failed" },
  { name: "settlement period of year 0001 closed first", path: "/v1/settlements/0001-01/close", key: "admin", status: 409, code: "period_out_of_order" },
  { name: "settlement period of year 10000", path: "/v1/settlements/10000-01", method: "GET", key: "admin", status: 400, code: "validation_failed" },
  { name: "settlement month 13", path: "/v1/settlements/2026-13", method: "GET", key: "admin", status: 400, code: "validation_failed" },
  { name: "settlement quarter 5", path: "/v1/settlements/2026-Q5", method: "GET", key: "admin", status: 400, code: "validation_failed" },
  { name: "settlement quarter of a program that settles by month", path: "/v1/settlements/2026-Q1", method: "GET", key: "admin", status: 400, code: "validation_failed" },
];

let a: TestProgram;
let otherProgramKey: string;
let highRatesKey: string;
let bigSums: TestProgram;
let capturedId: string;

beforeAll(async () => {
  a = await createProgram();
  await enroll(a.server, "ada");
  expect((await accrue(a.server, "ada", 10_000, { orderId: "o-paid" })).status).toBe(201);
  expect((await call(ACCRUALS, { key: a.server, body: order({ orderId: "o-keyed" }), idempotencyKey: "used-key" })).status).toBe(201);
  capturedId = (await redeem(a.server, "ada", 10)).json.id;
  // A closed period, so that the settlement period kind is locked.
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 15));
  const closed = await call(`/v1/settlements/${periodOf(lastMonth, "month")}/close`, { key: a.admin, method: "POST" });
  expect(closed.status).toBe(200);
  const b = await createProgram({}, "Other program");
  otherProgramKey = b.server;
  await enroll(b.server, "bob");
  // Extreme but valid settings: a million points per cent, each point worth ten million euros.
  const c = await createProgram({ earnRate: { points: 1_000_000, perAmount: 1 }, redemptionValue: { points: 1, amount: 1_000_000_000 } }, "High rates");
  highRatesKey = c.server;
  await enroll(c.server, "ada");
  // A refund claimed back held points; the hold was then cancelled, so they went to the debt.
  await enroll(a.server, "dee");
  expect((await accrue(a.server, "dee", 10_000, { orderId: "o-dee" })).status).toBe(201);
  const held = await redeem(a.server, "dee", 100, { mode: "hold" });
  expect((await call("/v1/members/dee/refunds", { key: a.server, body: { orderId: "o-dee", amount: money(10_000) } })).json.addedToDebt).toBe(100);
  expect((await call(`/v1/redemptions/${held.json.id}/cancel`, { key: a.server, method: "POST" })).json.balance).toMatchObject({ available: 0, debt: 0 });
  // Rates under which each accrual fits but their sums soon do not: 4e15 points an accrual, 1.6e16 in the program.
  bigSums = await createProgram({ earnRate: { points: 1_000_000, perAmount: 1 }, redemptionValue: { points: 1_000_000, amount: 1 } }, "Big sums");
  for (const [memberId, orders] of [["ada", 2], ["bob", 1], ["cy", 1]] as const) {
    await enroll(bigSums.server, memberId);
    for (let i = 0; i < orders; i++) expect((await accrue(bigSums.server, memberId, 4_000_000_000)).status).toBe(201);
  }
});

function keyOf(name: KeyName): string | null {
  return {
    admin: a.admin,
    server: a.server,
    partner: a.partner,
    otherProgram: otherProgramKey,
    highRates: highRatesKey,
    bigSums: bigSums.server,
    bigSumsAdmin: bigSums.admin,
    none: null,
    bogus: `trk_${"0".repeat(64)}`,
  }[name];
}

async function send(c: BadRequest) {
  const path = c.path.replace("{red}", capturedId);
  const method = c.method ?? "POST";
  if (!c.streamed) {
    return call(path, {
      method,
      key: keyOf(c.key ?? "server"),
      body: c.body,
      rawBody: c.rawBody,
      headers: { ...(c.rawBody !== undefined ? { "content-type": c.contentType ?? "application/json" } : {}), ...c.headers },
      idempotencyKey: method === "POST" ? c.idempotencyKey : null,
    });
  }
  const bytes = new TextEncoder().encode(c.rawBody!);
  const body = new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.slice(at, at + 8192));
      controller.close();
    },
  });
  const res = await exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${keyOf(c.key ?? "server")}`, "content-type": "application/json", "idempotency-key": `stream-${Date.now()}` },
    body,
  });
  const text = await res.text();
  const json = JSON.parse(text);
  // Streamed bodies bypass the test client, so check the answer against the document here.
  expect(await contractViolations({ method, path, status: res.status, contentType: res.headers.get("content-type"), text, json })).toEqual([]);
  return { status: res.status, json, headers: res.headers };
}

describe("bad input", () => {
  it("covers at least 40 malformed requests, each code a known one with the status the table gives", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect(errorStatuses[c.code as keyof typeof errorStatuses], c.name).toBe(c.status);
  });

  it.each(cases)("$name: $status $code, database untouched", async (c) => {
    const before = await databaseFingerprint();
    const res = await send(c);
    expect(res.status, JSON.stringify(res.json)).toBe(c.status);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json).toMatchObject({ status: c.status, code: c.code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(res.json)).not.toMatch(/\bat .*\.(ts|js):\d+|stack/i);
    if (c.code === "validation_failed") expect(res.json.errors?.length, "names the fields that failed").toBeGreaterThan(0);
    const { idempotency_keys: keysBefore, ...restBefore } = before;
    const { idempotency_keys: keysAfter, ...restAfter } = await databaseFingerprint();
    expect(restAfter).toEqual(restBefore);
    const kept = STORED_REFUSALS.has(c.code as DomainCode) && (c.method ?? "POST") === "POST";
    expect(keysAfter!.rows - keysBefore!.rows, kept ? "the refusal is kept for its key" : "nothing is kept").toBe(kept ? 1 : 0);
  });
});
