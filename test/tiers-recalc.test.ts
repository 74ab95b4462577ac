// Tier recalculation by the job (windows, grace, downgrades) and tiers granted by hand, at injected times (UTC).
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent, type Settings } from "./helpers";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { runJob } from "../src/jobs/runner";
import { memberObjectName, type MemberLedger } from "../src/members/member-ledger";
import { entriesOf, events, ledgerSnapshot, programRef, rows, runAt, seedLots } from "./job-helpers";

const TIERS = [
  { name: "silver", threshold: 100 },
  { name: "gold", threshold: 1000 },
];

async function memberTier(programId: string, memberId: string) {
  const [row] = await rows<{ tier: string | null; tier_downgrade_at: string | null; qualifying_points: number }>(
    "SELECT tier, tier_downgrade_at, qualifying_points FROM members WHERE program_id = ? AND member_id = ?",
    programId,
    memberId,
  );
  return row!;
}

async function programWith(tierQualification: Settings["tierQualification"]) {
  // The scenarios are dated from 2025 on, older than the default window lets in.
  const p = await createProgram({ tiers: TIERS, tierQualification, maxBackdateDays: 3650 });
  await enroll(p.server, "ada");
  return p;
}

describe("tier recalculation", () => {
  it("downgrades at once when points fall out of a rolling window and there is no grace", async () => {
    const p = await programWith({ window: { type: "rolling", days: 365 } });
    const earned = await accrue(p.server, "ada", 10_000, { occurredAt: "2025-03-01T00:00:00Z" });
    expect(earned.json.tierChange).toEqual({ from: null, to: "silver" });

    await runAt(p.programId, "recalculate-tiers", "2026-02-28T23:59:59Z");
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: "silver", qualifying_points: 100 });

    const run = await runAt(p.programId, "recalculate-tiers", "2026-03-01T00:00:01Z");
    expect(run).toMatchObject({ status: "done", itemsDone: 1, errors: 0 });
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: null, tier_downgrade_at: null, qualifying_points: 0 });
    const tierEntries = await entriesOf(p.programId, "tier");
    expect(tierEntries.map((e) => e.details)).toEqual([
      { from: null, to: "silver", reason: "upgrade" },
      { from: "silver", to: null, reason: "downgrade" },
    ]);
    expect(await events(p.programId, "tier.changed")).toEqual([
      expect.objectContaining({ memberId: "ada", from: null, to: "silver", reason: "upgrade" }),
      expect.objectContaining({ memberId: "ada", from: "silver", to: null, reason: "downgrade" }),
    ]);
    expect(await balance(p.server, "ada")).toMatchObject({ tier: null, qualifyingPoints: 0 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("keeps the tier through a grace period in days, then downgrades", async () => {
    const p = await programWith({ window: { type: "rolling", days: 365 }, grace: { policy: "days", days: 30 } });
    await accrue(p.server, "ada", 10_000, { occurredAt: "2025-03-01T00:00:00Z" });

    await runAt(p.programId, "recalculate-tiers", "2026-03-02T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: "silver", tier_downgrade_at: "2026-04-01T00:00:00.000Z", qualifying_points: 0 });
    await runAt(p.programId, "recalculate-tiers", "2026-03-31T23:59:59Z");
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    await runAt(p.programId, "recalculate-tiers", "2026-04-01T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: null, tier_downgrade_at: null, qualifying_points: 0 });
    expect((await entriesOf(p.programId, "tier")).map((e) => e.details.reason)).toEqual(["upgrade", "downgrade"]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("cancels a pending downgrade when the member qualifies again within the grace", async () => {
    const p = await programWith({ window: { type: "rolling", days: 365 }, grace: { policy: "days", days: 30 } });
    await accrue(p.server, "ada", 10_000, { occurredAt: "2025-03-01T00:00:00Z" });
    await runAt(p.programId, "recalculate-tiers", "2026-03-02T00:00:00Z");
    expect((await memberTier(p.programId, "ada")).tier_downgrade_at).not.toBeNull();

    await accrue(p.server, "ada", 10_000, { occurredAt: "2026-03-10T00:00:00Z" });
    await runAt(p.programId, "recalculate-tiers", "2026-03-15T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: "silver", tier_downgrade_at: null, qualifying_points: 100 });
    await runAt(p.programId, "recalculate-tiers", "2026-04-02T00:00:00Z");
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("goes down one tier per grace period when the program says one_step", async () => {
    const p = await programWith({ window: { type: "rolling", days: 365 }, grace: { policy: "days", days: 10 }, downgrade: "one_step" });
    await accrue(p.server, "ada", 100_000, { occurredAt: "2025-03-01T00:00:00Z" });
    expect((await memberTier(p.programId, "ada")).tier).toBe("gold");

    await runAt(p.programId, "recalculate-tiers", "2026-03-02T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: "gold", tier_downgrade_at: "2026-03-12T00:00:00.000Z" });
    await runAt(p.programId, "recalculate-tiers", "2026-03-12T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: "silver", tier_downgrade_at: "2026-03-22T00:00:00.000Z" });
    await runAt(p.programId, "recalculate-tiers", "2026-03-22T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: null, tier_downgrade_at: null });
    expect((await events(p.programId, "tier.changed")).map((e) => [e.from, e.to])).toEqual([
      [null, "gold"],
      ["gold", "silver"],
      ["silver", null],
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("counts the calendar year: qualifying restarts on 1 January UTC, the tier holds to the end of that year", async () => {
    const p = await programWith({ window: { type: "calendar_year" }, grace: { policy: "period_end", period: "year", plusPeriods: 0 } });
    await accrue(p.server, "ada", 10_000, { occurredAt: "2025-12-31T23:59:59Z" });

    await runAt(p.programId, "recalculate-tiers", "2025-12-31T23:59:59.500Z");
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: "silver", tier_downgrade_at: null, qualifying_points: 100 });
    await runAt(p.programId, "recalculate-tiers", "2026-01-01T00:00:00Z");
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: "silver", tier_downgrade_at: "2027-01-01T00:00:00.000Z", qualifying_points: 0 });
    await runAt(p.programId, "recalculate-tiers", "2026-12-31T23:59:59Z");
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    await runAt(p.programId, "recalculate-tiers", "2027-01-01T00:00:00Z");
    expect((await memberTier(p.programId, "ada")).tier).toBeNull();
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("qualifies by spend when the program says so, refunds included", async () => {
    const p = await createProgram({ tiers: [{ name: "silver", threshold: 5_000 }], tierQualification: { basis: "spend", window: { type: "rolling", days: 365 } } });
    await enroll(p.server, "ada");
    const earned = await accrue(p.server, "ada", 6_000, { orderId: "o-1", occurredAt: "2026-06-01T00:00:00Z" });
    expect(earned.json).toMatchObject({ points: 60, tierChange: { from: null, to: "silver" } });
    expect(earned.json.balance.qualifyingPoints).toBe(6_000);
    const refunded = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-1", amount: { amount: 2_000, currency: "EUR" } } });
    expect(refunded.status).toBe(201);
    expect(refunded.json.balance).toMatchObject({ qualifyingPoints: 4_000, tier: "silver" });

    await runAt(p.programId, "recalculate-tiers", Date.now() + 60_000);
    expect(await memberTier(p.programId, "ada")).toEqual({ tier: null, tier_downgrade_at: null, qualifying_points: 4_000 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("by default (lifetime points, no grace) downgrades only at the review after a refund, never at the refund", async () => {
    const p = await createProgram({ tiers: TIERS });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000, { orderId: "o-1" });
    const refunded = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-1", amount: { amount: 5_000, currency: "EUR" } } });
    expect(refunded.json.balance).toMatchObject({ tier: "silver", qualifyingPoints: 50 });

    await runAt(p.programId, "recalculate-tiers", Date.now() + 60_000);
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: null, qualifying_points: 50 });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("reviews each member once a day: a second run that day changes nothing", async () => {
    const p = await programWith({ window: { type: "rolling", days: 30 } });
    await accrue(p.server, "ada", 10_000, { occurredAt: "2026-01-01T00:00:00Z" });
    expect((await runAt(p.programId, "recalculate-tiers", "2026-03-01T06:00:00Z")).itemsDone).toBe(1);
    const before = await ledgerSnapshot(p.programId);
    const again = await runAt(p.programId, "recalculate-tiers", "2026-03-01T18:00:00Z");
    expect(again).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
    expect(await ledgerSnapshot(p.programId)).toEqual(before);
  });
});

describe("which members the pass calls", () => {
  const settings = { tiers: TIERS, tierQualification: { window: { type: "rolling" as const, days: 30 } } };
  const AT = "2026-03-01T00:00:00.000Z";

  /** Whether the member's object has loaded the member: a call to it reads the member from D1 first and keeps it. */
  async function objectRan(programId: string, memberId: string): Promise<boolean> {
    const object = env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId));
    return runInDurableObject(object, (instance) => (instance as unknown as { cached: unknown }).cached !== null);
  }

  it("judges every member from D1 and writes the changes around the objects: none runs, a changed row steps its version once", async () => {
    const p = await createProgram(settings);
    // Silver on points inside the window (nothing changes) and silver on points that have left it (a downgrade).
    await seedLots(p.programId, { members: 3, lotsEach: 1, points: 200, earnedAt: "2026-02-20T00:00:00.000Z", expiresAt: null, prefix: "stay" });
    await seedLots(p.programId, { members: 2, lotsEach: 1, points: 200, earnedAt: "2025-06-01T00:00:00.000Z", expiresAt: null, prefix: "drop" });
    await env.DB.prepare("UPDATE members SET tier = 'silver', version = version + 1 WHERE program_id = ?").bind(p.programId).run();
    const before = await rows<{ member_id: string; version: number }>("SELECT member_id, version FROM members WHERE program_id = ? ORDER BY member_id", p.programId);

    expect(await runAt(p.programId, "recalculate-tiers", AT)).toMatchObject({ status: "done", itemsDone: 5, errors: 0 });
    const after = await rows<{ member_id: string; version: number; tier: string | null }>(
      "SELECT member_id, version, tier FROM members WHERE program_id = ? ORDER BY member_id",
      p.programId,
    );
    expect(after.map((m) => [m.member_id, m.tier, m.version - before.find((b) => b.member_id === m.member_id)!.version])).toEqual([
      ["drop0000", null, 1],
      ["drop0001", null, 1],
      ["stay0000", "silver", 0],
      ["stay0001", "silver", 0],
      ["stay0002", "silver", 0],
    ]);
    for (const m of after) expect(await objectRan(p.programId, m.member_id), m.member_id).toBe(false);
    await expectLedgerConsistent(p.programId);
  });

  it("lets the object read the total itself when the member changed after the job read it", async () => {
    const p = await programWith({ window: { type: "rolling", days: 30 } });
    await accrue(p.server, "ada", 10_000);
    const version = (await rows<{ version: number }>("SELECT version FROM members WHERE program_id = ? AND member_id = 'ada'", p.programId))[0]!.version;
    const object = env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "ada")) as unknown as MemberLedger;
    const call = { programId: p.programId, memberId: "ada", settings: (await programRef(p.programId)).settings, partnerId: null, idempotency: null };
    // A reading taken before the last accrual says nothing qualifies: the object holds a later version and reads the window itself.
    const stale = await object.reviewTier(call, { version: version - 1, windowQualifying: 0 });
    expect(stale).toMatchObject({ ok: true, value: { change: null } });
    expect(await memberTier(p.programId, "ada")).toMatchObject({ tier: "silver", qualifying_points: 100 });
    // At the version it holds, the reading is the window's total as of that version.
    const current = await object.reviewTier(call, { version, windowQualifying: 100 });
    expect(current).toMatchObject({ ok: true, value: { change: null } });
    expect((await rows<{ version: number }>("SELECT version FROM members WHERE program_id = ? AND member_id = 'ada'", p.programId))[0]!.version).toBe(version);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("tier review run by hand", () => {
  const THREE = [{ name: "bronze", threshold: 10 }, ...TIERS];
  const manualAt = async (programId: string, at: string) => runJob(env, "recalculate-tiers", await programRef(programId), { now: Date.parse(at), trigger: "manual" });

  async function oneStepGold() {
    const p = await createProgram({ tiers: THREE, tierQualification: { window: { type: "rolling", days: 30 }, downgrade: "one_step" } });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 100_000, { occurredAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    expect((await memberTier(p.programId, "ada")).tier).toBe("gold");
    return p;
  }

  it("moves a member one step down once per review date, however often it is run that day", async () => {
    const p = await oneStepGold();
    const today = new Date().toISOString().slice(0, 10);
    await manualAt(p.programId, `${today}T23:00:00Z`);
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    await manualAt(p.programId, `${today}T23:00:00Z`);
    await manualAt(p.programId, `${today}T23:30:00Z`);
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    expect((await events(p.programId, "tier.changed")).map((e) => [e.from, e.to])).toEqual([
      [null, "gold"],
      ["gold", "silver"],
    ]);
    // The next review date takes the next step.
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await manualAt(p.programId, `${tomorrow}T00:00:00Z`);
    expect((await memberTier(p.programId, "ada")).tier).toBe("bronze");
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("takes one step when two runs overlap", async () => {
    const p = await oneStepGold();
    const at = new Date().toISOString();
    await Promise.all([manualAt(p.programId, at), manualAt(p.programId, at), runAt(p.programId, "recalculate-tiers", at)]);
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    expect((await entriesOf(p.programId, "tier")).map((e) => e.details.to)).toEqual(["gold", "silver"]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("setTier", () => {
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  it("keeps a tier granted by hand until its date, then gives way to the deserved tier", async () => {
    const p = await programWith({ window: { type: "rolling", days: 365 } });
    await accrue(p.server, "ada", 10_000);
    const until = inDays(30);
    const granted = await call("/v1/members/ada/tier", { key: p.admin, body: { tier: "gold", until, reason: "Paid membership" } });
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({ memberId: "ada", tier: "gold", tierLockedUntil: until, change: { from: "silver", to: "gold", reason: "grant" } });
    expect(granted.json.balance.tier).toBe("gold");

    await runAt(p.programId, "recalculate-tiers", Date.parse(until) - 1);
    expect((await memberTier(p.programId, "ada")).tier).toBe("gold");
    await runAt(p.programId, "recalculate-tiers", Date.parse(until) + 86_400_000);
    expect((await memberTier(p.programId, "ada")).tier).toBe("silver");
    expect((await entriesOf(p.programId, "tier")).map((e) => [e.details.from, e.details.to, e.details.reason])).toEqual([
      [null, "silver", "upgrade"],
      ["silver", "gold", "grant"],
      ["gold", "silver", "grant_ended"],
    ]);
    expect((await events(p.programId, "tier.changed")).at(-1)).toMatchObject({ from: "gold", to: "silver", reason: "grant_ended" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("replays a retry with the same Idempotency-Key", async () => {
    const p = await programWith({});
    const body = { tier: "silver", until: inDays(10) };
    const first = await call("/v1/members/ada/tier", { key: p.server, body, idempotencyKey: "grant-1" });
    const retry = await call("/v1/members/ada/tier", { key: p.server, body, idempotencyKey: "grant-1" });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await entriesOf(p.programId, "tier")).toHaveLength(1);
  });

  it.each([
    ["an unknown tier", { tier: "platinum" }, 422, "unknown_tier"],
    ["a date in the past", { tier: "gold", until: "2020-01-01T00:00:00Z" }, 400, "validation_failed"],
    ["a body without tier", { until: "2030-01-01T00:00:00Z" }, 400, "validation_failed"],
  ])("refuses %s", async (_name, body, status, code) => {
    const p = await programWith({});
    const res = await call("/v1/members/ada/tier", { key: p.admin, body });
    expect(res.status).toBe(status);
    expect(res.json.code).toBe(code);
    expect(await entriesOf(p.programId, "tier")).toEqual([]);
  });

  it("is for admin and server keys, on members of the key's program", async () => {
    const p = await programWith({});
    const other = await createProgram({ tiers: TIERS });
    expect((await call("/v1/members/ada/tier", { key: p.partner, body: { tier: "gold" } })).status).toBe(403);
    expect((await call("/v1/members/ada/tier", { key: other.admin, body: { tier: "gold" } })).json.code).toBe("member_not_found");
    expect((await call("/v1/members/ada/tier", { key: p.server, body: { tier: "gold" } })).json.tier).toBe("gold");
  });
});
