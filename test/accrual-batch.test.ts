// The floor the bench compares writes with is an accrual's batch as plain rows: this keeps its row count the accrual's.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCRUAL_STATEMENTS } from "../bench/accrual-batch";
import { accrue, createProgram, enroll } from "./helpers";

const INSERTED = ["lots", "orders", "entries", "outbox_events", "kpi_pending", "idempotency_keys"] as const;

async function counts(programId: string) {
  const rows = await env.DB.batch(INSERTED.map((table) => env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE program_id = ?1`).bind(programId)));
  return Object.fromEntries(INSERTED.map((table, i) => [table, (rows[i]!.results[0] as { n: number }).n]));
}

async function updated(programId: string) {
  return env.DB.prepare(
    "SELECT m.version AS version, s.updated_at AS statsAt, s.order_count AS orders FROM members m JOIN member_stats s USING (program_id, member_id) WHERE m.program_id = ?1 AND m.member_id = 'ada'",
  )
    .bind(programId)
    .first<{ version: number; statsAt: string; orders: number }>();
}

describe("an accrual's batch", () => {
  it("inserts one row into each of six tables and updates the member's row and stats row: the floor's row count", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1000)).status).toBe(201);
    const [before, member] = [await counts(p.programId), await updated(p.programId)];
    expect((await accrue(p.server, "ada", 1999)).status).toBe(201);
    const after = await counts(p.programId);
    expect(Object.fromEntries(INSERTED.map((table) => [table, after[table]! - before[table]!]))).toEqual(Object.fromEntries(INSERTED.map((t) => [t, 1])));
    const changed = await updated(p.programId);
    expect(changed).toMatchObject({ version: member!.version + 1, orders: member!.orders + 1 });
    expect(INSERTED.length + 2).toBe(ACCRUAL_STATEMENTS);
  });
});
