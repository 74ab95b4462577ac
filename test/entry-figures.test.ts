// The figures settlement and tier qualification sum are columns of their own, written with every entry that carries them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";
import { rows } from "./job-helpers";
import { entryFigures, FIGURE_CARRIERS, type Entry, type EntryFigures, type EntryType } from "../src/ledger/entries";
import { entry, event, type OpContext } from "../src/ledger/plan";
import { ProgramSettingsSchema } from "../src/ledger/settings";

const eur = (amount: number) => ({ amount, currency: "EUR" });
const COLUMNS: Record<keyof EntryFigures, string> = {
  debtPaid: "debt_paid",
  fromLot: "from_lot",
  fromExpired: "from_expired",
  addedToDebt: "added_to_debt",
  orderAmount: "order_amount",
  refundedAmount: "refunded_amount",
};
const FIGURES = Object.keys(COLUMNS) as (keyof EntryFigures)[];

/** A program whose history holds every entry type that carries a figure: earn, clawback, debt_payment. */
async function programWithEveryFigure() {
  const p = await createProgram();
  await enroll(p.server, "ada");
  await accrue(p.partner, "ada", 10_000, { orderId: "o-1" });
  const captured = await redeem(p.server, "ada", 100);
  expect(captured.status).toBe(201);
  const refunded = await call("/v1/members/ada/refunds", { key: p.partner, body: { orderId: "o-1", amount: eur(6_000) } });
  expect(refunded.json).toMatchObject({ fromLot: 0, addedToDebt: 60 });
  expect((await call(`/v1/redemptions/${captured.json.id}/cancel`, { key: p.server, method: "POST" })).json.status).toBe("reversed");
  await accrue(p.partner, "ada", 2_000, { orderId: "o-2" });
  return p;
}

type EntryRow = { id: string; type: Entry["type"]; details: string } & Record<string, unknown>;

async function entryRows(programId: string) {
  return rows<EntryRow>(`SELECT id, type, details, ${Object.values(COLUMNS).join(", ")} FROM entries WHERE program_id = ? ORDER BY id`, programId);
}

