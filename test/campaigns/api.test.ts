// Campaigns through the API: create, read, list, edit (in place or as a version), the state machine, stats,
// the rules cache, and campaigns kept to their program.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, foldPending, type TestProgram } from "../helpers";

const double = {
  name: "Double points",
  startsAt: "2026-01-01T00:00:00Z",
  rules: [{ id: "double", trigger: { type: "order" }, effect: { type: "multiply", percent: 200 } }],
};

async function createCampaign(key: string, definition: object = double) {
  const res = await call("/v1/campaigns", { key, body: definition });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string; status: string; version: number; definition: Record<string, unknown> };
}

async function act(key: string, id: string, action: "activate" | "pause" | "end") {
  return call(`/v1/campaigns/${id}/${action}`, { key, method: "POST" });
}

/** Lets the clock move on, so the next recorded instant differs from the last. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

let p: TestProgram;

beforeAll(async () => {
  p = await createProgram();
});

describe("create and read", () => {
  it("creates a draft, version 1, with the schema's defaults filled in", async () => {
    const created = await createCampaign(p.admin);
    expect(created).toMatchObject({ status: "draft", version: 1 });
    expect(created.id).toMatch(/^cmp_[0-9A-Z]{26}$/);
    expect(created.definition).toMatchObject({ description: "", endsAt: null, budget: null });
    expect((created.definition.rules as object[])[0]).toMatchObject({ priority: 100, exclusive: false, limits: [], conditions: {} });
    const read = await call(`/v1/campaigns/${created.id}`, { key: p.server });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(created);
  });

  it.each([
    ["no rules", { ...double, rules: [] }, "rules"],
    ["an unknown effect", { ...double, rules: [{ id: "x", trigger: { type: "order" }, effect: { type: "teleport" } }] }, "rules.0.effect.type"],
    ["an unknown field", { ...double, colour: "red" }, "(body)"],
    ["a rule id with capitals", { ...double, rules: [{ ...double.rules[0], id: "Double" }] }, "rules.0.id"],
  ])("refuses %s with 400 and the field's error", async (_, body, path) => {
    const res = await call("/v1/campaigns", { key: p.admin, body });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
    expect(res.json.errors.map((e: { path: string }) => e.path).join(" ")).toContain(path === "(body)" ? "" : path);
  });

  it.each([
    ["a campaign that ends before it starts", { ...double, endsAt: "2025-12-31T00:00:00Z" }, "endsAt"],
    [
      "an amount range that holds no order",
      { ...double, rules: [{ ...double.rules[0], conditions: { amountAtLeast: 5000, amountAtMost: 100 } }] },
      "rules[0].conditions",
    ],
    ["two rules of one id", { ...double, rules: [double.rules[0], double.rules[0]] }, "rules[1].id"],
  ])("refuses %s with 422 campaign_invalid", async (_, body, path) => {
    const res = await call("/v1/campaigns", { key: p.admin, body });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("campaign_invalid");
    expect(res.json.errors.some((e: { path: string }) => e.path.startsWith(path))).toBe(true);
  });

  it("answers 404 campaign_not_found for an id the program does not have", async () => {
    const res = await call("/v1/campaigns/cmp_00000000000000000000000000", { key: p.admin });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("campaign_not_found");
  });

  it("lists the program's campaigns oldest first, page by page, and by status", async () => {
    const q = await createProgram();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createCampaign(q.admin, { ...double, name: `c${i}` })).id);
    expect((await act(q.admin, ids[1]!, "activate")).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { status: number; json: { data: { id: string }[]; nextCursor: string | null } } = await call(`/v1/campaigns?limit=2&cursor=${cursor}`, {
        key: q.server,
      });
      expect(page.status).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.data.map((c) => c.id));
      cursor = page.json.nextCursor;
    }
    expect(seen).toEqual(ids);
    const active = await call("/v1/campaigns?status=active", { key: q.admin });
    expect(active.json.data.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    const foreign = await call(`/v1/campaigns?cursor=${encodeURIComponent("abc.def")}`, { key: q.admin });
    expect(foreign.status).toBe(400);
  });
});

describe("the state machine", () => {
  it.each([
    ["draft", "pause", 409, "campaign_not_active"],
    ["draft", "activate", 200, "active"],
    ["draft", "end", 200, "ended"],
    ["active", "activate", 409, "campaign_already_active"],
    ["active", "pause", 200, "paused"],
    ["active", "end", 200, "ended"],
    ["paused", "pause", 409, "campaign_not_active"],
    ["paused", "activate", 200, "active"],
    ["paused", "end", 200, "ended"],
    ["ended", "activate", 409, "campaign_ended"],
    ["ended", "pause", 409, "campaign_ended"],
    ["ended", "end", 409, "campaign_ended"],
  ] as const)("%s, %s: %i %s", async (from, action, status, outcome) => {
    const { id } = await createCampaign(p.admin);
    const path: Record<string, ("activate" | "pause" | "end")[]> = { draft: [], active: ["activate"], paused: ["activate", "pause"], ended: ["end"] };
    for (const step of path[from]!) expect((await act(p.admin, id, step)).status).toBe(200);
    const res = await act(p.admin, id, action);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.json.status).toBe(outcome);
    else expect(res.json.code).toBe(outcome);
    // A refused transition changes nothing.
    const after = await call(`/v1/campaigns/${id}`, { key: p.admin });
    expect(after.json.status).toBe(status === 200 ? outcome : from);
  });

  it("refuses to edit an ended campaign", async () => {
    const { id } = await createCampaign(p.admin);
    await act(p.admin, id, "end");
    const res = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { name: "again" } });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe("campaign_ended");
  });

  it("lets exactly one of two concurrent activations through", async () => {
    const { id } = await createCampaign(p.admin);
    const answers = await Promise.all([act(p.admin, id, "activate"), act(p.admin, id, "activate")]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const versions = await call(`/v1/campaigns/${id}/versions`, { key: p.admin });
    expect(versions.json.data[0].inForce).toHaveLength(1);
  });
});

describe("editing", () => {
  it("edits a draft in place: still version 1, never in force", async () => {
    const { id } = await createCampaign(p.admin);
    const res = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { name: "Renamed", description: "d" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version: 1, status: "draft", definition: { name: "Renamed", description: "d" } });
    const versions = await call(`/v1/campaigns/${id}/versions`, { key: p.admin });
    expect(versions.json.data).toHaveLength(1);
    expect(versions.json.data[0].inForce).toEqual([]);
  });

  it("validates the merged definition whole: 422 with the field's error, nothing changed", async () => {
    const { id } = await createCampaign(p.admin);
    const res = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { rules: [], endsAt: "2020-01-01T00:00:00Z" } });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe("campaign_invalid");
    expect(res.json.errors.map((e: { path: string }) => e.path)).toContain("rules");
    expect((await call(`/v1/campaigns/${id}`, { key: p.admin })).json.definition.rules).toHaveLength(1);
  });

  it("a null in the patch puts a field back to its default", async () => {
    const { id } = await createCampaign(p.admin, { ...double, endsAt: "2027-06-01T00:00:00Z", budget: { points: 100 } });
    const res = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { endsAt: null, budget: null } });
    expect(res.status).toBe(200);
    expect(res.json.definition).toMatchObject({ endsAt: null, budget: null });
  });

  it("an edit of an active campaign makes a new version from that moment; the old one keeps its interval", async () => {
    const { id } = await createCampaign(p.admin);
    await act(p.admin, id, "activate");
    await tick();
    const edited = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { rules: [{ ...double.rules[0], effect: { type: "multiply", percent: 300 } }] } });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ version: 2, status: "active" });
    const versions = await call(`/v1/campaigns/${id}/versions`, { key: p.server });
    const [v2, v1] = versions.json.data;
    expect(v2.version).toBe(2);
    expect(v1.version).toBe(1);
    expect(v1.inForce).toHaveLength(1);
    expect(v1.inForce[0].to).not.toBeNull();
    expect(v2.inForce).toEqual([{ from: v1.inForce[0].to, to: null }]);
    expect(v1.definition.rules[0].effect.percent).toBe(200);
  });

  it("an edit of a paused campaign makes a version that is in force only once activated", async () => {
    const { id } = await createCampaign(p.admin);
    await act(p.admin, id, "activate");
    await act(p.admin, id, "pause");
    const edited = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { description: "later" } });
    expect(edited.json).toMatchObject({ version: 2, status: "paused" });
    let versions = await call(`/v1/campaigns/${id}/versions`, { key: p.admin });
    expect(versions.json.data[0].inForce).toEqual([]);
    await act(p.admin, id, "activate");
    versions = await call(`/v1/campaigns/${id}/versions`, { key: p.admin });
    expect(versions.json.data[0].inForce).toHaveLength(1);
    expect(versions.json.data[1].inForce).toHaveLength(1);
  });

  it("lands concurrent edits of an active campaign one after the other, each a version", async () => {
    const { id } = await createCampaign(p.admin);
    await act(p.admin, id, "activate");
    const edits = await Promise.all(
      ["first", "second", "third"].map((description) => call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { description } })),
    );
    expect(edits.map((e) => e.status)).toEqual([200, 200, 200]);
    const versions = (await call(`/v1/campaigns/${id}/versions`, { key: p.admin })).json.data;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);
    expect(versions.map((v: { definition: { description: string } }) => v.definition.description).slice(0, 3).sort()).toEqual(["first", "second", "third"]);
    // Exactly one version in force now, and the intervals follow one another without gaps.
    expect(versions.filter((v: { inForce: { to: string | null }[] }) => v.inForce.some((i) => i.to === null))).toHaveLength(1);
    const intervals = versions.flatMap((v: { inForce: { from: string; to: string | null }[] }) => v.inForce).sort((a: { from: string }, b: { from: string }) => a.from.localeCompare(b.from));
    for (let i = 1; i < intervals.length; i++) expect(intervals[i].from).toBe(intervals[i - 1].to);
  });

  it("a patch that changes nothing makes no version", async () => {
    const { id } = await createCampaign(p.admin);
    await act(p.admin, id, "activate");
    const res = await call(`/v1/campaigns/${id}`, { key: p.admin, method: "PATCH", body: { name: double.name } });
    expect(res.json.version).toBe(1);
  });
});

describe("accruals by the versions in force", () => {
  it("values an order by the version in force at its occurredAt, however late it is posted", async () => {
    const q = await createProgram();
    await enroll(q.server, "ada");
    const { id } = await createCampaign(q.admin);
    await act(q.admin, id, "activate");
    await tick();
    await call(`/v1/campaigns/${id}`, { key: q.admin, method: "PATCH", body: { rules: [{ ...double.rules[0], effect: { type: "multiply", percent: 300 } }] } });
    await tick();
    const [v2, v1] = (await call(`/v1/campaigns/${id}/versions`, { key: q.admin })).json.data;
    // Posted after the edit, occurred while version 1 was in force.
    const late = await accrue(q.server, "ada", 10_000, { occurredAt: v1.inForce[0].from });
    expect(late.status).toBe(201);
    expect(late.json.points).toBe(200);
    expect(late.json.breakdown).toEqual([
      { rule: "base", points: 100 },
      expect.objectContaining({ rule: "campaign", campaignId: id, version: 1, ruleId: "double", points: 100 }),
    ]);
    const now = await accrue(q.server, "ada", 10_000, { occurredAt: v2.inForce[0].from });
    expect(now.json.points).toBe(300);
    expect(now.json.breakdown[1]).toMatchObject({ version: 2, points: 200 });
    // Before the campaign was ever activated: nothing.
    const before = await accrue(q.server, "ada", 10_000, { occurredAt: new Date(Date.parse(v1.inForce[0].from) - 60_000).toISOString() });
    expect(before.json.points).toBe(100);
    await expectLedgerConsistent(q.programId, q.server);
  });

  it("pause takes the campaign out of force from that moment, activate puts it back", async () => {
    const q = await createProgram();
    await enroll(q.server, "ada");
    const { id } = await createCampaign(q.admin);
    await act(q.admin, id, "activate");
    await tick();
    await act(q.admin, id, "pause");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(100);
    const [v1] = (await call(`/v1/campaigns/${id}/versions`, { key: q.admin })).json.data;
    // While it was active, even if posted during the pause.
    expect((await accrue(q.server, "ada", 10_000, { occurredAt: v1.inForce[0].from })).json.points).toBe(200);
    await act(q.admin, id, "activate");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(200);
    await act(q.admin, id, "end");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(100);
  });

  it("sees a change at once in the same isolate, though the rules are cached", async () => {
    const q = await createProgram();
    await enroll(q.server, "ada");
    // Warms the cache with no campaigns.
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(100);
    const { id } = await createCampaign(q.admin);
    await act(q.admin, id, "activate");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(200);
    await call(`/v1/campaigns/${id}`, { key: q.admin, method: "PATCH", body: { rules: [{ ...double.rules[0], effect: { type: "multiply", percent: 500 } }] } });
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(500);
    await act(q.admin, id, "pause");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(100);
  });

  it("keeps the breakdown in the earn entry", async () => {
    const q = await createProgram();
    await enroll(q.server, "ada");
    const { id } = await createCampaign(q.admin);
    await act(q.admin, id, "activate");
    const res = await accrue(q.server, "ada", 10_000);
    const history = await call("/v1/members/ada/transactions", { key: q.server });
    const earn = history.json.data.find((e: { type: string }) => e.type === "earn");
    expect(earn.details.breakdown).toEqual(res.json.breakdown);
    expect(earn.details.breakdown[1]).toMatchObject({ campaignId: id });
  });
});

describe("stats", () => {
  it("counts the points the campaign issued, the members and orders it reached, and the budget left", async () => {
    const q = await createProgram();
    const { id } = await createCampaign(q.admin, { ...double, budget: { points: 1000 } });
    const other = await createCampaign(q.admin, { ...double, name: "other" });
    const empty = await call(`/v1/campaigns/${id}/stats`, { key: q.admin });
    expect(empty.json).toEqual({ campaignId: id, pointsIssued: 0, membersReached: 0, orders: 0, budget: 1000, budgetLeft: 1000 });
    await act(q.admin, id, "activate");
    await act(q.admin, other.id, "activate");
    for (const member of ["ada", "bob"]) await enroll(q.server, member);
    await accrue(q.server, "ada", 10_000);
    await accrue(q.server, "ada", 20_000);
    await accrue(q.server, "bob", 30_000);
    const stats = await call(`/v1/campaigns/${id}/stats`, { key: q.server });
    expect(stats.status).toBe(200);
    expect(stats.json).toEqual({ campaignId: id, pointsIssued: 600, membersReached: 2, orders: 3, budget: 1000, budgetLeft: 400 });
    const unbudgeted = await call(`/v1/campaigns/${other.id}/stats`, { key: q.server });
    expect(unbudgeted.json).toMatchObject({ pointsIssued: 600, budget: null, budgetLeft: null });
  });

  it("stops at the budget: a rule gives what is left, then is listed as capped", async () => {
    const q = await createProgram();
    await enroll(q.server, "ada");
    const { id } = await createCampaign(q.admin, { ...double, budget: { points: 150 } });
    await act(q.admin, id, "activate");
    expect((await accrue(q.server, "ada", 10_000)).json.points).toBe(200);
    const partly = await accrue(q.server, "ada", 10_000);
    expect(partly.json.breakdown[1]).toMatchObject({ points: 50, capped: "budget" });
    const none = await accrue(q.server, "ada", 10_000);
    expect(none.json.points).toBe(100);
    expect(none.json.capped).toEqual([{ campaignId: id, version: 1, ruleId: "double", capped: "budget", points: 100 }]);
    expect((await call(`/v1/campaigns/${id}/stats`, { key: q.admin })).json).toMatchObject({ pointsIssued: 150, budgetLeft: 0 });
  });
});

describe("tenancy", () => {
  it("keeps a program's campaigns out of another program's accruals and lists", async () => {
    const a = await createProgram();
    const b = await createProgram();
    const { id } = await createCampaign(a.admin);
    await act(a.admin, id, "activate");
    await enroll(b.server, "ada");
    expect((await accrue(b.server, "ada", 10_000)).json.points).toBe(100);
    expect((await call("/v1/campaigns", { key: b.admin })).json.data).toEqual([]);
    expect((await act(b.admin, id, "end")).status).toBe(404);
    expect((await call(`/v1/campaigns/${id}`, { key: a.admin })).json.status).toBe("active");
    await foldPending(b.programId);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM member_rule_grants WHERE program_id = ?").bind(b.programId).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
