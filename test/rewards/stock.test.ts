// Stock is never oversold: concurrent claims against a reward's own object, and crashes between reservation and commit.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { balance, call, createProgram, expectLedgerConsistent, type TestProgram } from "../helpers";
import { runAt } from "../job-helpers";
import { armCrash, memberLedger, type CrashStage } from "../reliability/support";
import { readReward } from "../../src/rewards/queries";
import { database } from "../../src/db/client";
import { RESERVATION_TTL_MS } from "../../src/rewards/stock-object";
import { claim, createReward, expectClaimsMatchRedemptions, fiveOff, memberWith } from "./support";

async function inventory(p: TestProgram, rewardId: string) {
  return (await call(`/v1/rewards/${rewardId}`, { key: p.admin })).json.inventory;
}

async function claimsOf(programId: string, rewardId: string) {
  return env.DB.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS codes FROM reward_claims WHERE program_id = ? AND reward_id = ?").bind(programId, rewardId).first<{ n: number; codes: number }>();
}

describe("200 members claim a reward with stock 50 at once", () => {
  it("issues exactly 50 coupons, refuses 150 cleanly, and loses no points", { timeout: 240_000 }, async () => {
    const p = await createProgram();
    const reward = await createReward(p, { ...fiveOff, costPoints: 100, stock: 50 });
    const members = Array.from({ length: 200 }, (_, i) => `rush-${i}`);
    for (let i = 0; i < members.length; i += 20) await Promise.all(members.slice(i, i + 20).map((m) => memberWith(p, m, 1000)));
    const answers = await Promise.all(members.map((m) => claim(p, m, reward.id)));
    const won = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(won).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(refused.every((a) => a.status === 422 && a.json.code === "reward_out_of_stock")).toBe(true);
    expect(await claimsOf(p.programId, reward.id)).toEqual({ n: 50, codes: 50 });
    expect(await inventory(p, reward.id)).toEqual({ stock: 50, left: 0, reserved: 0, claimed: 50 , freeCodes: null });
    const winners = new Set(won.map((a) => a.json.memberId));
    for (const m of members) expect((await balance(p.server, m)).available, m).toBe(winners.has(m) ? 900 : 1000);
    await expectLedgerConsistent(p.programId);
    expect(await expectClaimsMatchRedemptions(p.programId)).toBe(50);
  });
});

describe("a crash between the reservation and the member's commit", () => {
  const stages: { stage: CrashStage; committed: boolean }[] = [
    { stage: "before", committed: false },
    { stage: "landed", committed: true },
  ];

  it.each(stages)("crash $stage the batch: after the lapse, stock and points add up", async ({ stage, committed }) => {
    const p = await createProgram();
    const reward = await createReward(p, { ...fiveOff, costPoints: 100, stock: 3 });
    await memberWith(p, "crashed", 1000);
    await balance(p.server, "crashed");
    await armCrash(p.programId, "crashed", stage);
    const failed = await claim(p, "crashed", reward.id, { idempotencyKey: `crash-${stage}` });
    expect(failed.status).toBe(503);
    // The outcome was unknown to the route, so the unit stays reserved until reconcile decides.
    expect(await inventory(p, reward.id)).toMatchObject({ left: 2, reserved: 1, claimed: 0 });
    // Before the lapse the job leaves it alone.
    await runAt(p.programId, "reconcile-reward-stock", Date.now());
    expect(await inventory(p, reward.id)).toMatchObject({ reserved: 1 });
    const run = await runAt(p.programId, "reconcile-reward-stock", Date.now() + RESERVATION_TTL_MS + 1000);
    expect(run).toMatchObject({ status: "done", itemsDone: 1 });
    expect(await inventory(p, reward.id)).toMatchObject(committed ? { left: 2, reserved: 0, claimed: 1 } : { left: 3, reserved: 0, claimed: 0 });
    expect((await balance(p.server, "crashed")).available).toBe(committed ? 900 : 1000);
    expect((await claimsOf(p.programId, reward.id))!.n).toBe(committed ? 1 : 0);
    // Run again: nothing changes.
    expect(await runAt(p.programId, "reconcile-reward-stock", Date.now() + RESERVATION_TTL_MS + 2000)).toMatchObject({ itemsDone: 0 });
    // The client's retry with the same key replays what committed, or claims now; either way once.
    const retry = await claim(p, "crashed", reward.id, { idempotencyKey: `crash-${stage}` });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe(committed ? "true" : null);
    expect(await inventory(p, reward.id)).toMatchObject({ left: 2, reserved: 0, claimed: 1 });
    expect((await balance(p.server, "crashed")).available).toBe(900);
    await expectLedgerConsistent(p.programId, p.server);
    expect(await expectClaimsMatchRedemptions(p.programId)).toBe(1);
  });

  it("a retry right after a committed crash confirms the first reservation and gives back its own", async () => {
    const p = await createProgram();
    const reward = await createReward(p, { ...fiveOff, costPoints: 100, stock: 3 });
    await memberWith(p, "hasty", 1000);
    await balance(p.server, "hasty");
    await armCrash(p.programId, "hasty", "landed");
    expect((await claim(p, "hasty", reward.id, { idempotencyKey: "hasty" })).status).toBe(503);
    const retry = await claim(p, "hasty", reward.id, { idempotencyKey: "hasty" });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await inventory(p, reward.id)).toMatchObject({ left: 2, reserved: 0, claimed: 1 });
  });

  it("a reservation released after its lapse can never be committed by a batch still in flight", async () => {
    const p = await createProgram();
    const reward = await createReward(p, { ...fiveOff, costPoints: 100, stock: 1 });
    await memberWith(p, "late", 1000);
    const record = (await readReward(database(env.DB), p.programId, reward.id))!;
    // The stock object gave this reservation up: its tombstone is in D1.
    await env.DB.prepare("INSERT INTO reward_reservation_voids (reservation_id, program_id, reward_id, voided_at) VALUES (?, ?, ?, ?)")
      .bind("rsv_given_up", p.programId, reward.id, new Date().toISOString())
      .run();
    const settings = (await call("/v1/program", { key: p.admin })).json.settings;
    const reply = await memberLedger(p.programId, "late").claimReward(
      { programId: p.programId, memberId: "late", settings, partnerId: null, idempotency: null },
      { reward: record, claimId: "clm_late", reservationId: "rsv_given_up", code: "LATECODE000000", codeSource: "generated", activePlans: [] },
    );
    expect(reply).toMatchObject({ ok: false, error: { code: "reward_reservation_lapsed" } });
    expect((await balance(p.server, "late")).available).toBe(1000);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
