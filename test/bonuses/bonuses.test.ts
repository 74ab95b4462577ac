// The sign-up bonus (on enrollment, and on the first accrual that enrolls) and the birthday bonus job:
// once per member, once per member and year, on the day in the program's time zone.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { balance, call, createProgram, enroll, expectLedgerConsistent, type Settings, type TestProgram } from "../helpers";
import { events, ledgerSnapshot, runAt } from "../job-helpers";

async function activeCampaign(p: TestProgram, rules: object[], extra: object = {}): Promise<string> {
  const created = await call("/v1/campaigns", { key: p.admin, body: { name: "Bonuses", startsAt: "2026-01-01T00:00:00Z", rules, ...extra } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return created.json.id as string;
}

const signUp = { id: "welcome", trigger: { type: "enrollment" }, effect: { type: "fixed", points: 100 } };
const birthday = { id: "birthday", trigger: { type: "birthday" }, effect: { type: "fixed", points: 250 } };

async function programWith(rules: object[], settings: Settings = {}) {
  const p = await createProgram(settings);
  await activeCampaign(p, rules);
  return p;
}

const bonusEntries = async (p: TestProgram, memberId: string) =>
  (
    await env.DB.prepare("SELECT points, details FROM entries WHERE program_id = ? AND member_id = ? AND type = 'earn' ORDER BY id").bind(p.programId, memberId).all<{ points: number; details: string }>()
  ).results
    .map((e) => ({ points: e.points, bonus: (JSON.parse(e.details) as { bonus?: unknown }).bonus }))
    .filter((e) => e.bonus !== undefined);

describe("sign-up bonus", () => {
  it("is given once, in the batch that enrolls the member", async () => {
    const p = await programWith([signUp]);
    const enrolled = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { name: "Ada" } });
    expect(enrolled.status).toBe(201);
    expect(enrolled.json.balance.available).toBe(100);
    // An update is no enrollment.
    expect((await call("/v1/members/ada", { method: "PUT", key: p.server, body: { name: "Ada L." } })).status).toBe(200);
    expect((await balance(p.server, "ada")).available).toBe(100);
    expect(await bonusEntries(p, "ada")).toEqual([{ points: 100, bonus: { source: "enrollment" } }]);
    expect((await events(p.programId, "bonus.granted")).map((e) => [e.memberId, e.bonus, e.points])).toEqual([["ada", "enrollment", 100]]);
    const kept = await env.DB.prepare("SELECT bonus, points FROM member_bonuses WHERE program_id = ?").bind(p.programId).all();
    expect(kept.results).toEqual([{ bonus: "enrollment", points: 100 }]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("is given with a first accrual that enrolls the member, and not with the next", async () => {
    const p = await programWith([signUp], { enrollOnAccrual: true });
    const first = await call("/v1/members/bo/accruals", { key: p.server, body: { orderId: "o-1", amount: { amount: 1000, currency: "EUR" } } });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json.points).toBe(10);
    expect(first.json.balance.available).toBe(110);
    const second = await call("/v1/members/bo/accruals", { key: p.server, body: { orderId: "o-2", amount: { amount: 1000, currency: "EUR" } } });
    expect(second.json.balance.available).toBe(120);
    expect(await bonusEntries(p, "bo")).toEqual([{ points: 100, bonus: { source: "enrollment" } }]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("draws on its campaign's budget like any rule", async () => {
    const p = await createProgram();
    await activeCampaign(p, [signUp], { budget: { points: 250 } });
    for (const m of ["c1", "c2", "c3", "c4"]) await enroll(p.server, m);
    const given = await Promise.all(["c1", "c2", "c3", "c4"].map(async (m) => (await balance(p.server, m)).available));
    expect(given).toEqual([100, 100, 50, 0]);
  });
});

describe("birthdays on members", () => {
  it.each([
    ["31 April", { month: 4, day: 31 }, "day"],
    ["29 February of a common year", { month: 2, day: 29, year: 2023 }, "day"],
    ["month 13", { month: 13, day: 1 }, "month"],
    ["a year to come", { month: 1, day: 1, year: 2999 }, "year"],
  ])("refuses %s with 400 and the field", async (_name, birthday, field) => {
    const p = await createProgram();
    const res = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { birthday } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path).join(" ")).toContain(`birthday.${field}`);
  });

  it("keeps a birthday, 29 February without a year or in a leap year included, and removes it on null", async () => {
    const p = await createProgram();
    const set = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { birthday: { month: 2, day: 29 } } });
    expect(set.json.birthday).toEqual({ month: 2, day: 29, year: null });
    const leap = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { birthday: { month: 2, day: 29, year: 2004 } } });
    expect(leap.json.birthday).toEqual({ month: 2, day: 29, year: 2004 });
    expect((await call("/v1/members/ada", { method: "PUT", key: p.server, body: { name: "Ada" } })).json.birthday).toEqual({ month: 2, day: 29, year: 2004 });
    expect((await call("/v1/members/ada", { method: "PUT", key: p.server, body: { birthday: null } })).json.birthday).toBeNull();
  });
});

