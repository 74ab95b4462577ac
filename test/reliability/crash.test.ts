// Crash injection: the member's Durable Object dies before, during or after
// the D1 batch of a write, or D1 itself refuses or loses the batch
// (overloaded, timed out); the client retries with the same Idempotency-Key.
// Nothing may be lost, nothing may post twice, and the object must rebuild
// its state from D1.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { spendingOrder } from "../../src/ledger/allocation";
import type { MemberState } from "../../src/ledger/state";
import type { LedgerCall } from "../../src/members/member-ledger";
import { readMemberState } from "../../src/members/store";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "../helpers";
import { runInDurableObject } from "cloudflare:test";
import { armCrash, armD1Error, cachedState, D1_REFUSALS, memberLedger, memberStub, type CrashStage, type D1FaultStage } from "./support";

interface Request {
  method: "POST" | "PUT";
  path: string;
  body?: unknown;
}

interface Scenario {
  name: string;
  /** Brings the member to where the request makes sense; returns what the request needs. */
  setup: (p: TestProgram, memberId: string) => Promise<Record<string, string>>;
  request: (memberId: string, ctx: Record<string, string>) => Request;
  status: number;
}

const scenarios: Scenario[] = [
  {
    name: "enroll",
    setup: async () => ({}),
    request: (m) => ({ method: "PUT", path: `/v1/members/${m}`, body: { name: "Ada" } }),
    status: 201,
  },
  {
    name: "accrue",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return {};
    },
    request: (m) => ({ method: "POST", path: `/v1/members/${m}/accruals`, body: { orderId: `crash-${m}`, amount: { amount: 5000, currency: "EUR" } } }),
    status: 201,
  },
  {
    name: "redeem (capture)",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return {};
    },
    request: (m) => ({ method: "POST", path: `/v1/members/${m}/redemptions`, body: { points: 30 } }),
    status: 201,
  },
  {
    name: "redeem (hold)",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return {};
    },
    request: (m) => ({ method: "POST", path: `/v1/members/${m}/redemptions`, body: { points: 40, mode: "hold" } }),
    status: 201,
  },
  {
    name: "capture a hold",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return { id: (await redeem(p.server, m, 40, { mode: "hold" })).json.id };
    },
    request: (_m, { id }) => ({ method: "POST", path: `/v1/redemptions/${id}/capture` }),
    status: 200,
  },
  {
    name: "cancel a hold",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return { id: (await redeem(p.server, m, 40, { mode: "hold" })).json.id };
    },
    request: (_m, { id }) => ({ method: "POST", path: `/v1/redemptions/${id}/cancel` }),
    status: 200,
  },
  {
    name: "reverse a capture",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000);
      return { id: (await redeem(p.server, m, 30)).json.id };
    },
    request: (_m, { id }) => ({ method: "POST", path: `/v1/redemptions/${id}/cancel` }),
    status: 200,
  },
  {
    name: "refund into debt",
    setup: async (p, m) => {
      await enroll(p.server, m);
      await accrue(p.server, m, 10_000, { orderId: `paid-${m}` });
      await redeem(p.server, m, 80);
      return {};
    },
    request: (m) => ({ method: "POST", path: `/v1/members/${m}/refunds`, body: { orderId: `paid-${m}`, amount: { amount: 10_000, currency: "EUR" } } }),
    status: 201,
  },
];

const stages: CrashStage[] = ["before", "in-flight", "landed", "after"];

/** Everything the member's ledger holds, without the ids and clocks that differ between two members. */
async function ledgerDigest(p: TestProgram, memberId: string) {
  const bind = (sql: string) => env.DB.prepare(sql).bind(p.programId, memberId);
  const [entries, lots, redemptions, orders, events, member] = await env.DB.batch([
    bind("SELECT type, COUNT(*) AS n, SUM(points) AS points, SUM(held_points) AS held FROM entries WHERE program_id = ? AND member_id = ? GROUP BY type ORDER BY type"),
    bind("SELECT COUNT(*) AS n, SUM(points) AS points, SUM(remaining) AS remaining FROM lots WHERE program_id = ? AND member_id = ?"),
    bind("SELECT status, COUNT(*) AS n, SUM(points) AS points FROM redemptions WHERE program_id = ? AND member_id = ? GROUP BY status ORDER BY status"),
    bind("SELECT amount, earned_points, refunded_amount, clawed_back_points FROM orders WHERE program_id = ? AND member_id = ? ORDER BY amount"),
    bind("SELECT type, COUNT(*) AS n FROM outbox_events WHERE program_id = ? AND member_id = ? GROUP BY type ORDER BY type"),
    bind("SELECT name, debt, lifetime_earned, qualifying_points FROM members WHERE program_id = ? AND member_id = ?"),
  ]);
  const balance = await call(`/v1/members/${memberId}/balance`, { key: p.server });
  return {
    entries: entries!.results,
    lots: lots!.results,
    redemptions: redemptions!.results,
    orders: orders!.results,
    events: events!.results,
    member: member!.results,
    balance: balance.json,
  };
}

