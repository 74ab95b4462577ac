// Expiry and tier reviews written for many members in one D1 batch, around their objects (src/jobs/around.ts).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { expireDue, type ExpiryResult } from "../src/ledger/expiry-ops";
import { AROUND_CHUNK, commitAround, planAround, type AroundWork } from "../src/jobs/around";
import { SCHEDULED_LIMITS } from "../src/jobs/runner";
import type { JobContext } from "../src/jobs/support";
import { memberLedgerOf, memberObjectName, type LedgerCall } from "../src/members/member-ledger";
import { accrue, balance, createProgram, enroll, expectLedgerConsistent, foldPending } from "./helpers";
import { programRef, rows, runAt, seedLots } from "./job-helpers";

const EXPIRED = { earnedAt: "2025-01-01T00:00:00.000Z", expiresAt: "2025-06-01T00:00:00.000Z" };
const AFTER = "2025-06-02T00:00:00.000Z";

/** Whether the member's object has loaded the member (a call reads it from D1 first and keeps it). */
async function objectRan(programId: string, memberId: string): Promise<boolean> {
  const object = env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId));
  return runInDurableObject(object, (instance) => (instance as unknown as { cached: unknown }).cached !== null);
}

async function cachedTier(programId: string, memberId: string): Promise<string | null | undefined> {
  const object = env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId));
  return runInDurableObject(object, (instance) => (instance as unknown as { cached: { member: { tier: string | null } } | null }).cached?.member.tier);
}

async function epochOf(programId: string): Promise<number> {
  const [row] = await rows<{ cache_epoch: number }>("SELECT cache_epoch FROM programs WHERE id = ?", programId);
  return row!.cache_epoch;
}

/**
 * Everything an expiry writes, with the program's own id taken out of the
 * seeded lot ids, and random ids left out: two programs given the same
 * members compare equal when they were written alike.
 */
async function writtenByExpiry(programId: string) {
  await foldPending(programId);
  const strip = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(programId, "P"));
  const kpiTables = await rows<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kpi_%' AND name NOT IN ('kpi_pending', 'kpi_fold_cursors') ORDER BY name");
  const kpis: Record<string, unknown[]> = {};
  for (const { name } of kpiTables) {
    kpis[name] = (await rows<Record<string, unknown>>(`SELECT * FROM ${name} WHERE program_id = ?`, programId)).map(({ program_id: _, ...row }) => row);
    kpis[name].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return strip({
    members: await rows("SELECT member_id, version, tier, qualifying_points, lifetime_earned, last_activity_at, updated_at FROM members WHERE program_id = ? ORDER BY member_id", programId),
    lots: await rows("SELECT id, member_id, remaining, expired FROM lots WHERE program_id = ? ORDER BY id", programId),
    entries: await rows(
      "SELECT member_id, type, points, lot_id, details, occurred_at, settlement_period FROM entries WHERE program_id = ? AND type = 'expire' ORDER BY member_id, lot_id",
      programId,
    ),
    events: (await rows<{ member_id: string; type: string; payload: string }>("SELECT member_id, type, payload FROM outbox_events WHERE program_id = ? ORDER BY member_id, type", programId)).map(
      (e) => ({ member: e.member_id, type: e.type, payload: JSON.parse(e.payload) as unknown }),
    ),
    stats: (await rows<Record<string, unknown>>("SELECT * FROM member_stats WHERE program_id = ? ORDER BY member_id", programId)).map(({ program_id: _, ...row }) => row),
    kpis,
  });
}

/** The job's context as a scheduled run builds it (src/jobs/runner.ts). */
async function jobContext(programId: string, at: string): Promise<JobContext> {
  const program = await programRef(programId);
  return {
    db: database(env.DB),
    env,
    programId,
    settings: program.settings,
    now: new Date(at),
    trigger: "cron",
    budget: { ...SCHEDULED_LIMITS, deadline: Date.now() + 60_000, batchesUsed: 0, calls: { used: 0 } },
    tally: { done: 0, errors: 0, lastError: null },
  };
}

const expiry: AroundWork<ExpiryResult> = {
  plans: (state, ctx) => {
    const plan = expireDue(state, ctx);
    return plan ? [plan] : [];
  },
  items: (plans) => plans.reduce((sum, plan) => sum + plan.result.lots, 0),
};