describe("birthday bonus job", () => {
  // Auckland is UTC+12 in May: 17 May starts there at 12:00 UTC on the 16th.
  const settings: Settings = { timeZone: "Pacific/Auckland" };

  it("gives the bonus on the member's day in the program's time zone, once a year, however often it runs", async () => {
    const p = await programWith([birthday], settings);
    await enroll(p.server, "may", { birthday: { month: 5, day: 17 } });
    await enroll(p.server, "june", { birthday: { month: 6, day: 1 } });
    await enroll(p.server, "none");
    const before = await runAt(p.programId, "birthday-bonus", "2027-05-16T11:30:00Z");
    expect(before).toMatchObject({ status: "done", itemsDone: 0 });
    expect(await bonusEntries(p, "may")).toEqual([]);
    const onTheDay = await runAt(p.programId, "birthday-bonus", "2027-05-16T12:30:00Z");
    expect(onTheDay).toMatchObject({ status: "done", itemsDone: 1, errors: 0 });
    expect(await bonusEntries(p, "may")).toEqual([{ points: 250, bonus: { source: "birthday", year: 2027 } }]);
    // Again the same day, and later that day: nothing more.
    const snapshot = await ledgerSnapshot(p.programId);
    await runAt(p.programId, "birthday-bonus", "2027-05-16T12:30:00Z");
    await runAt(p.programId, "birthday-bonus", "2027-05-17T10:00:00Z");
    expect(await ledgerSnapshot(p.programId)).toEqual(snapshot);
    // The next year, once more.
    await runAt(p.programId, "birthday-bonus", "2028-05-17T01:00:00Z");
    expect(await bonusEntries(p, "may")).toEqual([
      { points: 250, bonus: { source: "birthday", year: 2027 } },
      { points: 250, bonus: { source: "birthday", year: 2028 } },
    ]);
    expect(await bonusEntries(p, "june")).toEqual([]);
    expect((await events(p.programId, "bonus.granted")).map((e) => [e.memberId, e.year])).toEqual([
      ["may", 2027],
      ["may", 2028],
    ]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("celebrates 29 February on 28 February in common years, and on the 29th in leap years", async () => {
    const p = await programWith([birthday]);
    await enroll(p.server, "leapling", { birthday: { month: 2, day: 29 } });
    await runAt(p.programId, "birthday-bonus", "2027-02-28T09:00:00Z");
    await runAt(p.programId, "birthday-bonus", "2027-03-01T09:00:00Z");
    await runAt(p.programId, "birthday-bonus", "2028-02-28T09:00:00Z");
    await runAt(p.programId, "birthday-bonus", "2028-02-29T09:00:00Z");
    expect(await bonusEntries(p, "leapling")).toEqual([
      { points: 250, bonus: { source: "birthday", year: 2027 } },
      { points: 250, bonus: { source: "birthday", year: 2028 } },
    ]);
    const dates = await env.DB.prepare("SELECT occurred_at FROM entries WHERE program_id = ? AND member_id = 'leapling' AND type = 'earn' ORDER BY id").bind(p.programId).all<{ occurred_at: string }>();
    expect(dates.results.map((r) => r.occurred_at.slice(0, 10))).toEqual(["2027-02-28", "2028-02-29"]);
  });

  it("walks both of a common year's 28 February birthdays, page by page", async () => {
    const p = await programWith([birthday]);
    for (const m of ["a-28", "b-28"]) await enroll(p.server, m, { birthday: { month: 2, day: 28 } });
    for (const m of ["a-29", "b-29"]) await enroll(p.server, m, { birthday: { month: 2, day: 29 } });
    const first = await runAt(p.programId, "birthday-bonus", "2027-02-28T08:00:00Z", { batchSize: 3, maxBatches: 1 });
    expect(first).toMatchObject({ status: "partial", itemsDone: 3, itemsLeft: 1 });
    expect(await runAt(p.programId, "birthday-bonus", "2027-02-28T09:00:00Z", { batchSize: 3 })).toMatchObject({ status: "done", itemsDone: 1, itemsLeft: 0 });
    for (const m of ["a-28", "b-28", "a-29", "b-29"]) expect(await bonusEntries(p, m)).toHaveLength(1);
  });

  it("resumes where a run stopped, and gives nobody twice", async () => {
    const p = await programWith([birthday]);
    const members = Array.from({ length: 7 }, (_, i) => `bd${i}`);
    for (const m of members) await enroll(p.server, m, { birthday: { month: 9, day: 3 } });
    const partial = await runAt(p.programId, "birthday-bonus", "2027-09-03T08:00:00Z", { batchSize: 3, maxBatches: 1 });
    expect(partial).toMatchObject({ status: "partial", itemsDone: 3, itemsLeft: 4 });
    const rest = await runAt(p.programId, "birthday-bonus", "2027-09-03T09:00:00Z", { batchSize: 3 });
    expect(rest).toMatchObject({ status: "done", itemsDone: 4, itemsLeft: 0 });
    for (const m of members) expect(await bonusEntries(p, m)).toEqual([{ points: 250, bonus: { source: "birthday", year: 2027 } }]);
    // A run that lost its cursor walks them all again and gives nothing.
    await env.DB.prepare("DELETE FROM job_cursors WHERE program_id = ? AND job = 'birthday-bonus'").bind(p.programId).run();
    expect(await runAt(p.programId, "birthday-bonus", "2027-09-03T10:00:00Z")).toMatchObject({ status: "done", itemsDone: 0 });
    expect((await events(p.programId, "bonus.granted"))).toHaveLength(7);
  });

  it("does nothing for a program without birthday rules", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada", { birthday: { month: 1, day: 5 } });
    expect(await runAt(p.programId, "birthday-bonus", "2027-01-05T12:00:00Z")).toMatchObject({ status: "done", itemsDone: 0, itemsLeft: 0 });
  });
});
