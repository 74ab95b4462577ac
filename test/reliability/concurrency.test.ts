// Concurrency at the HTTP level: many members and one hot member hammered at
// once with mixed operations, duplicate retries and racing state changes. No
// request may fail with a 5xx; every member's balance must equal what the
// successful answers add up to; the ledger's invariants must hold.
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";

const SEED = 20_261_128;
const MEMBERS = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, "0")}`);
const HOT = "hot";

/** A small seeded generator (mulberry32): the same requests on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Answer = Awaited<ReturnType<typeof call>>;

interface Sent {
  memberId: string;
  kind: "accrue" | "capture" | "hold" | "refund" | "balance" | "captureHold" | "cancelHold";
  res: Answer;
}

/** Refusals a racing workload may meet; anything else (a 5xx above all) is a failure. */
const EXPECTED_REFUSALS = new Set([
  "insufficient_points",
  "order_already_accrued",
  "refund_exceeds_order",
  "redemption_not_capturable",
  "redemption_not_cancellable",
  "idempotency_key_reused",
  // A refund may overtake the accrual of its own order.
  "order_not_found",
]);

const replayed = (res: Answer) => res.headers.get("idempotent-replayed") === "true";

/** Change of (available + held - debt) each first-time success makes, from its own answer. */
function netChange({ kind, res }: Sent, holdPoints: Map<string, number>): number {
  if (res.status >= 300 || replayed(res)) return 0;
  switch (kind) {
    case "accrue":
      return res.json.points;
    case "capture":
      return -res.json.points;
    case "refund":
      return -res.json.pointsClawedBack;
    case "captureHold":
      return -holdPoints.get(res.json.id)!;
    case "cancelHold":
      // A cancel that comes after the capture reverses it: the points come back.
      return res.json.status === "reversed" ? holdPoints.get(res.json.id)! : 0;
    default:
      return 0;
  }
}

describe("concurrent HTTP traffic", () => {
  it("keeps every balance equal to its successful answers and the ledger consistent", async () => {
    const rand = random(SEED);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
    const p: TestProgram = await createProgram({}, "Concurrency");
    const everyone = [...MEMBERS, HOT];
    const start = new Map<string, number>();
    for (const memberId of everyone) {
      await enroll(p.server, memberId);
      const seed = await accrue(p.server, memberId, memberId === HOT ? 20_000 : 10_000, { orderId: `seed-${memberId}` });
      expect(seed.status).toBe(201);
      start.set(memberId, seed.json.points);
    }

    let orders = 0;
    const ordersOf = new Map<string, string[]>(everyone.map((m) => [m, [`seed-${m}`]]));
    const send = async (memberId: string, kind: Sent["kind"], path: string, body?: unknown, idempotencyKey?: string): Promise<Sent> => ({
      memberId,
      kind,
      res: await call(path, { key: p.server, body, idempotencyKey, method: body === undefined && kind !== "balance" ? "POST" : undefined }),
    });
    const randomOp = (memberId: string, holds = true): Promise<Sent> => {
      const roll = rand();
      if (roll < 0.3) {
        const orderId = `order-${++orders}`;
        ordersOf.get(memberId)!.push(orderId);
        return send(memberId, "accrue", `/v1/members/${memberId}/accruals`, { orderId, amount: { amount: 100 + Math.floor(rand() * 5000), currency: "EUR" } });
      }
      if (roll < 0.55) return send(memberId, "capture", `/v1/members/${memberId}/redemptions`, { points: 1 + Math.floor(rand() * 80) });
      if (roll < 0.8 && holds) return send(memberId, "hold", `/v1/members/${memberId}/redemptions`, { points: 1 + Math.floor(rand() * 80), mode: "hold" });
      if (roll < 0.92) {
        const amount = 1 + Math.floor(rand() * 3000);
        return send(memberId, "refund", `/v1/members/${memberId}/refunds`, { orderId: pick(ordersOf.get(memberId)!), amount: { amount, currency: "EUR" } });
      }
      return send(memberId, "balance", `/v1/members/${memberId}/balance`);
    };

    // Phase 1: everything at once. The hot member takes as many requests as all the others together.
    const phase1: Promise<Sent>[] = [];
    for (const memberId of MEMBERS) for (let i = 0; i < 8; i++) phase1.push(randomOp(memberId));
    for (let i = 0; i < 160; i++) phase1.push(randomOp(HOT));
    // The same accrual retried three times at once with one key: one posting, three identical answers.
    const retried = Array.from({ length: 3 }, () =>
      send(HOT, "accrue", `/v1/members/${HOT}/accruals`, { orderId: "retried", amount: { amount: 7_700, currency: "EUR" } }, "retried-key"),
    );
    // One order sent five times with different keys: it earns once.
    const sameOrder = Array.from({ length: 5 }, () => send(HOT, "accrue", `/v1/members/${HOT}/accruals`, { orderId: "same-order", amount: { amount: 3_300, currency: "EUR" } }));
    // One key used at once for two members: one of them gets it.
    const sharedKey = [MEMBERS[0]!, MEMBERS[1]!].map((m) => send(m, "accrue", `/v1/members/${m}/accruals`, { orderId: `shared-${m}`, amount: { amount: 1_000, currency: "EUR" } }, "shared-key"));
    const sent = await Promise.all([...phase1, ...retried, ...sameOrder, ...sharedKey]);
    ordersOf.get(HOT)!.push("retried", "same-order");

    const retriedAnswers = (await Promise.all(retried)).map((s) => s.res);
    expect(retriedAnswers.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(retriedAnswers.filter((r) => !replayed(r))).toHaveLength(1);
    expect(new Set(retriedAnswers.map((r) => JSON.stringify(r.json))).size, "replays answer exactly as the first").toBe(1);
    const sameOrderAnswers = (await Promise.all(sameOrder)).map((s) => s.res);
    expect(sameOrderAnswers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(sameOrderAnswers.filter((r) => r.status === 409 && r.json.code === "order_already_accrued")).toHaveLength(4);
    const sharedAnswers = (await Promise.all(sharedKey)).map((s) => s.res);
    expect(sharedAnswers.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(sharedAnswers.find((r) => r.status === 422)!.json.code).toBe("idempotency_key_reused");

    // Phase 2: every hold is captured or cancelled, some of them by two or three racing requests.
    const holdPoints = new Map<string, number>();
    const phase2: Promise<Sent>[] = [];
    for (const { memberId, kind, res } of sent) {
      if (kind !== "hold" || res.status !== 201) continue;
      holdPoints.set(res.json.id, res.json.points);
      const racers = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < racers; i++) {
        const action = rand() < 0.5 ? "capture" : "cancel";
        phase2.push(send(memberId, action === "capture" ? "captureHold" : "cancelHold", `/v1/redemptions/${res.json.id}/${action}`));
      }
      // Meanwhile the member keeps shopping.
      phase2.push(randomOp(memberId, false));
    }
    const resolved = await Promise.all(phase2);
    const all = [...sent, ...resolved];
    expect(holdPoints.size, "the workload made holds").toBeGreaterThan(10);

    // No 5xx, and every refusal is one the workload can meet.
    for (const { kind, res } of all) {
      expect(res.status, `${kind}: ${JSON.stringify(res.json)}`).toBeLessThan(500);
      if (res.status >= 400) expect(EXPECTED_REFUSALS, `${kind}: ${JSON.stringify(res.json)}`).toContain(res.json.code);
    }
    // Each hold was resolved exactly once (captured or cancelled); a capture may be reversed once afterwards.
    for (const [id] of holdPoints) {
      const outcomes = resolved.filter((s) => s.res.status === 200 && s.res.json.id === id).map((s) => s.res.json.status as string);
      expect(outcomes.filter((o) => o === "captured" || o === "cancelled"), `hold ${id}: ${outcomes}`).toHaveLength(1);
      expect(outcomes.filter((o) => o === "reversed").length, `hold ${id}: ${outcomes}`).toBeLessThanOrEqual(1);
      if (outcomes.includes("reversed")) expect(outcomes, `hold ${id}`).toContain("captured");
      const final = await call(`/v1/redemptions/${id}`, { key: p.server });
      expect(final.json.status, `hold ${id}`).toBe(outcomes.includes("reversed") ? "reversed" : outcomes.find((o) => o !== "reversed"));
    }

    // Every member's balance is exactly what its successful answers add up to.
    for (const memberId of everyone) {
      const mine = all.filter((s) => s.memberId === memberId);
      const expectedNet = start.get(memberId)! + mine.reduce((sum, s) => sum + netChange(s, holdPoints), 0);
      const earned = start.get(memberId)! + mine.filter((s) => s.kind === "accrue" && s.res.status === 201 && !replayed(s.res)).reduce((sum, s) => sum + s.res.json.points, 0);
      const b = await balance(p.server, memberId);
      expect(b.held, `${memberId}: every hold resolved`).toBe(0);
      expect(b.available + b.held - b.debt, `${memberId}: net points`).toBe(expectedNet);
      expect(b.lifetimeEarned, `${memberId}: lifetime earned`).toBe(earned);
      expect(b.available).toBeGreaterThanOrEqual(0);
    }
    const counts = all.reduce<Record<string, number>>((acc, s) => {
      const key = `${s.kind} ${s.res.status < 300 ? "ok" : s.res.json.code}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    console.log(`concurrency: ${all.length} requests (seed ${SEED}): ${JSON.stringify(counts)}`);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
