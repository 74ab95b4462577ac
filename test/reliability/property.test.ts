// Model-based property test: random sequences of ledger operations sent to the
// members' Durable Objects (real D1 underneath), compared step by step with the
// reference model in ledger-model.ts, with the ledger's invariants checked
// after every step.
//
// Time is injected: every call carries `now` (model time), so holds lapse,
// pending points mature and lots expire exactly when the model says. Model
// time starts in 2040, far ahead of the wall clock, so the hold alarms the
// objects set never fire on their own during a run.
//
// Replay a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/reliability/property.test.ts
// More runs:        FC_RUNS=500 npx vitest run test/reliability/property.test.ts
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Settings } from "../helpers";
import { createProgram, expectLedgerConsistent } from "../helpers";
import { ProgramSettingsSchema, type ProgramSettings } from "../../src/ledger/settings";
import { STORED_REFUSALS, type LedgerCall, type LedgerReply } from "../../src/members/member-ledger";
import { DAY, HOUR, LedgerModel, SECOND, type ModelRule, type ModelSettings, type Outcome } from "./ledger-model";
import { RuleSchema, type ActiveRule } from "../../src/campaigns/rules";
import { memberLedger, memberStub } from "./support";

const DEFAULT_RUNS = 25;
const MAX_OPS = 30;
const MEMBERS = ["m0", "m1"];
const EPOCH = Date.UTC(2040, 0, 1);
const NO_SUCH_REDEMPTION = "red_00000000000000000000000000";

// ---------------------------------------------------------------- operations as data

/** Mostly the first member, who is enrolled from the start; the second one has to enroll (or be enrolled by an accrual). */
const member = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) });
/** Order amounts spread over the whole range (fast-check's bias would keep them tiny), with some that earn nothing. */
const orderAmount = fc.oneof({ weight: 4, arbitrary: fc.noBias(fc.integer({ min: 100, max: 30_000 })) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 199 }) });
const redeemPoints = fc.oneof({ weight: 3, arbitrary: fc.noBias(fc.integer({ min: 1, max: 120 })) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }) });
/** Mostly null, sometimes an index: fc.option's `freq` is the other way round. */
const rarely = (n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() });
/** Mostly an index, sometimes null. */
const mostly = (n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constant(null) });

const opArb = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant("enroll" as const), member }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("accrue" as const),
      member,
      amount: orderAmount,
      backdateHours: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 * 24 }) }),
      duplicateOf: rarely(8),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("redeem" as const),
      member,
      points: redeemPoints,
      hold: fc.boolean(),
      ttlSeconds: fc.constantFrom(10, 60, 900, 3600, 2 * 86_400),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("capture" as const), pick: mostly(10) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("cancel" as const), pick: mostly(10) }) },
  // Refunds the order whose lot a redemption took from: the way to debt, and to points that come back to pay it.
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refundSpent" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("refund" as const),
      pick: fc.nat(),
      ownMember: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      portion: fc.constantFrom("all" as const, "half" as const, "one" as const, "over" as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      ms: fc.constantFrom(1, 11, 300, 960, 3600, 86_400, 2 * 86_400, 3 * 86_400, 15 * 86_400, 31 * 86_400, 45 * 86_400).map((s) => s * SECOND),
      viaAlarm: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("expire" as const), member }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("evict" as const), member }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("retry" as const), changedBody: fc.boolean() }) },
);

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const settingsArb = fc.record({
  pendingDays: fc.constantFrom(0, 2),
  expiry: fc.constantFrom<ModelSettings["expiry"]>(
    { policy: "never" },
    { policy: "rolling", days: 30 },
    { policy: "period_end", period: "month" },
    { policy: "inactivity", days: 30 },
  ),
  enrollOnAccrual: fc.boolean(),
  startHours: fc.integer({ min: 0, max: 400 * 24 }),
  rules: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom("r-a", "r-b", "r-c"),
      atLeast: fc.constantFrom(0, 5_000, 20_000),
      effect: fc.oneof(
        fc.record({ type: fc.constant("fixed" as const), points: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ type: fc.constant("multiply" as const), percent: fc.constantFrom(150, 200, 333) }),
      ),
      count: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    }),
    { maxLength: 3, selector: (rule) => rule.id },
  ),
});

