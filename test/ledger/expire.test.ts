// expireDue and warnExpiring as plans: one expire entry per lot with its issuer and date, the event, and what stays.
import { describe, expect, it } from "vitest";
import { expireDue, warnExpiring } from "../../src/ledger/expiry-ops";
import { context, EARLIER, lot, member, NOW, redemption, state, taken } from "./build";

const rolling = { expiry: { policy: "rolling" as const, days: 365 } };

describe("expireDue", () => {
  it("expires each lot past its date, at that date, one entry per lot naming its issuer", () => {
    const s = state({
      lots: [
        lot("later", 7, { expiresAt: "2026-04-01T00:00:00.000Z" }),
        lot("now", 5, { expiresAt: NOW }),
        lot("past", 10, { expiresAt: "2026-03-01T00:00:00.000Z", partnerId: "ptr_1", orderId: "o-p" }),
        lot("never", 3),
      ],
    });
    const plan = expireDue(s, context({ settings: rolling }))!;
    expect(plan.result).toEqual({ lots: 2, points: 15, more: false });
    expect(plan.lotDeltas).toEqual([
      { lotId: "past", delta: -10, expired: 10 },
      { lotId: "now", delta: -5, expired: 5 },
    ]);
    expect(plan.entries).toEqual([
      {
        id: "ent_1",
        type: "expire",
        points: -10,
        heldPoints: 0,
        lotId: "past",
        orderId: "o-p",
        redemptionId: null,
        partnerId: "ptr_1",
        channel: null,
        details: { reason: "lot_expired", earnedAt: EARLIER, expiresAt: "2026-03-01T00:00:00.000Z" },
        occurredAt: "2026-03-01T00:00:00.000Z",
        settlementPeriod: null,
        createdAt: NOW,
      },
      expect.objectContaining({ id: "ent_2", type: "expire", points: -5, lotId: "now", partnerId: null, occurredAt: NOW }),
    ]);
    expect(plan.events).toEqual([
      {
        id: "evt_1",
        type: "points.expired",
        partnerId: null,
        payload: {
          memberId: "ada",
          points: 15,
          lots: [
            { lotId: "past", points: 10, expiredAt: "2026-03-01T00:00:00.000Z", partnerId: "ptr_1" },
            { lotId: "now", points: 5, expiredAt: NOW, partnerId: null },
          ],
          occurredAt: NOW,
        },
      },
    ]);
    // Expiring is not activity.
    expect(plan.member).toMatchObject({ version: 4, lastActivityAt: EARLIER });
    expect(plan.nextState.lots.map((l) => l.id)).toEqual(["later", "never"]);
  });

  it("under the inactivity policy expires every open lot at the idle deadline, lots with their own earlier date at that date", () => {
    const s = state({
      member: member({ lastActivityAt: "2026-02-01T00:00:00.000Z" }),
      lots: [lot("b", 5), lot("a", 10, { availableAt: "2026-04-01T00:00:00.000Z" }), lot("dated", 2, { expiresAt: "2026-02-15T00:00:00.000Z" })],
    });
    const plan = expireDue(s, context({ settings: { expiry: { policy: "inactivity", days: 30 } } }))!;
    // Pending points go too: they belong to the idle member.
    expect(plan.entries.map((e) => [e.lotId, e.points, e.occurredAt, e.type === "expire" && e.details.reason])).toEqual([
      ["dated", -2, "2026-02-15T00:00:00.000Z", "lot_expired"],
      ["a", -10, "2026-03-03T00:00:00.000Z", "inactivity"],
      ["b", -5, "2026-03-03T00:00:00.000Z", "inactivity"],
    ]);
    expect(plan.result).toEqual({ lots: 3, points: 17, more: false });
  });

  it("leaves a hold's points alone: they are not in the lots any more", () => {
    const h = redemption("red_h", [taken("gone", 20, { expiresAt: "2026-03-01T00:00:00.000Z" })]);
    const s = state({ lots: [lot("gone", 4, { expiresAt: "2026-03-01T00:00:00.000Z" })], holds: [h] });
    const plan = expireDue(s, context({ settings: rolling }))!;
    expect(plan.lotDeltas).toEqual([{ lotId: "gone", delta: -4, expired: 4 }]);
    expect(plan.nextState.holds).toEqual([h]);
  });

  it.each([
    // due lots, batch size -> lots and points in this plan, more to come
    [5, 2, 2, 2, true],
    [5, 5, 5, 5, false],
    [1, 100, 1, 1, false],
  ])("writes %i due lots in batches of %i: %i lots, %i points, more: %s", (count, batch, lots, points, more) => {
    const s = state({ lots: Array.from({ length: count }, (_, i) => lot(`l${i}`, 1, { expiresAt: "2026-03-01T00:00:00.000Z" })) });
    expect(expireDue(s, context({ settings: rolling }), batch)!.result).toEqual({ lots, points, more });
  });

  it.each([
    ["nothing is due", state({ lots: [lot("later", 7, { expiresAt: "2026-04-01T00:00:00.000Z" }), lot("never", 3)] })],
    ["the member does not exist", state({ member: null, lots: [lot("past", 1, { expiresAt: "2026-03-01T00:00:00.000Z" })] })],
  ])("writes nothing when %s", (_, s) => {
    expect(expireDue(s, context({ settings: rolling }))).toBeNull();
  });
});

