// enroll as a pure function: a new member with its event, or an existing one's profile changed and nothing else.
import { describe, expect, it } from "vitest";
import { enroll } from "../../src/ledger/ops/enroll";
import { context, EARLIER, member, NOW, state } from "./build";

describe("enroll", () => {
  it("creates the member, with one member.enrolled event and no entries", () => {
    const plan = enroll(state({ member: null }), "ada", { email: "ada@example.com", name: "Ada", attributes: { store: "Berlin" } }, context());
    expect(plan.result).toEqual({ created: true });
    expect(plan.memberIsNew).toBe(true);
    expect(plan.member).toEqual({
      memberId: "ada",
      email: "ada@example.com",
      name: "Ada",
      attributes: { store: "Berlin" },
      tier: null,
      qualifyingPoints: 0,
      lifetimeEarned: 0,
      debt: 0,
      version: 1,
      lastActivityAt: null,
      tierDowngradeAt: null,
      tierLockedUntil: null,
      enrolledAt: NOW,
      updatedAt: NOW,
      birthday: null,
      marketingConsent: null,
    });
    expect(plan.entries).toEqual([]);
    expect(plan.newLots).toEqual([]);
    expect(plan.events).toEqual([{ id: "evt_1", type: "member.enrolled", partnerId: null, payload: { memberId: "ada", occurredAt: NOW, recordedAt: NOW } }]);
    expect(plan.nextState).toEqual({ member: plan.member, lots: [], holds: [] });
  });

  it("names the partner whose key enrolled the member on the event", () => {
    const plan = enroll(state({ member: null }), "ada", {}, context({ partnerId: "ptr_1" }));
    expect(plan.member).toMatchObject({ email: null, name: null, attributes: {} });
    expect(plan.events.map((e) => [e.type, e.partnerId])).toEqual([["member.enrolled", "ptr_1"]]);
  });

  it.each([
    ["keeps everything when nothing is named", {}, { email: "ada@example.com", name: "Ada", attributes: { store: "Berlin" } }],
    ["clears the email named null", { email: null }, { email: null, name: "Ada", attributes: { store: "Berlin" } }],
    ["changes only the name", { name: "Ada L." }, { email: "ada@example.com", name: "Ada L.", attributes: { store: "Berlin" } }],
    ["replaces the attributes whole", { attributes: { vip: true } }, { email: "ada@example.com", name: "Ada", attributes: { vip: true } }],
  ])("for an existing member %s, and writes no entry or event", (_, input, profile) => {
    const before = member({ attributes: { store: "Berlin" }, debt: 7, lifetimeEarned: 120 });
    const plan = enroll(state({ member: before }), "ada", input, context());
    expect(plan.result).toEqual({ created: false });
    expect(plan.memberIsNew).toBe(false);
    // Changing the profile is not activity: the inactivity clock keeps running.
    expect(plan.member).toEqual({ ...before, ...profile, version: 4, updatedAt: NOW, lastActivityAt: EARLIER });
    expect(plan.entries).toEqual([]);
    expect(plan.events).toEqual([]);
  });
});
