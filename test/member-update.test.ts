// A member's batch updates only the columns that changed since the object read the row: the unit that
// decides which, and the row in D1 after writes that change some columns and leave the others alone.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { applyLotDeltas } from "../src/ledger/plan";
import type { MemberRecord, OpenLot, Plan } from "../src/ledger/state";
import { memberColumns, memberUpdate } from "../src/members/store";
import { accrue, call, createProgram, enroll, redeem } from "./helpers";
import { seeded } from "./random";

const ada: MemberRecord = {
  memberId: "ada",
  email: "ada@example.com",
  name: "Ada",
  attributes: { city: "London" },
  tier: null,
  qualifyingPoints: 100,
  lifetimeEarned: 100,
  debt: 0,
  version: 4,
  lastActivityAt: "2026-06-01T00:00:00.000Z",
  tierDowngradeAt: null,
  tierLockedUntil: null,
  enrolledAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-06-01T00:00:00.000Z",
  birthday: { month: 5, day: 17, year: null },
  marketingConsent: { granted: true, at: "2026-01-01T00:00:00.000Z", source: "checkout" },
};

describe("memberUpdate", () => {
  it("sets only what a redemption changes: the version, the dates it touches", () => {
    const after = { ...ada, version: 5, lastActivityAt: "2026-06-15T12:00:00.000Z", updatedAt: "2026-06-15T12:00:00.000Z" };
    expect(memberUpdate(after, ada)).toEqual({ version: 5, lastActivityAt: after.lastActivityAt, updatedAt: after.updatedAt });
  });

  it("sets the attributes when they differ, not when only their object is new", () => {
    const same = { ...ada, version: 5, attributes: { city: "London" } };
    expect(memberUpdate(same, ada)).toEqual({ version: 5 });
    const moved = { ...ada, version: 5, attributes: { city: "Paris" } };
    expect(memberUpdate(moved, ada)).toEqual({ version: 5, attributes: '{"city":"Paris"}' });
  });

  it("sets a cleared field, a debt paid, and a consent withdrawn", () => {
    const after: MemberRecord = { ...ada, version: 5, email: null, debt: 0, birthday: null, marketingConsent: { granted: false, at: "2026-06-15T12:00:00.000Z", source: "api" } };
    expect(memberUpdate(after, { ...ada, debt: 30 })).toEqual({
      version: 5,
      email: null,
      debt: 0,
      birthdayMonth: null,
      birthdayDay: null,
      marketingConsent: false,
      marketingConsentAt: "2026-06-15T12:00:00.000Z",
      marketingConsentSource: "api",
    });
  });

  it("sets every column when the record it was read as is unknown or of another version", () => {
    const after = { ...ada, version: 5 };
    expect(memberUpdate(after, null)).toEqual(memberColumns(after));
    expect(memberUpdate(after, undefined)).toEqual(memberColumns(after));
    expect(memberUpdate(after, { ...ada, version: 3 })).toEqual(memberColumns(after));
  });
});

describe("applyLotDeltas", () => {
  const lot = (id: string, remaining: number): OpenLot => ({
    id,
    partnerId: null,
    orderId: null,
    points: 50,
    remaining,
    earnedAt: "2026-01-01T00:00:00.000Z",
    availableAt: "2026-01-01T00:00:00.000Z",
    expiresAt: null,
  });

  /** Each delta applied in turn to a map of the lots, as the lots came: the meaning the one pass keeps. */
  function reference(lots: OpenLot[], deltas: Plan<unknown>["lotDeltas"], returned: OpenLot[]): OpenLot[] {
    const byId = new Map(lots.map((l) => [l.id, l]));
    for (const issue of returned) if (!byId.has(issue.id)) byId.set(issue.id, { ...issue, remaining: 0 });
    for (const { lotId, delta } of deltas) {
      const found = byId.get(lotId);
      if (found) byId.set(lotId, { ...found, remaining: found.remaining + delta });
    }
    return [...byId.values()].filter((l) => l.remaining > 0);
  }

  it("agrees with applying each delta in turn, for random lots, deltas and returned lots", () => {
    const random = seeded(0x2545f491);
    for (let round = 0; round < 400; round++) {
      const lots = Array.from({ length: random(10) }, (_, i) => lot(`l${i}`, 1 + random(20)));
      const returned = Array.from({ length: random(3) }, () => lot(`l${random(14)}`, 0));
      const deltas = Array.from({ length: random(5) }, () => ({ lotId: `l${random(14)}`, delta: random(30) - 15 }));
      expect([round, applyLotDeltas(lots, deltas, returned)]).toEqual([round, reference(lots, deltas, returned)]);
    }
  });

  it("keeps the lots no delta touches as they were, the same objects", () => {
    const lots = [lot("a", 5), lot("b", 7), lot("c", 9)];
    const next = applyLotDeltas(lots, [{ lotId: "b", delta: -7 }, { lotId: "c", delta: -1 }]);
    expect(next).toEqual([lot("a", 5), lot("c", 8)]);
    expect(next[0]).toBe(lots[0]);
  });
});

describe("the member's row after writes that set only what changed", () => {
  it("keeps the profile, consent and birthday through redemptions, and takes each change the writes make", async () => {
    const p = await createProgram();
    const profile = { email: "ada@example.com", name: "Ada", attributes: { city: "London" }, birthday: { month: 5, day: 17 }, marketingConsent: { granted: true, source: "checkout" } };
    await enroll(p.server, "ada", profile);
    expect((await accrue(p.server, "ada", 10_000)).status).toBe(201);
    expect((await redeem(p.server, "ada", 30, { mode: "capture" })).status).toBe(201);
    const hold = await redeem(p.server, "ada", 20, { mode: "hold" });
    expect(hold.status).toBe(201);
    expect((await call(`/v1/redemptions/${hold.json.id}/cancel`, { key: p.server, body: {} })).status).toBe(200);
    const row = async () =>
      env.DB.prepare("SELECT * FROM members WHERE program_id = ?1 AND member_id = 'ada'").bind(p.programId).first<Record<string, unknown>>();
    const read = await call("/v1/members/ada", { key: p.server });
    expect(await row()).toMatchObject({
      email: "ada@example.com",
      name: "Ada",
      attributes: '{"city":"London"}',
      birthday_month: 5,
      birthday_day: 17,
      marketing_consent: 1,
      marketing_consent_source: "checkout",
      lifetime_earned: read.json.balance.lifetimeEarned,
      version: 5,
    });
    // A change of one field: the others stay, and the next redemption writes over the new row.
    await enroll(p.server, "ada", { attributes: { city: "Paris" }, birthday: null });
    expect((await redeem(p.server, "ada", 5, { mode: "capture" })).status).toBe(201);
    const after = await row();
    expect(after).toMatchObject({ email: "ada@example.com", name: "Ada", attributes: '{"city":"Paris"}', birthday_month: null, marketing_consent: 1, version: 7 });
    const fresh = await call("/v1/members/ada", { key: p.server });
    expect(fresh.json).toMatchObject({ email: "ada@example.com", attributes: { city: "Paris" }, birthday: null });
    expect(fresh.json.balance.available).toBe(read.json.balance.available - 5);
  });
});