describe("the figures queries sum", () => {
  it("are written as columns with every entry that carries them, equal to its details", async () => {
    const p = await programWithEveryFigure();
    const found = await entryRows(p.programId);
    expect(new Set(found.map((r) => r.type))).toEqual(new Set(["earn", "redeem", "clawback", "reverse", "debt_payment"]));
    for (const row of found) {
      const expected = entryFigures({ type: row.type, details: JSON.parse(row.details) } as Entry);
      for (const figure of FIGURES) {
        expect(row[COLUMNS[figure]], `${row.type} ${figure}`).toBe(expected[figure]);
        if (FIGURE_CARRIERS[figure].includes(row.type)) expect(row[COLUMNS[figure]], `${row.type} ${figure}`).not.toBeNull();
      }
    }
    const debtPayment = found.find((r) => r.type === "debt_payment")!;
    expect(debtPayment.debt_paid).toBe(60);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an entry of a type that carries a figure written without it", async () => {
    const p = await createProgram();
    const pairs = FIGURES.flatMap((figure) => FIGURE_CARRIERS[figure].map((type) => ({ figure, type })));
    expect(pairs.length).toBe(7);
    for (const { figure, type } of pairs) {
      // Every figure of the type but one.
      const present = FIGURES.filter((f) => f !== figure && FIGURE_CARRIERS[f].includes(type));
      const columns = ["id", "program_id", "member_id", "type", "points", "occurred_at", "created_at", ...present.map((f) => COLUMNS[f])];
      const values = [`ent-${type}-${figure}`, p.programId, "ada", type, 0, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", ...present.map(() => 0)];
      const insert = env.DB.prepare(`INSERT INTO entries (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).bind(...values);
      await expect(insert.run(), `${type} without ${figure}`).rejects.toThrow(/entry_figures_missing/);
    }
    const [{ n }] = (await rows<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE program_id = ?", p.programId)) as [{ n: number }];
    expect(n).toBe(0);
  });

  it("are backfilled from the details of entries written before the columns existed", async () => {
    const p = await programWithEveryFigure();
    const before = await entryRows(p.programId);
    await env.DB.prepare(`UPDATE entries SET ${Object.values(COLUMNS).map((c) => `${c} = NULL`).join(", ")} WHERE program_id = ?`)
      .bind(p.programId)
      .run();
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0008_"))!;
    const backfill = migration.queries.filter((q) => /^\s*(--[^\n]*\n\s*)*UPDATE/i.test(q));
    expect(backfill.length).toBe(2);
    for (const query of backfill) await env.DB.prepare(query).run();
    expect(await entryRows(p.programId)).toEqual(before);
  });
});

describe("a plan's entries and events", () => {
  const ctx: OpContext = { settings: ProgramSettingsSchema.parse({}), now: new Date("2026-01-01T00:00:00.000Z"), newId: (prefix) => `${prefix}-1`, partnerId: null };

  it("give each entry type's figures from its typed details, non-null exactly for the types that carry them", () => {
    // A record of every entry type: a type added to the ledger is missing here until it is given a sample.
    const one: Record<EntryType, Entry> = {
      earn: entry(ctx, { type: "earn", points: 10, details: { accrualId: "acc-1", amount: eur(1_000), breakdown: [], debtPaid: 3 } }),
      redeem: entry(ctx, { type: "redeem", points: -5, details: { allocations: [{ lotId: "lot-1", points: 5 }], value: eur(50) } }),
      hold: entry(ctx, { type: "hold", points: 0, heldPoints: 5, details: { allocations: [{ lotId: "lot-1", points: 5 }], value: eur(50) } }),
      release: entry(ctx, { type: "release", points: 0, heldPoints: -5, details: { allocations: [{ lotId: "lot-1", points: 5 }] } }),
      reverse: entry(ctx, { type: "reverse", points: 5, details: { allocations: [{ lotId: "lot-1", points: 5 }] } }),
      debt_payment: entry(ctx, { type: "debt_payment", points: 0, details: { debtPaid: 4, reason: "reversed_points" } }),
      expire: entry(ctx, { type: "expire", points: -2, details: { reason: "lot_expired", earnedAt: "2025-01-01T00:00:00.000Z", expiresAt: "2026-01-01T00:00:00.000Z" } }),
      clawback: entry(ctx, { type: "clawback", points: -5, details: { refundedAmount: eur(500), fromLot: 2, fromExpired: 1, addedToDebt: 3, reason: null } }),
      tier: entry(ctx, { type: "tier", points: 0, details: { from: null, to: "gold", reason: "upgrade" } }),
      adjust: entry(ctx, { type: "adjust", points: 5, details: { source: "manual", reason: "goodwill", keyId: "key-1", debtPaid: 0, allocations: [] } }),
    };
    for (const [type, e] of Object.entries(one)) {
      expect(e.type).toBe(type);
      const figures = entryFigures(e);
      for (const figure of FIGURES) expect(figures[figure] !== null, `${e.type} ${figure}`).toBe(FIGURE_CARRIERS[figure].includes(e.type));
    }
    expect(entryFigures(one.earn)).toMatchObject({ debtPaid: 3, orderAmount: 1_000 });
    expect(entryFigures(one.debt_payment)).toMatchObject({ debtPaid: 4 });
    expect(entryFigures(one.clawback)).toEqual({ debtPaid: null, fromLot: 2, fromExpired: 1, addedToDebt: 3, orderAmount: null, refundedAmount: 500 });
    // The compiler refuses an entry or event missing a field its type carries (checked by tsc, which the suite runs first).
    // @ts-expect-error an earn entry must say what debt it paid
    entry(ctx, { type: "earn", points: 10, details: { accrualId: "acc-1", amount: eur(1_000), breakdown: [] } });
    // @ts-expect-error a clawback names its figures by their own keys
    entry(ctx, { type: "clawback", points: -5, details: { refundedAmount: eur(500), fromLot: 2, expired: 1, addedToDebt: 3, reason: null } });
    // @ts-expect-error points.earned says the debt paid
    event(ctx, "points.earned", null, { memberId: "ada", orderId: "o-1", accrualId: "acc-1", points: 10 });
    // @ts-expect-error no such event type
    event(ctx, "points.earnt", null, { memberId: "ada" });
  });
});
