// When the program's tiers change under its members: removed or renamed tiers, granted ones, tiers added below the points.
import { describe, expect, it } from "vitest";
import { accrue, balance, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";
import { entriesOf, events, runAt } from "./job-helpers";

const TIERS = [
  { name: "silver", threshold: 100, multiplierPercent: 120 },
  { name: "gold", threshold: 1000, multiplierPercent: 150 },
];

async function goldMember() {
  const p = await createProgram({ tiers: TIERS });
  await enroll(p.server, "ada");
  expect((await accrue(p.server, "ada", 200_000)).json.tierChange).toEqual({ from: null, to: "gold" });
  return p;
}

const setTiers = (key: string, tiers: unknown) => call("/v1/program", { method: "PATCH", key, body: { tiers } });

describe("a member whose tier the program removed", () => {
  it("is re-placed at once, on the next call, at the tier the points deserve, with a tier entry and event", async () => {
    const p = await goldMember();
    expect((await setTiers(p.admin, [TIERS[0], { name: "platinum", threshold: 5000, multiplierPercent: 200 }])).status).toBe(200);
    const b = await balance(p.server, "ada");
    expect(b).toMatchObject({ tier: "silver", nextTier: { name: "platinum", pointsNeeded: 5000 - b.qualifyingPoints } });
    expect((await entriesOf(p.programId, "tier", "ada")).map((e) => e.details)).toEqual([
      { from: null, to: "gold", reason: "upgrade" },
      { from: "gold", to: "silver", reason: "tier_removed" },
    ]);
    expect((await events(p.programId, "tier.changed")).map((e) => [e.from, e.to, e.reason])).toEqual([
      [null, "gold", "upgrade"],
      ["gold", "silver", "tier_removed"],
    ]);
    // Earns at silver's 120 %, not at 100 % for an unknown tier.
    expect((await accrue(p.server, "ada", 10_000)).json.points).toBe(120);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("moves to the renamed tier when the points still reach it", async () => {
    const p = await goldMember();
    expect((await setTiers(p.admin, [TIERS[0], { ...TIERS[1], name: "Gold" }])).status).toBe(200);
    const member = await call("/v1/members/ada", { key: p.server });
    expect(member.json).toMatchObject({ tier: "Gold", balance: { tier: "Gold", nextTier: null } });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("loses a tier granted by hand with the tier, grant and all", async () => {
    const p = await createProgram({ tiers: TIERS });
    await enroll(p.server, "ada");
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    expect((await call("/v1/members/ada/tier", { key: p.admin, body: { tier: "gold", until } })).status).toBe(200);
    expect((await setTiers(p.admin, [TIERS[0]])).status).toBe(200);
    expect(await balance(p.server, "ada")).toMatchObject({ tier: null, nextTier: { name: "silver", pointsNeeded: 100 } });
    const [, removed] = await entriesOf(p.programId, "tier", "ada");
    expect(removed!.details).toMatchObject({ from: "gold", to: null, reason: "tier_removed", grantUntil: until });
    // The grant is over: a tier the points reach is the member's at once.
    expect((await accrue(p.server, "ada", 10_000)).json.tierChange).toEqual({ from: null, to: "silver" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("is re-placed by the tier review too, also when the tier was granted until a later date", async () => {
    const p = await createProgram({ tiers: TIERS });
    await enroll(p.server, "ada");
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    expect((await call("/v1/members/ada/tier", { key: p.admin, body: { tier: "gold", until } })).status).toBe(200);
    expect((await setTiers(p.admin, [TIERS[0]])).status).toBe(200);
    await runAt(p.programId, "recalculate-tiers", Date.now());
    const [row] = (await entriesOf(p.programId, "tier", "ada")).slice(-1);
    expect(row!.details).toMatchObject({ from: "gold", to: null, reason: "tier_removed" });
    expect(await balance(p.server, "ada")).toMatchObject({ tier: null });
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("a member whose points reach a tier added or lowered later", () => {
  it("is placed in it at once and never shows a next tier with 0 points needed", async () => {
    const p = await createProgram({ tiers: [{ name: "gold", threshold: 5000 }] });
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 200_000);
    expect(await balance(p.server, "ada")).toMatchObject({ tier: null, nextTier: { name: "gold", pointsNeeded: 3000 } });
    expect((await setTiers(p.admin, [{ name: "bronze", threshold: 100 }, { name: "silver", threshold: 1000 }, { name: "gold", threshold: 5000 }])).status).toBe(200);
    expect(await balance(p.server, "ada")).toMatchObject({ tier: "silver", nextTier: { name: "gold", pointsNeeded: 3000 } });
    expect((await entriesOf(p.programId, "tier", "ada")).map((e) => e.details)).toEqual([{ from: null, to: "silver", reason: "upgrade" }]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
