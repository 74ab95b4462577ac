// PATCH /v1/program as a JSON Merge Patch (RFC 7396): what it changes, what it validates, what it locks.
import { describe, expect, it } from "vitest";
import { periodOf } from "../src/ledger/periods";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type Settings } from "./helpers";

const RICH: Settings = {
  currency: "USD",
  earnRate: { points: 2, perAmount: 100 },
  rounding: "ceil",
  pendingDays: 3,
  expiry: { policy: "rolling", days: 30 },
  minRedemptionPoints: 5,
  enrollOnAccrual: true,
  tiers: [{ name: "gold", threshold: 500, multiplierPercent: 150 }],
  tierQualification: { window: { type: "rolling", days: 90 }, downgrade: "one_step" },
  expiryWarning: { daysBefore: 7 },
};

async function settingsOf(key: string) {
  const res = await call("/v1/program", { key });
  expect(res.status).toBe(200);
  return res.json.settings;
}

function patch(key: string, body: unknown) {
  return call("/v1/program", { method: "PATCH", key, body });
}

describe("PATCH /v1/program", () => {
  it("changes only the field it names and keeps every other setting", async () => {
    const p = await createProgram(RICH);
    const before = await settingsOf(p.admin);
    const res = await patch(p.admin, { holdTtlSeconds: 600 });
    expect(res.status).toBe(200);
    expect(res.json.settings).toEqual({ ...before, holdTtlSeconds: 600 });
    expect(await settingsOf(p.admin)).toEqual({ ...before, holdTtlSeconds: 600 });
  });

  it("changes nothing for an empty patch", async () => {
    const p = await createProgram(RICH);
    const before = await settingsOf(p.admin);
    const res = await patch(p.admin, {});
    expect(res.status).toBe(200);
    expect(res.json.settings).toEqual(before);
  });

  it("merges nested objects key by key and resets a field sent as null to its default", async () => {
    const p = await createProgram(RICH);
    const res = await patch(p.admin, { earnRate: { points: 3 }, tierQualification: { downgrade: "to_deserved" }, pendingDays: null, expiryWarning: null });
    expect(res.status).toBe(200);
    expect(res.json.settings).toMatchObject({
      earnRate: { points: 3, perAmount: 100 },
      tierQualification: { window: { type: "rolling", days: 90 }, downgrade: "to_deserved" },
      pendingDays: 0,
      expiryWarning: null,
      currency: "USD",
    });
  });

  it("switches an expiry policy and drops the fields the old one had", async () => {
    const p = await createProgram(RICH);
    const res = await patch(p.admin, { expiry: { policy: "period_end", period: "year" } });
    expect(res.status).toBe(200);
    expect(res.json.settings.expiry).toEqual({ policy: "period_end", period: "year", plusPeriods: 0 });
  });

  it("refuses a patch whose merged settings are not valid, and keeps the old ones", async () => {
    const p = await createProgram(RICH);
    const before = await settingsOf(p.admin);
    const incomplete = await patch(p.admin, { expiry: { policy: "inactivity", days: null } });
    expect(incomplete.status).toBe(422);
    expect(incomplete.json).toMatchObject({ code: "invalid_settings", errors: [expect.objectContaining({ path: "expiry.days" })] });
    const typo = await patch(p.admin, { earnRate: { point: 3 } });
    expect(typo.status).toBe(422);
    expect(typo.json).toMatchObject({ code: "invalid_settings", errors: [expect.objectContaining({ path: "earnRate.point" })] });
    expect(await settingsOf(p.admin)).toEqual(before);
  });

  it("keeps a USD program in USD and refuses a currency change only when it really changes after an order", async () => {
    const p = await createProgram({ currency: "USD" });
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 1000, { amount: { amount: 1000, currency: "USD" } })).status).toBe(201);
    const ttl = await patch(p.admin, { holdTtlSeconds: 600 });
    expect(ttl.status).toBe(200);
    expect(ttl.json.settings.currency).toBe("USD");
    expect((await patch(p.admin, { currency: "USD", pendingDays: 1 })).status).toBe(200);
    const locked = await patch(p.admin, { currency: "EUR" });
    expect(locked.status).toBe(422);
    expect(locked.json.code).toBe("currency_locked");
  });

  it("keeps every one of several concurrent patches of different fields", async () => {
    const p = await createProgram(RICH);
    const patches = [{ pendingDays: 9 }, { holdTtlSeconds: 600 }, { minRedemptionPoints: 50 }, { rounding: "floor" }, { earnRate: { perAmount: 50 } }, { name: "Renamed" }];
    const results = await Promise.all(patches.map((body) => patch(p.admin, body)));
    expect(results.map((r) => r.status)).toEqual(patches.map(() => 200));
    const program = (await call("/v1/program", { key: p.admin })).json;
    expect(program.name).toBe("Renamed");
    expect(program.settings).toMatchObject({ pendingDays: 9, holdTtlSeconds: 600, minRedemptionPoints: 50, rounding: "floor", earnRate: { points: 2, perAmount: 50 } });
  });

  it("renames the program without touching its settings", async () => {
    const p = await createProgram(RICH);
    const before = await settingsOf(p.admin);
    const res = await patch(p.admin, { name: "Coffee Club" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: "Coffee Club", settings: before });
    expect((await patch(p.admin, { name: null })).status).toBe(400);
  });
});

const LAST_MONTH = (() => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 15, 12));
})();

describe("switching the settlement period kind", () => {
  it("is refused with 409 once a period was closed, and closing goes on by the old kind", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.partner, "ada", 10_000, { occurredAt: LAST_MONTH.toISOString() });
    const month = periodOf(LAST_MONTH, "month");
    expect((await call(`/v1/settlements/${month}/close`, { key: p.admin, method: "POST" })).status).toBe(200);
    const locked = await patch(p.admin, { settlementPeriod: "quarter" });
    expect(locked.status).toBe(409);
    expect(locked.json.code).toBe("settlement_period_locked");
    expect((await settingsOf(p.admin)).settlementPeriod).toBe("month");
    expect((await patch(p.admin, { settlementPeriod: "month", pendingDays: 2 })).status).toBe(200);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("is refused once partner terms are stated in periods of the current kind", async () => {
    const p = await createProgram();
    const terms = await call(`/v1/partners/${p.partnerId}/terms`, {
      method: "PUT",
      key: p.admin,
      body: { validFrom: periodOf(new Date(), "month"), issuePrice: { amount: 1, perPoints: 1 }, redeemPrice: { amount: 1, perPoints: 1 } },
    });
    expect(terms.status).toBe(200);
    expect((await patch(p.admin, { settlementPeriod: "quarter" })).json.code).toBe("settlement_period_locked");
  });

  it("before any close, moves the entries already posted into the new kind's periods", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.partner, "ada", 10_000, { occurredAt: LAST_MONTH.toISOString() });
    expect((await patch(p.admin, { settlementPeriod: "quarter" })).status).toBe(200);
    const quarter = periodOf(LAST_MONTH, "quarter");
    const statement = await call(`/v1/settlements/${quarter}`, { key: p.admin });
    expect(statement.status).toBe(200);
    expect(statement.json.partners.find((l: { partnerId: string | null }) => l.partnerId === p.partnerId).issued.points).toBe(100);
    const history = await call("/v1/members/ada/transactions", { key: p.admin });
    expect(history.json.data.map((e: { settlementPeriod: string }) => e.settlementPeriod)).toEqual([quarter]);
    await expectLedgerConsistent(p.programId, p.server);
  });
});
