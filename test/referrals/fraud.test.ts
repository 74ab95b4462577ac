// The referral fraud rules as a table against the pure function, with the email folding and codes they rest on.
import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_LENGTH, generateReferralCode, normalizeReferralCode, shareLink } from "../../src/referrals/codes";
import { normalizeEmail } from "../../src/referrals/email";
import { capPeriodBounds, fraudFlags, type FraudFlag, type ReferralFacts } from "../../src/referrals/fraud";
import { defaultSettings } from "../../src/ledger/settings";

const NOW = new Date("2026-12-02T12:00:00Z");

function facts(overrides: { referrer?: Partial<ReferralFacts["referrer"]>; referee?: Partial<ReferralFacts["referee"]> } & Partial<Omit<ReferralFacts, "referrer" | "referee">> = {}): ReferralFacts {
  const { referrer, referee, ...rest } = overrides;
  return {
    referrer: { memberId: "ada", email: "ada@example.com", enrolledAt: "2026-01-01T00:00:00Z", deviceHashes: ["dev-a"], paymentHashes: ["pay-a"], ...referrer },
    referee: { memberId: "bob", email: "bob@example.com", deviceHashes: ["dev-b"], paymentHashes: ["pay-b"], ...referee },
    refereeAlreadyReferred: false,
    referrerReferredByReferee: false,
    referrerRewardedInPeriod: 0,
    refereeHasEarned: false,
    ...rest,
  };
}

const rules = { ...defaultSettings().referrals, capPerReferrer: { count: 3, period: "month" as const }, minReferrerAgeDays: 30 };

describe("fraudFlags", () => {
  const alone: [string, ReferralFacts, FraudFlag[]][] = [
    ["a clean referral", facts(), []],
    ["the same member", facts({ referee: { memberId: "ada" } }), ["self_referral"]],
    ["the same email, by case", facts({ referee: { email: "ADA@Example.com" } }), ["same_email"]],
    ["the same email, by a +tag", facts({ referee: { email: "ada+friends@example.com" } }), ["same_email"]],
    ["the same gmail address, by dots", facts({ referrer: { email: "ada.love@gmail.com" }, referee: { email: "adalove@googlemail.com" } }), ["same_email"]],
    ["the same device", facts({ referee: { deviceHashes: ["dev-x", "dev-a"] } }), ["same_device"]],
    ["the same payment method", facts({ referee: { paymentHashes: ["pay-a"] } }), ["same_payment"]],
    ["a loop (the referrer was referred by the referee)", facts({ referrerReferredByReferee: true }), ["referral_loop"]],
    ["a member who already has a referrer", facts({ refereeAlreadyReferred: true }), ["already_referred"]],
    ["a referrer at the cap", facts({ referrerRewardedInPeriod: 3 }), ["referrer_cap_reached"]],
    ["a referrer younger than the minimum age", facts({ referrer: { enrolledAt: "2026-11-20T00:00:00Z" } }), ["referrer_too_new"]],
    ["a referee who had earned points before", facts({ refereeHasEarned: true }), ["referee_not_new"]],
  ];
  it.each(alone)("flags %s", (_, f, expected) => {
    expect(fraudFlags(f, rules, NOW)).toEqual(expected);
  });

  it("lists every rule a referral breaks at once, in a stable order", () => {
    const f = facts({
      referrer: { memberId: "ada", email: "a.da@gmail.com", enrolledAt: "2026-12-01T00:00:00Z" },
      referee: { memberId: "ada", email: "ada+x@gmail.com", deviceHashes: ["dev-a"], paymentHashes: ["pay-a"] },
      referrerReferredByReferee: true,
      refereeAlreadyReferred: true,
      referrerRewardedInPeriod: 9,
      refereeHasEarned: true,
    });
    expect(fraudFlags(f, rules, NOW)).toEqual([
      "self_referral",
      "same_email",
      "same_device",
      "same_payment",
      "referral_loop",
      "already_referred",
      "referrer_cap_reached",
      "referrer_too_new",
      "referee_not_new",
    ]);
  });

  it("combines two rules without the others", () => {
    expect(fraudFlags(facts({ referee: { deviceHashes: ["dev-a"] }, referrerRewardedInPeriod: 5 }), rules, NOW)).toEqual(["same_device", "referrer_cap_reached"]);
  });

  it("has no cap and no minimum age unless the program sets them", () => {
    const open = defaultSettings().referrals;
    expect(fraudFlags(facts({ referrerRewardedInPeriod: 10_000, referrer: { enrolledAt: NOW.toISOString() } }), open, NOW)).toEqual([]);
  });

  it("counts the minimum age to the instant: exactly old enough passes", () => {
    expect(fraudFlags(facts({ referrer: { enrolledAt: "2026-11-02T12:00:00Z" } }), rules, NOW)).toEqual([]);
    expect(fraudFlags(facts({ referrer: { enrolledAt: "2026-11-02T12:00:01Z" } }), rules, NOW)).toEqual(["referrer_too_new"]);
  });

  it("never matches members without an email on email", () => {
    expect(fraudFlags(facts({ referrer: { email: null }, referee: { email: null } }), rules, NOW)).toEqual([]);
  });
});

describe("normalizeEmail", () => {
  it.each([
    ["Ada@Example.COM", "ada@example.com"],
    ["  ada+shop@example.com ", "ada@example.com"],
    ["a.d.a@example.com", "a.d.a@example.com"],
    ["a.d.a+x@gmail.com", "ada@gmail.com"],
    ["A.DA@googlemail.com", "ada@gmail.com"],
    ["+only@example.com", null],
    ["not-an-address", null],
    ["", null],
  ])("folds %j to %j", (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

describe("referral codes", () => {
  it("are long enough and use only the unambiguous alphabet", () => {
    const codes = new Set(Array.from({ length: 200 }, () => generateReferralCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toHaveLength(CODE_LENGTH);
      for (const ch of code) expect(CODE_ALPHABET).toContain(ch);
    }
  });

  it("skip the bytes that would favour some letters", () => {
    const bytes = [250, 255, 240, ...Array.from({ length: 20 }, (_, i) => i)];
    expect(generateReferralCode(() => Uint8Array.from(bytes))).toBe(CODE_ALPHABET.slice(0, CODE_LENGTH));
  });

  it("read typed codes case-insensitively, without spaces or dashes, and refuse what cannot be one", () => {
    expect(normalizeReferralCode("7kq3-m9xw 2t")).toBe("7KQ3M9XW2T");
    expect(normalizeReferralCode("7KQ3M9XW2")).toBeNull();
    expect(normalizeReferralCode("0KQ3M9XW2T")).toBeNull();
  });

  it("fill the share link template", () => {
    expect(shareLink("https://shop.example/r/{code}?utm=ref&c={code}", "ABC")).toBe("https://shop.example/r/ABC?utm=ref&c=ABC");
  });

  it("count the cap in calendar periods", () => {
    const bounds = (period: "month" | "quarter" | "year") => {
      const { start, end } = capPeriodBounds(NOW, period);
      return [start.toISOString(), end.toISOString()];
    };
    expect(bounds("month")).toEqual(["2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]);
    expect(bounds("quarter")).toEqual(["2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]);
    expect(bounds("year")).toEqual(["2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]);
  });
});