describe("jobs written around the members' objects", () => {
  it("expires what the objects would expire, as they would write it, without running one", async () => {
    const settings = { expiry: { policy: "rolling" as const, days: 30 } };
    const around = await createProgram(settings);
    const byObjects = await createProgram(settings);
    // More members than one batch takes, so the chunks meet.
    const members = AROUND_CHUNK + 7;
    for (const p of [around, byObjects]) await seedLots(p.programId, { members, lotsEach: 3, points: 10, ...EXPIRED });

    const run = await runAt(around.programId, "expire-points", AFTER);
    expect(run).toMatchObject({ status: "done", itemsDone: members * 3, itemsLeft: 0, errors: 0 });
    const program = await programRef(byObjects.programId);
    for (let m = 0; m < members; m++) {
      const memberId = `m${String(m).padStart(4, "0")}`;
      const call: LedgerCall = { programId: program.id, memberId, settings: program.settings, partnerId: null, idempotency: null, now: Date.parse(AFTER), job: true };
      const reply = await memberLedgerOf(env, program.id, memberId).expirePoints(call);
      expect(reply).toMatchObject({ ok: true, value: { lots: 3, points: 30, more: false } });
    }

    for (let m = 0; m < members; m += 13) expect(await objectRan(around.programId, `m${String(m).padStart(4, "0")}`)).toBe(false);
    const written = await writtenByExpiry(around.programId);
    expect(written.entries).toHaveLength(members * 3);
    expect(written.events.filter((e: { type: string }) => e.type === "points.expired")).toHaveLength(members);
    expect(written).toEqual(await writtenByExpiry(byObjects.programId));
    // One step per batch that wrote around the objects.
    expect(await epochOf(around.programId)).toBe(Math.ceil(members / AROUND_CHUNK));
    expect(await epochOf(byObjects.programId)).toBe(0);
    await expectLedgerConsistent(around.programId);
  });

  it("lets an object that holds the member drop it: the next read shows the tier the job wrote", async () => {
    const p = await createProgram({
      tiers: [{ name: "silver", threshold: 100 }],
      tierQualification: { window: { type: "rolling", days: 365 } },
      maxBackdateDays: 3650,
    });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { occurredAt: "2025-03-01T00:00:00Z" });
    expect(await balance(p.server, "ada")).toMatchObject({ tier: "silver" });
    expect(await cachedTier(p.programId, "ada")).toBe("silver");

    expect(await runAt(p.programId, "recalculate-tiers", "2026-03-02T00:00:00Z")).toMatchObject({ status: "done", itemsDone: 1, errors: 0 });
    // The object still holds what it loaded: the job wrote in D1 alone.
    expect(await cachedTier(p.programId, "ada")).toBe("silver");
    expect(await epochOf(p.programId)).toBe(1);
    expect(await balance(p.server, "ada")).toMatchObject({ tier: null, qualifyingPoints: 0 });
    expect(await cachedTier(p.programId, "ada")).toBeNull();
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("writes nothing of a chunk in which a member changed after the read; the run's objects then do it", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 } });
    const memberIds = await seedLots(p.programId, { members: 4, lotsEach: 2, points: 10, ...EXPIRED });
    const ctx = await jobContext(p.programId, AFTER);
    const { planned, outcome } = await planAround(ctx, memberIds, expiry);
    expect(planned.map((m) => m.memberId)).toEqual(memberIds);
    // Another writer steps one member past the version the preload read.
    await env.DB.prepare("UPDATE members SET version = version + 1 WHERE program_id = ? AND member_id = ?").bind(p.programId, memberIds[2]).run();

    const committed = await commitAround(ctx, planned, outcome, expiry);
    expect(committed.done.size).toBe(0);
    expect(committed.viaObjects).toEqual(memberIds);
    expect(await rows("SELECT 1 FROM entries WHERE program_id = ? AND type = 'expire'", p.programId)).toEqual([]);
    expect(await rows("SELECT 1 FROM outbox_events WHERE program_id = ?", p.programId)).toEqual([]);
    expect(await epochOf(p.programId)).toBe(0);

    expect(await runAt(p.programId, "expire-points", AFTER)).toMatchObject({ status: "done", itemsDone: 8, itemsLeft: 0, errors: 0 });
    await expectLedgerConsistent(p.programId);
  });

  it("leaves to their objects the members whose state it cannot write as they would, in the same run", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 30 }, tiers: [{ name: "gold", threshold: 1000 }] });
    const memberIds = await seedLots(p.programId, { members: 3, lotsEach: 2, points: 10, ...EXPIRED });
    // A tier the program no longer has: the object places the member's tier before it expires anything.
    await env.DB.prepare("UPDATE members SET tier = 'retired', version = version + 1 WHERE program_id = ? AND member_id = ?").bind(p.programId, memberIds[1]).run();

    expect(await runAt(p.programId, "expire-points", AFTER)).toMatchObject({ status: "done", itemsDone: 6, itemsLeft: 0, errors: 0 });
    expect(await Promise.all(memberIds.map((id) => objectRan(p.programId, id)))).toEqual([false, true, false]);
    const tiers = await rows<{ member_id: string; tier: string | null }>("SELECT member_id, tier FROM members WHERE program_id = ? ORDER BY member_id", p.programId);
    expect(tiers.map((m) => m.tier)).toEqual([null, null, null]);
    expect(await rows("SELECT member_id FROM entries WHERE program_id = ? AND type = 'tier'", p.programId)).toEqual([{ member_id: memberIds[1] }]);
    await expectLedgerConsistent(p.programId);
  });
});