/** The model's rules as the member's object receives them from the Worker: campaign rules in force. */
function activeRules(rules: readonly ModelRule[]): ActiveRule[] {
  return rules.map((rule) => ({
    campaignId: "cmp_property",
    version: 1,
    startsAt: "2026-01-01T00:00:00Z",
    endsAt: null,
    budget: null,
    rule: RuleSchema.parse({
      id: rule.id,
      trigger: { type: "order" },
      conditions: rule.atLeast > 0 ? { amountAtLeast: rule.atLeast } : {},
      effect: rule.effect,
      limits: rule.count === null ? [] : [{ period: "campaign", count: rule.count }],
    }),
  }));
}

type RunSettings = typeof settingsArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------- one run

type WriteMethod = "enroll" | "accrue" | "redeem" | "capture" | "cancel" | "refund";

interface Write {
  memberId: string;
  method: WriteMethod;
  call: LedgerCall;
  arg: unknown;
  /** What it answered first: a success, or a business refusal kept for its key. */
  reply: LedgerReply;
}

class Run {
  private keys = 0;
  private orderIds = 0;
  lastWrite: Write | null = null;

  constructor(
    readonly programId: string,
    readonly settings: ProgramSettings,
    readonly model: LedgerModel,
    readonly rules: ActiveRule[] = [],
  ) {}

  call(memberId: string, idempotent: boolean): LedgerCall {
    const n = ++this.keys;
    return {
      programId: this.programId,
      memberId,
      settings: this.settings,
      partnerId: null,
      idempotency: idempotent ? { scope: "server:", key: `key-${n}`, requestHash: `request-${n}` } : null,
      now: this.model.now,
      rules: this.rules,
    };
  }

  nextOrderId(): string {
    return `order-${++this.orderIds}`;
  }

  async write(memberId: string, method: WriteMethod, arg: unknown, call = this.call(memberId, true)): Promise<LedgerReply> {
    const ledger = memberLedger(this.programId, memberId);
    const reply = await send(ledger, method, call, arg);
    if (!reply.replayed && (reply.ok || STORED_REFUSALS.has(reply.error.code))) this.lastWrite = { memberId, method, call, arg, reply };
    const name = method === "redeem" ? `redeem:${(arg as { mode: string }).mode}` : method;
    const outcome = reply.replayed ? (reply.ok ? "replayed" : `replayed ${reply.error.code}`) : reply.ok ? "ok" : reply.error.code;
    coverage[`${name} ${outcome}`] = (coverage[`${name} ${outcome}`] ?? 0) + 1;
    return reply;
  }
}

