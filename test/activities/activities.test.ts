// Activities through the API: what they earn by the campaigns' activity rules, one per type and reference,
// pending ones confirmed or rejected after moderation, the list, limits under concurrency and budgets.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { balance, call, createProgram, enroll, expectLedgerConsistent, foldPending, type TestProgram } from "../helpers";
import { events } from "../job-helpers";

async function activeCampaign(p: TestProgram, rules: object[], extra: object = {}): Promise<string> {
  const created = await call("/v1/campaigns", { key: p.admin, body: { name: "Activities", startsAt: "2026-01-01T00:00:00Z", rules, ...extra } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return created.json.id as string;
}

const post = (p: TestProgram, memberId: string, body: object, idempotencyKey?: string) =>
  call(`/v1/members/${encodeURIComponent(memberId)}/activities`, { key: p.server, body, ...(idempotencyKey ? { idempotencyKey } : {}) });

const moderate = (p: TestProgram, memberId: string, activityId: string, action: "confirm" | "reject") =>
  call(`/v1/members/${encodeURIComponent(memberId)}/activities/${activityId}/${action}`, { key: p.server, method: "POST" });

describe("activities", () => {
  let p: TestProgram;
  let reviews: string;
  beforeAll(async () => {
    p = await createProgram();
    reviews = await activeCampaign(p, [
      { id: "review", trigger: { type: "activity", activityType: "review" }, effect: { type: "fixed", points: 50 } },
      { id: "share", trigger: { type: "activity", activityType: "social_share" }, effect: { type: "fixed", points: 5 } },
    ]);
  });

  it("earns by the activity rules of its type, with the breakdown, and says so in activity.recorded", async () => {
    await enroll(p.server, "ada");
    const res = await post(p, "ada", { type: "review", reference: "sku-beans", attributes: { rating: 5 } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ type: "review", reference: "sku-beans", status: "confirmed", points: 50, attributes: { rating: 5 }, capped: [] });
    expect(res.json.breakdown).toEqual([expect.objectContaining({ rule: "campaign", campaignId: reviews, ruleId: "review", points: 50 })]);
    expect(res.json.balance.available).toBe(50);
    const share = await post(p, "ada", { type: "social_share", reference: "https://shop.example/p/1" });
    expect(share.json.points).toBe(5);
    // A type no rule names is recorded and earns nothing.
    const survey = await post(p, "ada", { type: "survey", reference: "nps-2026" });
    expect(survey.json).toMatchObject({ status: "confirmed", points: 0, breakdown: [] });
    expect((await balance(p.server, "ada")).available).toBe(55);
    const recorded = (await events(p.programId, "activity.recorded")).filter((e) => e.memberId === "ada");
    expect(recorded.map((e) => [e.type, e.status, e.points])).toEqual([
      ["review", "confirmed", 50],
      ["social_share", "confirmed", 5],
      ["survey", "confirmed", 0],
    ]);
    const entry = await env.DB.prepare("SELECT details FROM entries WHERE program_id = ? AND member_id = 'ada' AND type = 'earn' ORDER BY id LIMIT 1").bind(p.programId).first<string>("details");
    expect(JSON.parse(entry!).bonus).toEqual({ source: "activity", activityId: res.json.id, activityType: "review", reference: "sku-beans" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("earns once per type and reference: a second post is a 409 with the first, a retry of the first replays it", async () => {
    await enroll(p.server, "bea");
    const first = await post(p, "bea", { type: "review", reference: "sku-mug" }, "bea-review-1");
    expect(first.status).toBe(201);
    const again = await post(p, "bea", { type: "review", reference: "sku-mug", attributes: { rating: 1 } });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: "activity_already_recorded", activity: { id: first.json.id, points: 50, status: "confirmed" } });
    const retry = await post(p, "bea", { type: "review", reference: "sku-mug" }, "bea-review-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.json.id).toBe(first.json.id);
    // Another type with the same reference is another activity.
    expect((await post(p, "bea", { type: "social_share", reference: "sku-mug" })).status).toBe(201);
    expect((await balance(p.server, "bea")).available).toBe(55);
  });

  it("earns a pending review only when it is confirmed; a rejected one never earns", async () => {
    await enroll(p.server, "cy");
    const pending = await post(p, "cy", { type: "review", reference: "sku-a", status: "pending" });
    expect(pending.json).toMatchObject({ status: "pending", points: 0, breakdown: [] });
    expect(pending.json.balance.available).toBe(0);
    const confirmed = await moderate(p, "cy", pending.json.id, "confirm");
    expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
    expect(confirmed.json).toMatchObject({ id: pending.json.id, status: "confirmed", points: 50 });
    expect(confirmed.json.balance.available).toBe(50);
    const twice = await moderate(p, "cy", pending.json.id, "confirm");
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({ code: "activity_not_pending", activity: { status: "confirmed" } });

    const doubtful = await post(p, "cy", { type: "review", reference: "sku-b", status: "pending" });
    const rejected = await moderate(p, "cy", doubtful.json.id, "reject");
    expect(rejected.json).toMatchObject({ status: "rejected", points: 0 });
    expect((await moderate(p, "cy", doubtful.json.id, "confirm")).json.code).toBe("activity_not_pending");
    // Its reference stays taken.
    expect((await post(p, "cy", { type: "review", reference: "sku-b" })).json.code).toBe("activity_already_recorded");
    expect((await balance(p.server, "cy")).available).toBe(50);
    const statuses = (await events(p.programId, "activity.recorded")).filter((e) => e.memberId === "cy").map((e) => [e.reference, e.status, e.points]);
    expect(statuses).toEqual([
      ["sku-a", "pending", 0],
      ["sku-a", "confirmed", 50],
      ["sku-b", "pending", 0],
      ["sku-b", "rejected", 0],
    ]);
    expect((await moderate(p, "cy", "act_unknown", "confirm")).json.code).toBe("activity_not_found");
    expect((await moderate(p, "cy", "act_unknown", "reject")).status).toBe(404);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("lists a member's activities newest first, by status, page by page", async () => {
    await enroll(p.server, "dee");
    for (const reference of ["a", "b", "c"]) await post(p, "dee", { type: "social_share", reference });
    await post(p, "dee", { type: "review", reference: "d", status: "pending" });
    const first = await call("/v1/members/dee/activities?limit=3", { key: p.server });
    expect(first.json.data.map((a: { reference: string }) => a.reference)).toEqual(["d", "c", "b"]);
    const second = await call(`/v1/members/dee/activities?limit=3&cursor=${encodeURIComponent(first.json.nextCursor)}`, { key: p.server });
    expect(second.json).toMatchObject({ data: [{ reference: "a" }], nextCursor: null });
    const pending = await call("/v1/members/dee/activities?status=pending", { key: p.admin });
    expect(pending.json.data.map((a: { reference: string; status: string }) => [a.reference, a.status])).toEqual([["d", "pending"]]);
    expect((await call("/v1/members/nobody/activities", { key: p.server })).json.code).toBe("member_not_found");
  });

  it.each([
    ["an unknown type", { type: "like", reference: "x" }, "type"],
    ["a custom type without a name", { type: "custom:", reference: "x" }, "type"],
    ["no reference", { type: "review" }, "reference"],
    ["a status other than pending", { type: "review", reference: "x", status: "confirmed" }, "status"],
  ])("refuses %s with 400 and the field", async (_name, body, path) => {
    const res = await post(p, "ada", body);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it("refuses an activity of a member who is not enrolled, or one dated in the future", async () => {
    expect((await post(p, "ghost", { type: "review", reference: "x" })).json.code).toBe("member_not_found");
    const future = await post(p, "ada", { type: "review", reference: "later", occurredAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.json.code).toBe("occurred_in_future");
  });
});

describe("limits and budgets on activities", () => {
  it("gives exactly the count cap to 50 concurrent activities of one member", async () => {
    const p = await createProgram();
    await enroll(p.server, "eve");
    const campaignId = await activeCampaign(p, [
      { id: "surveys", trigger: { type: "activity", activityType: "survey" }, effect: { type: "fixed", points: 20 }, limits: [{ period: "campaign", count: 5 }] },
    ]);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(p, "eve", { type: "survey", reference: `survey-${i}` })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(answers.filter((a) => a.json.points === 20)).toHaveLength(5);
    const capped = answers.filter((a) => a.json.points === 0);
    expect(capped).toHaveLength(45);
    expect(capped.every((a) => a.json.capped[0]?.capped === "member_limit" && a.json.capped[0]?.campaignId === campaignId)).toBe(true);
    expect((await balance(p.server, "eve")).available).toBe(100);
    await foldPending(p.programId);
    const grants = await env.DB.prepare("SELECT count(*) AS n FROM member_rule_grants WHERE program_id = ? AND campaign_id = ?").bind(p.programId, campaignId).first<number>("n");
    expect(grants).toBe(5);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("draws on the campaign's budget across members: the last grant in part, then nothing", async () => {
    const p = await createProgram();
    const campaignId = await activeCampaign(p, [{ id: "shares", trigger: { type: "activity", activityType: "social_share" }, effect: { type: "fixed", points: 30 } }], {
      budget: { points: 100 },
    });
    const given = [];
    for (const m of ["f1", "f2", "f3", "f4", "f5"]) {
      await enroll(p.server, m);
      given.push((await post(p, m, { type: "social_share", reference: "launch" })).json.points);
    }
    expect(given).toEqual([30, 30, 30, 10, 0]);
    const stats = await call(`/v1/campaigns/${campaignId}/stats`, { key: p.admin });
    expect(stats.json).toMatchObject({ pointsIssued: 100, budget: 100, budgetLeft: 0 });
  });
});
