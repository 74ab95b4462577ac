// Shared test helpers: calling the Worker, making programs and keys, and the
// ledger invariant check every scenario ends with.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { ProgramSettingsSchema } from "../src/ledger/settings";
import type { z } from "@hono/zod-openapi";
import { contractViolations } from "./openapi-check";

export const BASE = "http://treue.test";

export interface CallOptions {
  method?: string;
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string | null;
}

let keyCounter = 0;

/**
 * A request to the Worker. Ledger POSTs get a fresh Idempotency-Key unless one is given (or null).
 * The answer is checked against the served OpenAPI document.
 */
export async function call(path: string, options: CallOptions = {}) {
  const method = options.method ?? (options.body !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  if (method === "POST" && options.idempotencyKey !== null) {
    headers["idempotency-key"] ??= options.idempotencyKey ?? `test-${Date.now()}-${++keyCounter}`;
  }
  const res = await exports.default.fetch(`${BASE}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  // Every answer must be what the document promises, so the document cannot drift from the API.
  const violations = await contractViolations({ method, path, status: res.status, contentType: res.headers.get("content-type"), text, json });
  if (violations.length) throw new Error(`${method} ${path} answered ${res.status} off the OpenAPI document:\n  ${violations.join("\n  ")}`);
  return { status: res.status, json, headers: res.headers };
}

export type Settings = z.input<typeof ProgramSettingsSchema>;

export interface TestProgram {
  programId: string;
  admin: string;
  server: string;
  partner: string;
  partnerId: string;
}

/** A program with an admin, a server and a partner key. */
export async function createProgram(settings: Settings = {}, name = "Test program"): Promise<TestProgram> {
  const admin = env.ADMIN_TOKEN;
  const program = await call("/v1/programs", { key: admin, body: { name, settings }, idempotencyKey: null });
  expect(program.status).toBe(201);
  const programId = program.json.id as string;
  const key = async (role: string, partnerId?: string) => {
    const res = await call(`/v1/programs/${programId}/keys`, { key: admin, body: { role, name: role, partnerId }, idempotencyKey: null });
    expect(res.status).toBe(201);
    return res.json.key as string;
  };
  const adminKey = await key("admin");
  const partner = await call("/v1/partners", { key: adminKey, body: { name: "Partner brand" }, idempotencyKey: null });
  expect(partner.status).toBe(201);
  return {
    programId,
    admin: adminKey,
    server: await key("server"),
    partner: await key("partner", partner.json.id),
    partnerId: partner.json.id,
  };
}

export async function enroll(key: string, memberId: string, body: object = {}) {
  const res = await call(`/v1/members/${encodeURIComponent(memberId)}`, { method: "PUT", key, body });
  expect([200, 201]).toContain(res.status);
  return res.json;
}

let orderCounter = 0;

export async function accrue(key: string, memberId: string, amount: number, extra: Record<string, unknown> = {}) {
  return call(`/v1/members/${encodeURIComponent(memberId)}/accruals`, {
    key,
    body: { orderId: `order-${++orderCounter}`, amount: { amount, currency: "EUR" }, ...extra },
  });
}

export async function redeem(key: string, memberId: string, points: number, extra: Record<string, unknown> = {}) {
  return call(`/v1/members/${encodeURIComponent(memberId)}/redemptions`, { key, body: { points, ...extra } });
}

export async function balance(key: string, memberId: string) {
  const res = await call(`/v1/members/${encodeURIComponent(memberId)}/balance`, { key });
  expect(res.status).toBe(200);
  return res.json;
}

/**
 * The ledger's invariants for every member of a program, read straight from D1:
 * - the entries' points add up to the lots' remaining + held - debt,
 * - the entries' held points add up to the open holds,
 * - every lot's remaining lies between 0 and its points, debt is never negative,
 * - every redemption's allocations add up to its points,
 * - each member's balance (through the API) agrees with the lots.
 */
export async function expectLedgerConsistent(programId: string, key?: string) {
  const db = env.DB;
  const members = await db
    .prepare("SELECT member_id, debt FROM members WHERE program_id = ?")
    .bind(programId)
    .all<{ member_id: string; debt: number }>();
  for (const { member_id: memberId, debt } of members.results) {
    const sums = await db
      .prepare(
        `SELECT
           (SELECT COALESCE(SUM(points), 0) FROM entries WHERE program_id = ?1 AND member_id = ?2) AS entry_points,
           (SELECT COALESCE(SUM(held_points), 0) FROM entries WHERE program_id = ?1 AND member_id = ?2) AS entry_held,
           (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE program_id = ?1 AND member_id = ?2) AS lot_remaining,
           (SELECT COUNT(*) FROM lots WHERE program_id = ?1 AND member_id = ?2 AND (remaining < 0 OR remaining > points)) AS bad_lots,
           (SELECT COALESCE(SUM(points), 0) FROM redemptions WHERE program_id = ?1 AND member_id = ?2 AND status = 'held') AS held`,
      )
      .bind(programId, memberId)
      .first<{ entry_points: number; entry_held: number; lot_remaining: number; bad_lots: number; held: number }>();
    const where = `member ${memberId}`;
    expect(debt, where).toBeGreaterThanOrEqual(0);
    expect(sums!.bad_lots, where).toBe(0);
    expect(sums!.entry_held, `${where}: held entries vs open holds`).toBe(sums!.held);
    expect(sums!.entry_points, `${where}: entries vs lots + held - debt`).toBe(sums!.lot_remaining + sums!.held - debt);
    const unbalanced = await db
      .prepare(
        `SELECT r.id FROM redemptions r LEFT JOIN allocations a ON a.redemption_id = r.id
         WHERE r.program_id = ?1 AND r.member_id = ?2 GROUP BY r.id HAVING COALESCE(SUM(a.points), 0) <> r.points`,
      )
      .bind(programId, memberId)
      .all();
    expect(unbalanced.results, `${where}: allocations`).toEqual([]);
    if (key) {
      const b = await balance(key, memberId);
      expect(b.held, where).toBe(sums!.held);
      expect(b.debt, where).toBe(debt);
      expect(b.available + b.pending, where).toBeLessThanOrEqual(sums!.lot_remaining);
      expect(b.available, where).toBeGreaterThanOrEqual(0);
    }
  }
}

/** Folds the program's pending KPI rows (and the campaign grants that wait with them) into their tables, as a KPI request would. */
export async function foldPending(programId: string): Promise<void> {
  const { database } = await import("../src/db/client");
  const { foldPendingKpis } = await import("../src/kpis/fold");
  await foldPendingKpis(database(env.DB), programId, new Date().toISOString());
}