function send(ledger: ReturnType<typeof memberLedger>, method: WriteMethod, call: LedgerCall, arg: unknown): Promise<LedgerReply> {
  switch (method) {
    case "enroll":
      return ledger.enroll(call, arg as Parameters<typeof ledger.enroll>[1]);
    case "accrue":
      return ledger.accrue(call, arg as Parameters<typeof ledger.accrue>[1]);
    case "redeem":
      return ledger.redeem(call, arg as Parameters<typeof ledger.redeem>[1]);
    case "capture":
      return ledger.capture(call, arg as string);
    case "cancel":
      return ledger.cancel(call, arg as string);
    case "refund":
      return ledger.refund(call, arg as Parameters<typeof ledger.refund>[1]);
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The reply must be the model's outcome: the same error code (and numbers), or success with the same result. */
function expectOutcome(reply: LedgerReply, expected: Outcome<object>, created: boolean, what: string, balance?: object | null) {
  if (!expected.ok) {
    expect(reply.ok ? `success ${JSON.stringify(reply.value)}` : reply.error.code, what).toBe(expected.code);
    if (!reply.ok && expected.extras) expect(reply.error.data, what).toMatchObject(expected.extras);
    return;
  }
  expect(reply.ok ? Boolean(reply.created) : `refused: ${reply.error.code} ${reply.error.detail}`, what).toBe(created);
  if (reply.ok) expect(reply.value, what).toMatchObject(expected.result);
  // A ledger write answers with the member's balance right after it.
  if (reply.ok && balance) expect((reply.value as { balance: unknown }).balance, `${what}: balance in the answer`).toMatchObject(balance);
}

async function apply(run: Run, op: Op): Promise<void> {
  const { model } = run;
  const what = JSON.stringify(op);
  switch (op.op) {
    case "enroll": {
      const memberId = MEMBERS[op.member]!;
      model.applyTime(memberId);
      const reply = await run.write(memberId, "enroll", {});
      const expected = model.enroll(memberId);
      const created = expected.ok && expected.result.created;
      expectOutcome(reply, { ok: true, result: { memberId } }, created, what, model.balance(memberId));
      return;
    }
    case "accrue": {
      const memberId = MEMBERS[op.member]!;
      model.applyTime(memberId);
      const duplicate = op.duplicateOf !== null && model.orders.length > 0 ? model.orders[op.duplicateOf % model.orders.length]! : null;
      const orderId = duplicate?.orderId ?? run.nextOrderId();
      const earnedAt = model.now - op.backdateHours * HOUR;
      const input = { orderId, amount: { amount: op.amount, currency: "EUR" }, channel: "online", occurredAt: iso(earnedAt)! };
      const reply = await run.write(memberId, "accrue", input);
      const lotId = reply.ok ? (reply.value as { lot: { id: string } | null }).lot?.id : undefined;
      const expected = model.accrue(memberId, orderId, op.amount, earnedAt, lotId);
      const result = expected.ok
        ? {
            ok: true as const,
            result: {
              ...expected.result,
              lot: expected.result.lot && { availableAt: iso(expected.result.lot.availableAt), expiresAt: iso(expected.result.lot.expiresAt) },
            },
          }
        : expected;
      expectOutcome(reply, result, true, what, model.balance(memberId));
      if (expected.ok && !expected.result.lot) expect((reply as { value: { lot: unknown } }).value.lot, what).toBeNull();
      break;
    }
    case "redeem": {
      const memberId = MEMBERS[op.member]!;
      model.applyTime(memberId);
      const input = { mode: op.hold ? ("hold" as const) : ("capture" as const), points: op.points, channel: "online", ttlSeconds: op.ttlSeconds };
      const reply = await run.write(memberId, "redeem", input);
      const id = reply.ok ? (reply.value as { id: string }).id : undefined;
      expectOutcome(reply, model.redeem(memberId, op.points, op.hold, op.ttlSeconds, id), true, what, model.balance(memberId));
      break;
    }
    case "capture":
    case "cancel": {
      if (op.pick !== null && model.redemptions.length === 0) return;
      const target = op.pick === null ? null : model.redemptions[op.pick % model.redemptions.length]!;
      const memberId = target?.memberId ?? MEMBERS[0]!;
      const id = target?.id ?? NO_SUCH_REDEMPTION;
      model.applyTime(memberId);
      const reply = await run.write(memberId, op.op, id);
      const debtBefore = model.members.get(memberId)?.debt ?? 0;
      const expected = op.op === "capture" ? model.capture(id) : model.cancel(id);
      // Shows that sequences reach the rule that returned points pay debt first.
      if ((model.members.get(memberId)?.debt ?? 0) < debtBefore) count(`${op.op} paid debt`);
      expectOutcome(reply, expected, false, what, model.balance(memberId));
      break;
    }
    case "refund": {
      if (model.orders.length === 0) return;
      const order = model.orders[op.pick % model.orders.length]!;
      const memberId = op.ownMember ? order.memberId : MEMBERS.find((m) => m !== order.memberId)!;
      const refundable = order.amount - order.refundedAmount;
      const amount = { all: Math.max(1, refundable), half: Math.max(1, Math.floor(refundable / 2)), one: 1, over: refundable + 1 }[op.portion];
      model.applyTime(memberId);
      const reply = await run.write(memberId, "refund", { orderId: order.orderId, amount: { amount, currency: "EUR" } });
      const expected = model.refund(memberId, order.orderId, amount);
      if (expected.ok && expected.result.addedToDebt > 0) count("refund made debt");
      if (expected.ok && expected.result.fromExpired > 0) count("refund took from what expired");
      expectOutcome(reply, expected, true, what, model.balance(memberId));
      break;
    }
    case "refundSpent": {
      if (model.redemptions.length === 0) return;
      const lotId = model.redemptions[op.pick % model.redemptions.length]!.allocations[0]?.lotId;
      const index = model.orders.findIndex((o) => o.lotId === lotId);
      if (index < 0) return;
      return apply(run, { op: "refund", pick: index, ownMember: true, portion: "all" });
    }
    case "advance": {
      model.now += op.ms;
      if (op.viaAlarm) {
        // The alarm's path: lapse what is due, without any other operation.
        for (const memberId of MEMBERS) {
          const { idempotency: _none, ...call } = run.call(memberId, false);
          const lapsed = await memberLedger(run.programId, memberId).lapseHolds(call);
          expect([...lapsed].sort(), `${what}: holds lapsed by ${memberId}'s alarm`).toEqual(model.applyTime(memberId).sort());
        }
      }
      return;
    }
    case "expire": {
      // The expiry job's call, at model time; it carries no Idempotency-Key.
      const memberId = MEMBERS[op.member]!;
      model.applyTime(memberId);
      const reply = await memberLedger(run.programId, memberId).expirePoints(run.call(memberId, false));
      expectOutcome(reply, model.expire(memberId), false, what);
      return;
    }
    case "evict":
      // The object forgets everything it cached; the next call must rebuild it from D1.
      await evictDurableObject(memberStub(run.programId, MEMBERS[op.member]!));
      return;
    case "retry": {
      const last = run.lastWrite;
      if (!last) return;
      const call = op.changedBody ? { ...last.call, idempotency: { ...last.call.idempotency!, requestHash: "a different body" } } : last.call;
      const reply = await run.write(last.memberId, last.method, last.arg, { ...call, now: model.now });
      if (op.changedBody) expectOutcome(reply, { ok: false, code: "idempotency_key_reused" }, false, what);
      else if (last.reply.ok) expect(reply, `${what}: replay of ${last.method}`).toEqual({ ...last.reply, replayed: true });
      else {
        // A refusal replays as first answered, whatever has changed since (the model does not run it again).
        expect(reply, `${what}: replay of refused ${last.method}`).toEqual({ ...last.reply, replayed: true });
      }
      return;
    }
  }
}

interface MemberSums {
  member_id: string;
  debt: number;
  entry_points: number;
  debt_from_refunds: number;
}

/** After every step: balances equal the model's, every lot and redemption matches, the invariants hold. */
async function checkStep(run: Run, step: string): Promise<void> {
  const { model } = run;
  for (const memberId of MEMBERS) {
    model.applyTime(memberId);
    const reply = await memberLedger(run.programId, memberId).getBalance(run.call(memberId, false));
    const expected = model.balance(memberId);
    if (!expected) {
      expect(reply.ok ? "found" : reply.error.code, `${step}: ${memberId}`).toBe("member_not_found");
      continue;
    }
    expect(reply.ok ? reply.value : reply.error, `${step}: balance of ${memberId}`).toMatchObject(expected);
    for (const field of ["available", "pending", "held", "debt"] as const) expect(expected[field], `${step}: ${field}`).toBeGreaterThanOrEqual(0);
  }

  const [lots, redemptions, sums] = await env.DB.batch([
    env.DB.prepare("SELECT id, points, remaining, expired FROM lots WHERE program_id = ? ORDER BY id").bind(run.programId),
    env.DB.prepare("SELECT id, status FROM redemptions WHERE program_id = ? ORDER BY id").bind(run.programId),
    env.DB.prepare(
      `SELECT m.member_id, m.debt,
         (SELECT COALESCE(SUM(points), 0) FROM entries e WHERE e.program_id = m.program_id AND e.member_id = m.member_id) AS entry_points,
         (SELECT COALESCE(SUM(CASE e.type
             WHEN 'clawback' THEN e.added_to_debt
             WHEN 'earn' THEN -e.debt_paid
             WHEN 'debt_payment' THEN -e.debt_paid
             ELSE 0 END), 0)
          FROM entries e WHERE e.program_id = m.program_id AND e.member_id = m.member_id) AS debt_from_refunds
       FROM members m WHERE m.program_id = ? ORDER BY m.member_id`,
    ).bind(run.programId),
  ]);
  const byId = <T extends { id: string }>(rows: T[]) => rows.map((r) => ({ ...r })).sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(lots!.results, `${step}: every lot`).toEqual(byId(model.allLots().map(({ id, points, remaining, expired }) => ({ id, points, remaining, expired }))));
  expect(redemptions!.results, `${step}: every redemption`).toEqual(byId(model.redemptions.map(({ id, status }) => ({ id, status }))));
  for (const row of sums!.results as unknown as MemberSums[]) {
    const where = `${step}: ${row.member_id}`;
    const balance = model.balance(row.member_id)!;
    // Debt only ever comes from refunds, and only earnings and points that come back pay it off.
    expect(row.debt, `${where}: debt vs refunds and repayments`).toBe(row.debt_from_refunds);
    // What the entries add up to is what the member owns: lots (spendable, pending, expired unswept) + held - debt.
    const owned = balance.available + balance.pending + model.expiredRemaining(row.member_id) + balance.held - balance.debt;
    expect(row.entry_points, `${where}: sum of entries vs balance`).toBe(owned);
  }
  await expectLedgerConsistent(run.programId);
}

async function runSequence(cfg: RunSettings, ops: Op[]): Promise<void> {
  const settingsInput: Settings = {
    pendingDays: cfg.pendingDays,
    expiry: cfg.expiry.policy === "period_end" ? { policy: "period_end", period: "month", plusPeriods: 0 } : cfg.expiry,
    enrollOnAccrual: cfg.enrollOnAccrual,
  };
  const program = await createProgram(settingsInput, "Property run");
  const model = new LedgerModel(cfg, EPOCH + cfg.startHours * HOUR);
  const run = new Run(program.programId, ProgramSettingsSchema.parse(settingsInput), model, activeRules(cfg.rules));
  // The first member starts enrolled with an order's points, so sequences reach redemptions early.
  await apply(run, { op: "enroll", member: 0 });
  await apply(run, { op: "accrue", member: 0, amount: 20_000, backdateHours: 0, duplicateOf: null });
  await checkStep(run, "enroll and first order of m0");
  for (const [index, op] of ops.entries()) {
    await apply(run, op);
    await checkStep(run, `step ${index} ${JSON.stringify(op)}`);
  }
  stats.runs += 1;
  stats.operations += ops.length + 2;
}

const stats = { runs: 0, operations: 0 };
/** How often each operation ended how: shows what the random sequences actually reached. */
const coverage: Record<string, number> = {};
const count = (what: string) => (coverage[what] = (coverage[what] ?? 0) + 1);

describe("ledger against its reference model", () => {
  const runs = Number(env.FC_RUNS ?? DEFAULT_RUNS);
  const seed = env.FC_SEED !== undefined ? Number(env.FC_SEED) : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
  const path = env.FC_PATH;
  const timeout = Math.max(120_000, runs * 6_000);

  it(
    "agrees with the model and keeps its invariants after every step of random operation sequences",
    async () => {
      console.log(`ledger property: seed=${seed} runs=${runs}${path ? ` path=${path}` : ""}; replay with FC_SEED=${seed} FC_PATH=<path>`);
      await fc.assert(
        fc.asyncProperty(settingsArb, fc.array(opArb, { minLength: 1, maxLength: MAX_OPS, size: "max" }), (cfg, ops) => runSequence(cfg, ops)),
        // Shrinking stops in time for the report (seed, path, smallest sequence so far) to reach the output.
        { numRuns: runs, seed, path, interruptAfterTimeLimit: timeout - 20_000 },
      );
      console.log(`ledger property coverage: ${JSON.stringify(Object.fromEntries(Object.entries(coverage).sort()), null, 1)}`);
      console.log(`ledger property: ${stats.runs} runs, ${stats.operations} operations, seed=${seed}`);
      expect(stats.runs).toBeGreaterThan(0);
    },
    timeout,
  );
});