function send(p: TestProgram, req: Request, idempotencyKey: string) {
  return call(req.path, { method: req.method, key: p.server, body: req.body, idempotencyKey: req.method === "POST" ? idempotencyKey : null });
}

/** Lots and holds in a fixed order, so a cached state and one read from D1 compare equal when they hold the same. */
function normalized(state: MemberState) {
  const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { ...state, lots: byId(state.lots), holds: byId(state.holds).map((h) => ({ ...h, allocations: [...h.allocations].sort((a, b) => (a.lotId < b.lotId ? -1 : 1)) })) };
}

/** The object's cache must be exactly what D1 says: it rebuilt from D1 and kept track since. */
async function expectCacheMatchesD1(p: TestProgram, memberId: string) {
  const cached = (await cachedState(p.programId, memberId)) as MemberState | null;
  expect(cached, "the object has state cached after a read").not.toBeNull();
  const { state } = await readMemberState(database(env.DB), p.programId, memberId);
  const { rest = null, ...loaded } = cached!;
  expect(normalized({ ...loaded, lots: [] })).toEqual(normalized({ ...state, lots: [] }));
  // The lots it loaded are as D1 has them; the others add up to what it keeps of them, and all come after its window.
  const inD1 = new Map(state.lots.map((lot) => [lot.id, lot]));
  for (const lot of loaded.lots) expect(inD1.get(lot.id)).toEqual(lot);
  const unloaded = state.lots.filter((lot) => !loaded.lots.some((l) => l.id === lot.id));
  if (!rest) expect(unloaded).toEqual([]);
  else {
    expect(unloaded.reduce((sum, lot) => sum + lot.remaining, 0)).toBe(rest.points);
    for (const lot of unloaded) expect(spendingOrder(lot, rest.after)).toBeGreaterThan(0);
  }
}

let counter = 0;
const outcomes: Record<string, number> = {};

