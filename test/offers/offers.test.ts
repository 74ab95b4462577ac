// GET /v1/members/{memberId}/offers and /v1/me/offers list the campaigns in force beside the rewards, ranked, per program.
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, type TestProgram } from "../helpers";
import { issueToken } from "../tokens/support";

let a: TestProgram;
let b: TestProgram;
let coffeeId: string;
let storeId: string;
let foreignId: string;
let rewardId: string;

async function campaign(p: TestProgram, name: string, rules: object[]) {
  const created = await call("/v1/campaigns", { key: p.admin, body: { name, startsAt: "2026-01-01T00:00:00Z", rules } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
  return created.json.id as string;
}

const item = { sku: "bean-1", category: "coffee", quantity: 1, price: { amount: 5_000, currency: "EUR" } };

beforeAll(async () => {
  a = await createProgram({}, "Offers A");
  b = await createProgram({}, "Offers B");
  await enroll(a.server, "ada");
  expect((await accrue(a.server, "ada", 5_000, { items: [item] })).status).toBe(201);
  await enroll(b.server, "ada");
  rewardId = (await call("/v1/rewards", { key: a.admin, body: { type: "free_shipping", name: "Free shipping", costPoints: 40 } })).json.id;
  coffeeId = await campaign(a, "Coffee week", [{ id: "coffee", trigger: { type: "order" }, conditions: { items: { categories: ["coffee"] } }, effect: { type: "multiply", percent: 200, scope: "items" } }]);
  storeId = await campaign(a, "Store days", [{ id: "store", trigger: { type: "order" }, conditions: { channels: ["store"] }, effect: { type: "fixed", points: 50 } }]);
  await campaign(a, "VIP only", [{ id: "vip", trigger: { type: "order" }, conditions: { attributes: { vip: true } }, effect: { type: "fixed", points: 10 } }]);
  foreignId = await campaign(b, "B's campaign", [{ id: "all", trigger: { type: "order" }, effect: { type: "fixed", points: 5 } }]);
});

describe("offers with campaigns", () => {
  it("ranks the affordable reward, the favourite category's campaign, then the others, with reasons", async () => {
    const res = await call("/v1/members/ada/offers", { key: a.server });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.data.map((o: { rewardId?: string; campaignId?: string }) => o.rewardId ?? o.campaignId)).toEqual([rewardId, coffeeId, storeId]);
    expect(res.json.data[1]).toMatchObject({ kind: "campaign", name: "Coffee week", ruleId: "coffee", effect: "double points on coffee", endsAt: null });
    expect(res.json.data[1].reasons).toEqual([{ code: "favourite_category", category: "coffee", detail: "Matches your favourite category coffee." }]);
    expect(res.json.data[2].reasons).toEqual([{ code: "order_condition", condition: "channels", detail: "Only for orders in store." }]);
  });

  it("answers the same to the member's own token", async () => {
    const mine = await call("/v1/me/offers", { key: await issueToken(a.server, "ada") });
    expect(mine.status).toBe(200);
    expect(mine.json).toEqual((await call("/v1/members/ada/offers", { key: a.server })).json);
  });

  it("keeps programs apart: each sees its own campaigns only", async () => {
    const theirs = await call("/v1/me/offers", { key: await issueToken(b.server, "ada") });
    expect(theirs.status).toBe(200);
    expect(theirs.json.data.map((o: { campaignId?: string }) => o.campaignId)).toEqual([foreignId]);
    const ours = await call("/v1/members/ada/offers", { key: a.server });
    expect(ours.json.data.map((o: { campaignId?: string }) => o.campaignId)).not.toContain(foreignId);
    const missing = await call("/v1/members/nobody/offers", { key: b.server });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("member_not_found");
  });
});
