// The calls the bench makes, through the public API only, so every row it creates is a real ledger row.
import { randomUUID } from "node:crypto";
import type { Pool } from "undici";
import { send } from "./load";

/** Creates a program with default settings and a server key for it. */
export async function createProgram(pool: Pool, adminToken: string): Promise<{ programId: string; key: string }> {
  const admin = { authorization: `Bearer ${adminToken}` };
  const program = await send<{ id: string }>(pool, { method: "POST", path: "/v1/programs", headers: admin, body: { name: "bench" }, expect: 201 });
  const { key } = await send<{ key: string }>(pool, {
    method: "POST",
    path: `/v1/programs/${program.id}/keys`,
    headers: admin,
    body: { role: "server", name: "bench" },
    expect: 201,
  });
  return { programId: program.id, key };
}

export type Storefront = ReturnType<typeof storefront>;

/** A storefront backend's calls with one server key; every write gets a fresh Idempotency-Key and order id. */
export function storefront(pool: Pool, key: string) {
  const run = randomUUID().slice(0, 8);
  let counter = 0;
  const auth = { authorization: `Bearer ${key}` };
  const write = (n: number) => ({ ...auth, "idempotency-key": `${run}-${n}` });
  const member = (memberId: string) => `/v1/members/${encodeURIComponent(memberId)}`;
  return {
    enroll: (memberId: string) => send(pool, { method: "PUT", path: member(memberId), headers: auth, body: {}, expect: 201 }),
    /** `amount` in cents; the default program earns 1 point per 100 cents. */
    /** `orderId` names the order, for refunds later; by default every accrual is a new order. */
    accrue: (memberId: string, amount: number, orderId?: string) => {
      const n = ++counter;
      return send(pool, {
        method: "POST",
        path: `${member(memberId)}/accruals`,
        headers: write(n),
        body: { orderId: orderId ?? `${run}-order-${n}`, amount: { amount, currency: "EUR" } },
        expect: 201,
      });
    },
    /** A part of the order refunded: its points taken back. */
    refund: (memberId: string, orderId: string, amount: number) =>
      send(pool, { method: "POST", path: `${member(memberId)}/refunds`, headers: write(++counter), body: { orderId, amount: { amount, currency: "EUR" } }, expect: 201 }),
    redeem: (memberId: string, points: number, mode: "capture" | "hold" = "capture") =>
      send<{ id: string }>(pool, { method: "POST", path: `${member(memberId)}/redemptions`, headers: write(++counter), body: { points, mode }, expect: 201 }),
    capture: (redemptionId: string) =>
      send(pool, { method: "POST", path: `/v1/redemptions/${redemptionId}/capture`, headers: write(++counter), expect: 200 }),
    balance: (memberId: string) => send(pool, { path: `${member(memberId)}/balance`, headers: auth }),
    /** A member token for the shopper's page, valid for the whole run. */
    memberToken: async (memberId: string) =>
      (await send<{ token: string }>(pool, { method: "POST", path: `${member(memberId)}/tokens`, headers: auth, body: { ttlSeconds: 3600 }, expect: 201 })).token,
  };
}

/** The shopper's page: its own balance with a member token. */
export function meBalance(pool: Pool, token: string) {
  return send(pool, { path: "/v1/me/balance", headers: { authorization: `Bearer ${token}` } });
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; stops at the first failure. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