describe.each(stages)("the member's object crashes %s its D1 batch", (stage) => {
  it.each(scenarios)("$name: a retry with the same key posts exactly once", async (scenario) => {
    const p = await createProgram({}, "Crash test");
    const crashed = `crash-${++counter}`;
    const control = `control-${counter}`;
    const key = `idem-${crashed}`;

    // The control member goes through the same requests with nothing going wrong.
    const controlCtx = await scenario.setup(p, control);
    const controlRes = await send(p, scenario.request(control, controlCtx), `idem-${control}`);
    expect(controlRes.status).toBe(scenario.status);

    const ctx = await scenario.setup(p, crashed);
    const req = scenario.request(crashed, ctx);
    if (scenario.name !== "enroll") expect(await cachedState(p.programId, crashed), "the live object caches the member").not.toBeNull();
    await armCrash(p.programId, crashed, stage);
    const failed = await send(p, req, key);
    // The outcome is unknown to the caller: a 503 that says to retry with the same key.
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(failed.headers.get("content-type")).toContain("application/problem+json");
    expect(failed.json).toMatchObject({ code: "temporarily_unavailable" });
    expect(JSON.stringify(failed.json)).not.toMatch(/crash|stack/i);

    // A new instance: nothing cached, whatever the old one knew is gone.
    expect(await cachedState(p.programId, crashed), "the object was reset").toBeNull();
    const landed = (await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE program_id = ? AND key = ?").bind(p.programId, key).first<number>("n"))! > 0;
    const memberRow = await env.DB.prepare("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id = ?").bind(p.programId, crashed).first<number>("n");
    const committed = req.method === "POST" ? landed : memberRow === 1;
    if (stage === "before") expect(committed, "a batch never sent left nothing behind").toBe(false);
    if (stage === "landed" || stage === "after") expect(committed, "the batch had committed").toBe(true);
    outcomes[`${stage}: ${committed ? "committed" : "lost"}`] = (outcomes[`${stage}: ${committed ? "committed" : "lost"}`] ?? 0) + 1;

    const retry = await send(p, req, key);
    if (req.method === "PUT") {
      // PUT carries no key: it is idempotent by itself, and says whether it created or updated.
      expect(retry.status).toBe(committed ? 200 : 201);
    } else {
      expect(retry.status).toBe(scenario.status);
      expect(retry.headers.get("idempotent-replayed"), "a committed request is replayed, not run again").toBe(committed ? "true" : null);
      const again = await send(p, req, key);
      expect(again.status).toBe(scenario.status);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.json).toEqual(retry.json);
    }

    // Nothing lost, nothing twice: the crashed member's ledger is the control's.
    expect(await ledgerDigest(p, crashed)).toEqual(await ledgerDigest(p, control));
    if (req.method === "POST") {
      const keyRows = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE program_id = ? AND key = ?").bind(p.programId, key).first<number>("n");
      expect(keyRows).toBe(1);
    }
    await expectCacheMatchesD1(p, crashed);

    // The rebuilt object carries on: its next write commits on the version D1 holds.
    expect((await accrue(p.server, crashed, 1000)).status).toBe(201);
    await expectCacheMatchesD1(p, crashed);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("the object crashes on the batch that lapses an overdue hold before a redemption", () => {
  // Driven through the object's RPC so time can be injected: the hold runs out in model time.
  const T0 = Date.UTC(2040, 0, 1);

  it.each(["before", "in-flight", "landed", "after"] as const)("%s: the hold lapses once and the redemption posts once", async (stage) => {
    const q = await createProgram({ enrollOnAccrual: true }, "Lapse crash");
    const settings = (await call("/v1/program", { key: q.admin })).json.settings;
    const memberId = `lapse-${stage}`;
    let n = 0;
    const rpc = (now: number, idempotent = true): LedgerCall => ({
      programId: q.programId,
      memberId,
      settings,
      partnerId: null,
      idempotency: idempotent ? { scope: "server:", key: `k-${stage}-${++n}`, requestHash: `h-${n}` } : null,
      now,
    });
    const ledger = () => memberLedger(q.programId, memberId);
    expect((await ledger().accrue(rpc(T0), { orderId: "o-1", amount: { amount: 10_000, currency: "EUR" }, channel: "online", occurredAt: new Date(T0).toISOString() })).ok).toBe(true);
    const hold = await ledger().redeem(rpc(T0), { mode: "hold", points: 60, channel: "online", ttlSeconds: 60 });
    expect(hold.ok).toBe(true);

    const later = T0 + 120_000;
    const redemption = rpc(later);
    await armCrash(q.programId, memberId, stage);
    const crash = await ledger()
      .redeem(redemption, { mode: "capture", points: 90, channel: "online" })
      .then(() => null, (error: unknown) => error);
    expect(crash).toBeInstanceOf(Error);

    const retry = await ledger().redeem(redemption, { mode: "capture", points: 90, channel: "online" });
    expect(retry).toMatchObject({ ok: true, created: true, replayed: false });
    const balance = await ledger().getBalance(rpc(later, false));
    expect(balance).toMatchObject({ ok: true, value: { available: 10, held: 0 } });
    const rows = await env.DB.prepare("SELECT type, COUNT(*) AS n FROM entries WHERE program_id = ? AND member_id = ? GROUP BY type ORDER BY type")
      .bind(q.programId, memberId)
      .all();
    expect(rows.results).toEqual([
      { type: "earn", n: 1 },
      { type: "hold", n: 1 },
      { type: "redeem", n: 1 },
      { type: "release", n: 1 },
    ]);
    const statuses = await env.DB.prepare("SELECT status FROM redemptions WHERE program_id = ? ORDER BY created_at, status").bind(q.programId).all();
    expect(statuses.results.map((r) => r.status).sort()).toEqual(["captured", "lapsed"]);
    await expectCacheMatchesD1(q, memberId);
    await expectLedgerConsistent(q.programId);
  });
});

describe("crash outcomes", () => {
  it("saw every stage leave its batch either committed or not at all", () => {
    console.log(`crash outcomes: ${JSON.stringify(outcomes)}`);
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    expect(total).toBe(stages.length * scenarios.length);
  });
});

const d1Stages: D1FaultStage[] = ["before", "during", "after"];
/** Every scenario under each stage, each of D1's refusals in turn. */
const d1Cases = scenarios.map((scenario, i) => ({ ...scenario, message: D1_REFUSALS[i % D1_REFUSALS.length]! }));

describe.each(d1Stages)("D1 fails the member's batch %s it runs", (stage) => {
  it.each(d1Cases)("$name ($message): a 503 to retry, and the retry posts exactly once", async (scenario) => {
    const p = await createProgram({}, "D1 refusal test");
    const refused = `d1-${++counter}`;
    const control = `d1-control-${counter}`;
    const key = `idem-${refused}`;

    const controlCtx = await scenario.setup(p, control);
    expect((await send(p, scenario.request(control, controlCtx), `idem-${control}`)).status).toBe(scenario.status);

    const ctx = await scenario.setup(p, refused);
    const req = scenario.request(refused, ctx);
    await armD1Error(p.programId, refused, stage, scenario.message);
    const failed = await send(p, req, key);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(failed.headers.get("content-type")).toContain("application/problem+json");
    expect(failed.json).toMatchObject({ code: "temporarily_unavailable" });
    expect(JSON.stringify(failed.json)).not.toMatch(/D1_ERROR|overloaded\. |stack/);
    // Whether the batch landed is unknown to the object: it trusts nothing it held.
    expect(await cachedState(p.programId, refused), "the object dropped its cache").toBeNull();

    const landed = (await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE program_id = ? AND key = ?").bind(p.programId, key).first<number>("n"))! > 0;
    const memberRow = await env.DB.prepare("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id = ?").bind(p.programId, refused).first<number>("n");
    const committed = req.method === "POST" ? landed : memberRow === 1;
    if (stage === "before") expect(committed, "a refused batch left nothing behind").toBe(false);
    if (stage === "after") expect(committed, "the batch had committed").toBe(true);

    const retry = await send(p, req, key);
    if (req.method === "PUT") {
      expect(retry.status).toBe(committed ? 200 : 201);
    } else {
      expect(retry.status).toBe(scenario.status);
      expect(retry.headers.get("idempotent-replayed"), "a committed request is replayed, not run again").toBe(committed ? "true" : null);
      const again = await send(p, req, key);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.json).toEqual(retry.json);
      const keyRows = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE program_id = ? AND key = ?").bind(p.programId, key).first<number>("n");
      expect(keyRows).toBe(1);
    }
    expect(await ledgerDigest(p, refused)).toEqual(await ledgerDigest(p, control));
    await expectCacheMatchesD1(p, refused);
    expect((await accrue(p.server, refused, 1000)).status).toBe(201);
    await expectCacheMatchesD1(p, refused);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("D1 refuses the state read of an object with nothing cached", () => {
  it.each(D1_REFUSALS)("%s: a read and a write answer 503, and their retries see D1 as it is", async (message) => {
    const p = await createProgram({}, "D1 read refusal");
    const memberId = `cold-${++counter}`;
    await enroll(p.server, memberId);
    await accrue(p.server, memberId, 10_000);
    const evict = () => runInDurableObject(memberStub(p.programId, memberId), (instance) => void ((instance as unknown as { cached: unknown }).cached = null));

    await evict();
    await armD1Error(p.programId, memberId, "before", message, { reads: true });
    const read = await call(`/v1/members/${memberId}/balance`, { key: p.server });
    expect(read.status).toBe(503);
    expect(read.headers.get("retry-after")).toBe("1");
    expect((await call(`/v1/members/${memberId}/balance`, { key: p.server })).json).toMatchObject({ available: 100 });

    await evict();
    await armD1Error(p.programId, memberId, "before", message, { reads: true });
    const send = () => call(`/v1/members/${memberId}/redemptions`, { key: p.server, body: { points: 30 }, idempotencyKey: `cold-${memberId}` });
    const write = await send();
    expect(write.status).toBe(503);
    expect(write.json.code).toBe("temporarily_unavailable");
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed"), "nothing was written before").toBeNull();
    expect((await call(`/v1/members/${memberId}/balance`, { key: p.server })).json).toMatchObject({ available: 70 });
    await expectLedgerConsistent(p.programId, p.server);
  });
});