describe("warnExpiring", () => {
  const settings = { ...rolling, expiryWarning: { daysBefore: 7 } };
  const lots = [
    lot("a", 10, { expiresAt: "2026-03-15T00:00:00.000Z" }),
    lot("b", 4, { expiresAt: "2026-03-15T00:00:00.000Z", availableAt: "2026-03-12T00:00:00.000Z" }),
    lot("c", 6, { expiresAt: "2026-03-17T12:00:00.000Z" }),
    lot("d", 9, { expiresAt: "2026-03-17T12:00:00.001Z" }),
  ];

  it("warns once per expiry date within the lead time, pending points included, and records the dates", () => {
    const plan = warnExpiring(state({ lots }), new Set(), context({ settings }))!;
    const warnings = [
      { expiresAt: "2026-03-15T00:00:00.000Z", points: 14 },
      { expiresAt: "2026-03-17T12:00:00.000Z", points: 6 },
    ];
    expect(plan.expiryWarnings).toEqual(warnings);
    expect(plan.result).toEqual({ warnings });
    expect(plan.events).toEqual([
      { id: "evt_1", type: "points.expiring", partnerId: null, payload: { memberId: "ada", ...warnings[0], occurredAt: NOW } },
      { id: "evt_2", type: "points.expiring", partnerId: null, payload: { memberId: "ada", ...warnings[1], occurredAt: NOW } },
    ]);
    expect(plan.entries).toEqual([]);
    expect(plan.lotDeltas).toEqual([]);
  });

  it("under the inactivity policy warns of the one date all points go", () => {
    const s = state({ member: member({ lastActivityAt: "2026-02-12T00:00:00.000Z" }), lots: [lot("a", 10), lot("b", 5)] });
    const plan = warnExpiring(s, new Set(), context({ settings: { expiry: { policy: "inactivity", days: 30 }, expiryWarning: { daysBefore: 7 } } }))!;
    expect(plan.expiryWarnings).toEqual([{ expiresAt: "2026-03-14T00:00:00.000Z", points: 15 }]);
  });

  it.each([
    ["every date was warned of already", new Set(["2026-03-15T00:00:00.000Z", "2026-03-17T12:00:00.000Z"]), settings],
    ["the program sends no warnings", new Set<string>(), rolling],
  ])("writes nothing when %s", (_, warned, s) => {
    expect(warnExpiring(state({ lots }), warned, context({ settings: s }))).toBeNull();
  });
});
