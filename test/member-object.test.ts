// The member's Durable Object: serialization, hold lapses by alarm and by time, cache recovery.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { memberObjectName, type MemberLedger } from "../src/members/member-ledger";
import { ProgramSettingsSchema } from "../src/ledger/settings";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";

function stub(programId: string, memberId: string) {
  return env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId)) as unknown as DurableObjectStub & MemberLedger;
}

async function settingsOf(programId: string) {
  const row = await env.DB.prepare("SELECT settings FROM programs WHERE id = ?").bind(programId).first<{ settings: string }>();
  return ProgramSettingsSchema.parse(JSON.parse(row!.settings));
}

describe("replies", () => {
  it("answers in the ledger's terms: a value and whether it created something, or a refusal's code, detail and data", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const settings = await settingsOf(p.programId);
    const ledgerCall = { programId: p.programId, memberId: "ada", settings, partnerId: null, idempotency: null };
    const earned = await stub(p.programId, "ada").accrue(ledgerCall, {
      orderId: "o-1",
      amount: { amount: 1000, currency: "EUR" },
      channel: "online",
      occurredAt: new Date().toISOString(),
    });
    expect(earned).toMatchObject({ ok: true, created: true, replayed: false, value: { orderId: "o-1", points: 10 } });
    expect(earned).not.toHaveProperty("status");
    const refused = await stub(p.programId, "ada").redeem(ledgerCall, { mode: "capture", points: 50, channel: "online" });
    expect(refused).toEqual({
      ok: false,
      replayed: false,
      error: { code: "insufficient_points", detail: expect.any(String), data: { available: 10, requested: 50, shortfall: 40 } },
    });
    const read = await stub(p.programId, "ada").getBalance(ledgerCall);
    expect(read).toMatchObject({ ok: true, replayed: false, value: { available: 10 } });
    expect(read.ok && read.created).toBeFalsy();
  });
});

describe("serialization", () => {
  it("never lets two concurrent accruals read the same state", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const results = await Promise.all(Array.from({ length: 30 }, () => accrue(p.server, "ada", 1000)));
    // Each accrual saw every one committed before it: their running totals are 10, 20, ... 300, each once.
    const totals = results.map((r) => r.json.balance.lifetimeEarned).sort((x, y) => x - y);
    expect(totals).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 10));
    const version = await env.DB.prepare("SELECT version FROM members WHERE program_id = ? AND member_id = 'ada'").bind(p.programId).first();
    expect(version!.version).toBe(31);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses a batch built on stale state, then rebuilds it from D1", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    // A write around the object: D1 moves on, the object's cache does not know.
    await env.DB.prepare("UPDATE members SET version = version + 1, debt = 5 WHERE program_id = ? AND member_id = 'ada'").bind(p.programId).run();
    const res = await accrue(p.server, "ada", 1000);
    expect(res.status).toBe(201);
    // The rebuilt accrual paid the debt it could only have seen in D1.
    expect(res.json.debtPaid).toBe(5);
    expect(res.json.balance.debt).toBe(0);
  });

  it("cannot overdraw a lot even through a direct write: the schema refuses it", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 1000);
    await expect(
      env.DB.prepare("UPDATE lots SET remaining = remaining - 11 WHERE program_id = ?").bind(p.programId).run(),
    ).rejects.toThrow(/CHECK constraint failed/);
    await expect(
      env.DB.prepare("UPDATE members SET version = version + 2 WHERE program_id = ?").bind(p.programId).run(),
    ).rejects.toThrow(/stale_member_version/);
  });
});

describe("hold lapse", () => {
  it("sets an alarm for the hold's end", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const hold = await redeem(p.server, "ada", 40, { mode: "hold", ttlSeconds: 120 });
    const alarm = await runInDurableObject(stub(p.programId, "ada"), (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(hold.json.holdExpiresAt));
  });

  it("lapses a hold when its time runs out, returns the points, and refuses to capture it", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const hold = await redeem(p.server, "ada", 40, { mode: "hold", ttlSeconds: 60 });
    const later = Date.parse(hold.json.holdExpiresAt) + 1;
    const settings = await settingsOf(p.programId);
    const lapsed = await stub(p.programId, "ada").lapseHolds({ programId: p.programId, memberId: "ada", settings, partnerId: null, now: later });
    expect(lapsed).toEqual([hold.json.id]);
    expect(await balance(p.server, "ada")).toMatchObject({ available: 100, held: 0 });
    const capture = await call(`/v1/redemptions/${hold.json.id}/capture`, { key: p.server, method: "POST" });
    expect(capture.status).toBe(409);
    expect(capture.json).toMatchObject({ code: "redemption_not_capturable", status: 409, redemptionStatus: "lapsed" });
    const cancel = await call(`/v1/redemptions/${hold.json.id}/cancel`, { key: p.server, method: "POST" });
    expect(cancel.json.code).toBe("redemption_not_cancellable");
    const history = await call("/v1/members/ada/transactions", { key: p.server });
    expect(history.json.data.map((e: { type: string }) => e.type)).toEqual(["release", "hold", "earn"]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("lapses a due hold before any other operation sees the balance", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const hold = await redeem(p.server, "ada", 100, { mode: "hold", ttlSeconds: 60 });
    const settings = await settingsOf(p.programId);
    const later = Date.parse(hold.json.holdExpiresAt) + 1000;
    const reply = await stub(p.programId, "ada").redeem(
      { programId: p.programId, memberId: "ada", settings, partnerId: null, idempotency: null, now: later },
      { mode: "capture", points: 100, channel: "online" },
    );
    expect(reply.ok).toBe(true);
    const row = await env.DB.prepare("SELECT status FROM redemptions WHERE id = ?").bind(hold.json.id).first();
    expect(row!.status).toBe("lapsed");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("runs its alarm without harm when nothing is due", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    await redeem(p.server, "ada", 40, { mode: "hold", ttlSeconds: 600 });
    await runInDurableObject(stub(p.programId, "ada"), (instance) => (instance as unknown as MemberLedger).alarm());
    expect(await balance(p.server, "ada")).toMatchObject({ available: 60, held: 40 });
  });
});

describe("cache", () => {
  it("rebuilds the member's state from D1 after the object is evicted", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    await redeem(p.server, "ada", 30, { mode: "hold" });
    await evictDurableObject(stub(p.programId, "ada"));
    expect(await balance(p.server, "ada")).toMatchObject({ available: 70, held: 30 });
    await expectLedgerConsistent(p.programId, p.server);
  });
});
