// A member's object is sent the program's settings as their JSON text, parses a text once and keeps it: a
// changed text is the new settings at once, and a call with parsed settings still works as before.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { memberObjectName, type MemberLedger } from "../src/members/member-ledger";
import { readSettings } from "../src/ledger/settings";
import { accrue, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";

function stub(programId: string, memberId: string) {
  return env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId)) as unknown as DurableObjectStub & MemberLedger;
}

const order = (orderId: string, amount: number) => ({ orderId, amount: { amount, currency: "EUR" }, channel: "online" as const, occurredAt: new Date().toISOString() });

describe("settings sent as text", () => {
  it("values each accrual by the settings text it was sent with, whichever the object held before", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const row = await env.DB.prepare("SELECT settings FROM programs WHERE id = ?").bind(p.programId).first<{ settings: string }>();
    const { settings, settingsText } = readSettings(row!.settings);
    const base = { programId: p.programId, memberId: "ada", partnerId: null, idempotency: null };
    const doubled = JSON.stringify({ ...settings, earnRate: { points: settings.earnRate.points * 2, perAmount: settings.earnRate.perAmount } });
    const ledger = stub(p.programId, "ada");

    const first = await ledger.accrue({ ...base, settingsText }, order("o-1", 10_000));
    const second = await ledger.accrue({ ...base, settingsText: doubled }, order("o-2", 10_000));
    // Parsed settings are used as sent, whatever text the object holds.
    const third = await ledger.accrue({ ...base, settings }, order("o-3", 10_000));
    const fourth = await ledger.accrue({ ...base, settingsText: doubled }, order("o-4", 10_000));
    const points = [first, second, third, fourth].map((reply) => (reply.ok ? reply.value.points : reply.error.code));
    expect(points).toEqual([100, 200, 100, 200]);
    const balance = await ledger.getBalance({ ...base, settingsText });
    expect(balance.ok && balance.value.available).toBe(600);
  });

  it("values the next accrual by the new settings after a PATCH, through the API", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 10_000, { orderId: "before" })).json.points).toBe(100);
    const patched = await call("/v1/program", { method: "PATCH", key: p.admin, body: { earnRate: { points: 3, perAmount: 100 } } });
    expect(patched.status).toBe(200);
    expect((await accrue(p.server, "ada", 10_000, { orderId: "after" })).json.points).toBe(300);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
