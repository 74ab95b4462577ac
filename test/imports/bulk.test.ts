// New members of an import are created in one batch per chunk, not one object call each: visible through the API
// as any member, exact by the ledger's invariants, one member when the API enrolls the same id, nothing twice.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createNewMembers } from "../../src/imports/bulk";
import { ProgramSettingsSchema } from "../../src/ledger/settings";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { deliverPending, finished, jsonl, postImport } from "./support";

let p: TestProgram;
const tiers = [
  { name: "silver", threshold: 1000 },
  { name: "gold", threshold: 5000 },
];
const EARNED = "2026-06-01T00:00:00.000Z";

beforeAll(async () => {
  p = await createProgram({ tiers, expiry: { policy: "rolling", days: 365 } });
});

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  return Number(await env.DB.prepare(sql).bind(...binds).first<number>("n"));
}

describe("an import's new members, created in one batch per chunk", () => {
  it("are members like any other: profile, tier, balances, entries and history through the API", async () => {
    const lines = Array.from({ length: 120 }, (_, i) => ({
      memberId: `new-${i}`,
      email: `new${i}@example.com`,
      ...(i % 3 === 0 ? { tier: "silver" } : {}),
      lots: [
        { points: 100 + i, earnedAt: EARNED, expiresAt: "2099-01-01T00:00:00Z" },
        { points: 5, earnedAt: EARNED, availableAt: "2099-06-01T00:00:00Z" },
      ],
    }));
    const res = await postImport(p.admin, jsonl(lines), "jsonl");
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done).toMatchObject({ status: "completed", counts: { lines: 120, done: 120, failed: 0 } });

    const member = await call("/v1/members/new-3", { key: p.server });
    expect(member.status).toBe(200);
    expect(member.json).toMatchObject({ email: "new3@example.com", tier: "silver", balance: { available: 103, pending: 5 } });
    expect((await call("/v1/members/new-4", { key: p.server })).json.tier).toBeNull();
    const history = await call("/v1/members/new-3/transactions", { key: p.admin });
    expect(history.json.data.map((e: { type: string }) => e.type).sort()).toEqual(["adjust", "adjust", "tier"]);
    expect(await count("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id LIKE 'new-%'", p.programId)).toBe(120);
    expect(await count("SELECT COUNT(*) AS n FROM member_stats WHERE program_id = ? AND member_id LIKE 'new-%'", p.programId)).toBe(120);
    // The member's object, first run now, builds on what the batch wrote (the version trigger would refuse anything else).
    expect((await accrue(p.server, "new-3", 1000)).status).toBe(201);
    expect((await balance(p.server, "new-3")).available).toBeGreaterThan(103);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("are seen by an object that answered 'no such member' before the import", async () => {
    expect((await call("/v1/members/absent-1", { key: p.server })).status).toBe(404);
    expect((await call("/v1/members/absent-1/balance", { key: p.server })).status).toBe(404);
    const res = await postImport(p.admin, jsonl([{ memberId: "absent-1", lots: [{ points: 40, earnedAt: EARNED }] }]), "jsonl");
    await finished(p.admin, p.programId, res.json.id);
    expect((await balance(p.server, "absent-1")).available).toBe(40);
    // Enrolling the same id now finds the imported member rather than creating another.
    const again = await call("/v1/members/absent-1", { method: "PUT", key: p.server, body: { email: "absent@example.com" } });
    expect(again.status).toBe(200);
    expect(await count("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id = 'absent-1'", p.programId)).toBe(1);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("fail whole when the API enrolled one of them after the chunk was read; the objects then give one member each", async () => {
    const settings = ProgramSettingsSchema.parse({ tiers, expiry: { policy: "rolling", days: 365 } });
    const opening = (memberId: string, line: number) => [{ line, memberId, lots: [{ points: 30, earnedAt: EARNED, availableAt: EARNED, expiresAt: null }] }];
    // The chunk read race-1 and race-2 as absent; then the API enrolled race-1.
    await enroll(p.server, "race-1", { email: "race@example.com" });
    const outcome = await createNewMembers(env, {
      programId: p.programId,
      importId: "imp_race_direct",
      settings,
      closedThrough: null,
      lines: new Map([
        ["race-1", opening("race-1", 1)],
        ["race-2", opening("race-2", 2)],
      ]),
    });
    expect(outcome.outcome).toBe("conflict");
    // Nothing of the batch landed, not even the member who was not enrolled.
    expect(await count("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id = 'race-2'", p.programId)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM lots WHERE program_id = ? AND member_id IN ('race-1', 'race-2')", p.programId)).toBe(0);

    // Through the consumer, the chunk falls back to the objects: race-1 keeps its enrollment and gets its lot.
    const res = await postImport(p.admin, jsonl([{ memberId: "race-1", lots: [{ points: 30, earnedAt: EARNED }] }, { memberId: "race-2", lots: [{ points: 30, earnedAt: EARNED }] }]), "jsonl");
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done.counts).toMatchObject({ done: 2, failed: 0 });
    const race1 = await call("/v1/members/race-1", { key: p.server });
    expect(race1.json).toMatchObject({ email: "race@example.com", balance: { available: 30 } });
    expect((await balance(p.server, "race-2")).available).toBe(30);
    expect(await count("SELECT COUNT(*) AS n FROM members WHERE program_id = ? AND member_id LIKE 'race-%'", p.programId)).toBe(2);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("post nothing twice: the same file again, a finished chunk delivered again, the same lines written again", async () => {
    const file = jsonl([
      { memberId: "rerun-1", lots: [{ points: 11, earnedAt: EARNED }] },
      { memberId: "rerun-2", tier: "gold", lots: [{ points: 12, earnedAt: EARNED }] },
    ]);
    const first = await postImport(p.admin, file, "jsonl");
    await finished(p.admin, p.programId, first.json.id);
    const again = await postImport(p.admin, file, "jsonl");
    expect(again.json.id).toBe(first.json.id);
    // The chunk back as if its end had never been recorded: its lines are done, nothing is pending.
    await env.DB.prepare("UPDATE import_chunks SET status = 'pending' WHERE import_id = ?").bind(first.json.id).run();
    await env.DB.prepare("UPDATE imports SET status = 'running', finished_at = NULL WHERE id = ?").bind(first.json.id).run();
    await deliverPending(p.programId, first.json.id);
    expect((await finished(p.admin, p.programId, first.json.id)).status).toBe("completed");
    // The members' batch written again (a redelivery that read the lines before the first landed): refused whole.
    const settings = ProgramSettingsSchema.parse({ tiers, expiry: { policy: "rolling", days: 365 } });
    const replay = await createNewMembers(env, {
      programId: p.programId,
      importId: first.json.id,
      settings,
      closedThrough: null,
      lines: new Map([["rerun-1", [{ line: 1, memberId: "rerun-1", lots: [{ points: 11, earnedAt: EARNED, availableAt: EARNED, expiresAt: null }] }]]]),
    });
    expect(replay.outcome).toBe("conflict");
    expect((await balance(p.server, "rerun-1")).available).toBe(11);
    expect((await balance(p.server, "rerun-2")).available).toBe(12);
    expect(await count("SELECT COUNT(*) AS n FROM entries WHERE program_id = ? AND member_id LIKE 'rerun-%'", p.programId)).toBe(3);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
