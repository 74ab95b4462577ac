// An import that crashes mid-file resumes where it stopped: the member's object dies with its batch landed, the chunk comes back, nothing posts twice.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ProgramSettingsSchema } from "../../src/ledger/settings";
import { balance, createProgram, expectLedgerConsistent, type TestProgram } from "../helpers";
import { armCrash, memberLedger } from "../reliability/support";
import { deliverPending, finished, jsonl, postImport } from "./support";

let p: TestProgram;
const EARNED = "2026-06-01T00:00:00.000Z";

beforeAll(async () => {
  p = await createProgram({});
});

async function lotsOf(memberId: string) {
  return env.DB.prepare("SELECT COUNT(*) AS n FROM lots WHERE program_id = ? AND member_id = ?").bind(p.programId, memberId).first<number>("n");
}

describe("an import crashed mid-file", () => {
  it("resumes after the member's object dies with its batch landed, and posts each line once", async () => {
    const members = ["crash-a", "crash-b", "crash-c"];
    // crash-b exists, so its object is live and can be armed; its batch lands, then the object dies before it answers.
    await memberLedger(p.programId, "crash-b").enroll({ programId: p.programId, memberId: "crash-b", settings: ProgramSettingsSchema.parse({}), partnerId: null, idempotency: null }, {});
    await armCrash(p.programId, "crash-b", "landed");
    const res = await postImport(p.admin, jsonl(members.map((m) => ({ memberId: m, lots: [{ points: 10, earnedAt: EARNED }, { points: 5, earnedAt: EARNED }] }))), "jsonl");
    expect(res.status).toBe(202);
    await deliverPending(p.programId, res.json.id);
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done).toMatchObject({ status: "completed", counts: { lines: 3, done: 3, failed: 0 } });
    for (const m of members) {
      expect(await lotsOf(m), m).toBe(2);
      expect((await balance(p.server, m)).available, m).toBe(15);
    }
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("posts nothing when a finished chunk is delivered again, or the member's lines are sent to its object again", async () => {
    const res = await postImport(p.admin, jsonl([{ memberId: "again-a", lots: [{ points: 7, earnedAt: EARNED }] }]), "jsonl");
    await finished(p.admin, p.programId, res.json.id);
    // Put the chunk back as if its end had never been recorded: the lines are done, so nothing is pending.
    await env.DB.prepare("UPDATE import_chunks SET status = 'pending' WHERE import_id = ?").bind(res.json.id).run();
    await env.DB.prepare("UPDATE imports SET status = 'running', finished_at = NULL WHERE id = ?").bind(res.json.id).run();
    await deliverPending(p.programId, res.json.id);
    expect((await finished(p.admin, p.programId, res.json.id)).status).toBe("completed");
    const settings = ProgramSettingsSchema.parse({});
    const reply = await memberLedger(p.programId, "again-a").importMember(
      { programId: p.programId, memberId: "again-a", settings, partnerId: null, idempotency: null },
      { importId: res.json.id, lines: [{ line: 1, memberId: "again-a", lots: [{ points: 7, earnedAt: EARNED, availableAt: EARNED, expiresAt: null }] }] },
    );
    expect(reply).toMatchObject({ ok: true, value: { applied: [] } });
    expect(await lotsOf("again-a")).toBe(1);
    expect((await balance(p.server, "again-a")).available).toBe(7);
  });
});
