// Retention: the erase-inactive job erases members idle for privacy.retentionYears, by the same path as DELETE, and twice is once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll } from "../helpers";
import { events, runAt } from "../job-helpers";
import { retentionCutoff } from "../../src/privacy/retention";
import { claim, createReward, fiveOff } from "../rewards/support";

const YEAR = 365 * 86_400_000;

async function idleSince(programId: string, memberId: string, at: string) {
  await env.DB.prepare("UPDATE members SET last_activity_at = ? WHERE program_id = ? AND member_id = ?").bind(at, programId, memberId).run();
}

describe("retentionCutoff", () => {
  it("goes back whole calendar years, and keeps members without a setting", () => {
    expect(retentionCutoff(new Date("2026-03-01T10:00:00.000Z"), 3)).toBe("2023-03-01T10:00:00.000Z");
    expect(retentionCutoff(new Date("2026-03-01T10:00:00.000Z"), null)).toBeNull();
  });
});

describe("erase-inactive", () => {
  it("erases the idle members only, leaves one with an unused coupon, and a second run changes nothing", async () => {
    const p = await createProgram({ privacy: { retentionYears: 2 } });
    const old = new Date(Date.now() - 3 * YEAR).toISOString();
    for (const id of ["idle-1", "idle-2", "recent", "coupon-holder"]) {
      await enroll(p.server, id, { email: `${id}@example.com`, name: id });
      expect((await accrue(p.server, id, 100_000)).status).toBe(201);
    }
    const reward = await createReward(p, fiveOff);
    expect((await claim(p, "coupon-holder", reward.id)).status).toBe(201);
    for (const id of ["idle-1", "idle-2", "coupon-holder"]) await idleSince(p.programId, id, old);
    const lots = await env.DB.prepare("SELECT sum(remaining) AS n FROM lots WHERE program_id = ?").bind(p.programId).first<{ n: number }>();

    await runAt(p.programId, "erase-inactive", Date.now(), { batchSize: 1 });
    const erased = async () =>
      (await env.DB.prepare("SELECT member_id FROM members WHERE program_id = ? AND erased_at IS NOT NULL ORDER BY member_id").bind(p.programId).all<{ member_id: string }>()).results.map((r) => r.member_id);
    expect(await erased()).toEqual(["idle-1", "idle-2"]);
    expect((await call("/v1/members/idle-1", { key: p.server })).status).toBe(404);
    expect((await call("/v1/members/recent", { key: p.server })).json.email).toBe("recent@example.com");
    expect((await call("/v1/members/coupon-holder", { key: p.server })).json.email).toBe("coupon-holder@example.com");

    await runAt(p.programId, "erase-inactive", Date.now());
    expect(await erased()).toEqual(["idle-1", "idle-2"]);
    expect((await events(p.programId, "member.erased")).map((e) => e.memberId)).toEqual(["idle-1", "idle-2"]);
    expect(await env.DB.prepare("SELECT sum(remaining) AS n FROM lots WHERE program_id = ?").bind(p.programId).first<{ n: number }>()).toEqual(lots);
  });

  it("does nothing for a program without retention", async () => {
    const p = await createProgram();
    await enroll(p.server, "kept", { email: "kept@example.com" });
    await idleSince(p.programId, "kept", new Date(Date.now() - 30 * YEAR).toISOString());
    await runAt(p.programId, "erase-inactive", Date.now());
    expect((await call("/v1/members/kept", { key: p.server })).status).toBe(200);
  });
});

describe("jobs after an erasure", () => {
  it("still expire an erased member's pseudonymous points, without an error", async () => {
    const p = await createProgram({ expiry: { policy: "rolling", days: 365 } });
    await enroll(p.server, "gone", { email: "gone@example.com" });
    expect((await accrue(p.server, "gone", 10_000)).status).toBe(201);
    expect((await call("/v1/members/gone", { method: "DELETE", key: p.admin })).status).toBe(200);
    const run = await runAt(p.programId, "expire-points", Date.now() + 2 * YEAR);
    expect(run).toMatchObject({ errors: 0 });
    const left = await env.DB.prepare("SELECT sum(remaining) AS n FROM lots WHERE program_id = ?").bind(p.programId).first<{ n: number }>();
    expect(left!.n).toBe(0);
    expect((await call("/v1/members/gone", { key: p.server })).status).toBe(404);
  });
});
