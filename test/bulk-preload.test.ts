// The bulk route's preload of its members' first loads: the same state the object would read, never trusted over fresher state.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { ProgramSettingsSchema } from "../src/ledger/settings";
import { heldMemberships } from "../src/memberships/store";
import { lotWindowOf, memberObjectName, type LedgerCall, type MemberLedger } from "../src/members/member-ledger";
import { readPreloads } from "../src/members/preload";
import { readMemberState } from "../src/members/store";
import { backfilledStats, statsQuery, toStats } from "../src/segments/store";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";

function stub(programId: string, memberId: string) {
  return env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId)) as unknown as DurableObjectStub & MemberLedger;
}

async function ledgerCall(programId: string, memberId: string): Promise<LedgerCall> {
  const row = await env.DB.prepare("SELECT settings FROM programs WHERE id = ?").bind(programId).first<{ settings: string }>();
  return { programId, memberId, settings: ProgramSettingsSchema.parse(JSON.parse(row!.settings)), partnerId: null, idempotency: null };
}

const order = (orderId: string, amount: number) => ({ orderId, amount: { amount, currency: "EUR" }, channel: "store" as const, occurredAt: new Date().toISOString() });
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

describe("bulk preload", () => {
  it("reads for each member what the member's object would load itself", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada", { email: "ada@example.com" });
    await accrue(p.server, "ada", 10_000);
    await accrue(p.server, "ada", 2_000);
    await enroll(p.server, "bob");
    // A member whose batches began before statistics were kept: the preload backfills them as the object would.
    await env.DB.prepare("DELETE FROM member_stats WHERE program_id = ? AND member_id = 'bob'").bind(p.programId).run();
    const db = database(env.DB);
    const preloads = await readPreloads(db, p.programId, ["ada", "bob"], lotWindowOf(env));
    for (const memberId of ["ada", "bob"]) {
      const preload = preloads.get(memberId)!;
      const { state, closedThrough } = await readMemberState(db, p.programId, memberId);
      expect({ ...preload.state, lots: byId(preload.state.lots) }).toEqual({ ...state, lots: byId(state.lots), rest: null });
      expect(preload.closedThrough).toBe(closedThrough);
      expect(preload.held).toEqual(await heldMemberships(db, p.programId, memberId));
      const [statsRow] = await statsQuery(db, p.programId, memberId);
      expect(preload.segments.stats).toEqual(toStats(statsRow) ?? (await backfilledStats(db, p.programId, memberId)));
    }
    expect(preloads.get("ada")!.state.lots).toHaveLength(2);
  });

  it("leaves out members who do not exist, hold points, or have more open lots than the object loads at once", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    await enroll(p.server, "holding");
    await accrue(p.server, "holding", 10_000);
    expect((await redeem(p.server, "holding", 10, { mode: "hold" })).status).toBe(201);
    await enroll(p.server, "many");
    for (let i = 0; i <= lotWindowOf(env); i++) await accrue(p.server, "many", 1_000);
    const preloads = await readPreloads(database(env.DB), p.programId, ["ada", "holding", "many", "nobody"], lotWindowOf(env));
    expect([...preloads.keys()]).toEqual(["ada"]);
  });

  it("posts on the preload in an object that never ran", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    await evictDurableObject(stub(p.programId, "ada"));
    const preload = (await readPreloads(database(env.DB), p.programId, ["ada"], lotWindowOf(env))).get("ada")!;
    const reply = await stub(p.programId, "ada").accrue(await ledgerCall(p.programId, "ada"), order("o-1", 5_000), preload);
    expect(reply).toMatchObject({ ok: true, value: { points: 50, balance: { available: 150 } } });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("never trusts a preload read before the member changed: a cold object decides on D1, a warm one on its own state", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const stale = (await readPreloads(database(env.DB), p.programId, ["ada"], lotWindowOf(env))).get("ada")!;
    // The member changes after the read, through their object, which then stops (evicted, as after idling).
    await accrue(p.server, "ada", 20_000);
    await evictDurableObject(stub(p.programId, "ada"));
    const cold = await stub(p.programId, "ada").accrue(await ledgerCall(p.programId, "ada"), order("o-1", 5_000), stale);
    expect(cold).toMatchObject({ ok: true, value: { balance: { available: 350 } } });
    // Still running: what it holds is newer than the preload, which it ignores.
    const warm = await stub(p.programId, "ada").accrue(await ledgerCall(p.programId, "ada"), order("o-2", 1_000), stale);
    expect(warm).toMatchObject({ ok: true, value: { balance: { available: 360 } } });
    expect((await balance(p.server, "ada")).available).toBe(360);
    const version = await env.DB.prepare("SELECT version FROM members WHERE program_id = ? AND member_id = 'ada'").bind(p.programId).first<number>("version");
    expect(version).toBe(stale.state.member!.version + 3);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses on the object's own read when the member was erased after the preload", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const stale = (await readPreloads(database(env.DB), p.programId, ["ada"], lotWindowOf(env))).get("ada")!;
    expect((await call("/v1/members/ada", { method: "DELETE", key: p.admin })).status).toBe(200);
    await evictDurableObject(stub(p.programId, "ada"));
    const reply = await stub(p.programId, "ada").accrue(await ledgerCall(p.programId, "ada"), order("o-1", 5_000), stale);
    expect(reply).toMatchObject({ ok: false, error: { code: "member_not_found" } });
    const orders = await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE program_id = ? AND order_id = 'o-1'").bind(p.programId).first<number>("n");
    expect(orders).toBe(0);
  });
});
