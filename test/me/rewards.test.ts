// The member's rewards, claims, coupons and offers with a member token; no member reaches another's.
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { issueToken } from "../tokens/support";

let a: TestProgram;
let b: TestProgram;
let rewardId: string;
let bigRewardId: string;
let segmentRewardId: string;
let segmentId: string;

function asMember(path: string, token: string, options: { method?: string; idempotencyKey?: string | null } = {}) {
  return call(`/v1/me${path}`, { key: token, ...options });
}

beforeAll(async () => {
  a = await createProgram({}, "Me rewards A");
  b = await createProgram({}, "Me rewards B");
  for (const id of ["ada", "bob"]) await enroll(a.server, id);
  await enroll(b.server, "ada");
  expect((await accrue(a.server, "ada", 50_000)).status).toBe(201);
  expect((await accrue(a.server, "bob", 5_000, { channel: "store" })).status).toBe(201);
  expect((await accrue(b.server, "ada", 50_000)).status).toBe(201);
  const seg = await call("/v1/segments", { key: a.admin, body: { name: "store shoppers", conditions: { channels: ["store"] } } });
  expect(seg.status).toBe(201);
  segmentId = seg.json.id;
  const reward = (body: object) => call("/v1/rewards", { key: a.admin, body: { type: "free_shipping", ...body } });
  rewardId = (await reward({ name: "Free shipping", costPoints: 100 })).json.id;
  bigRewardId = (await reward({ name: "Big one", costPoints: 900 })).json.id;
  const restricted = await reward({ name: "Store treat", costPoints: 20, segmentIds: [segmentId] });
  expect(restricted.status, JSON.stringify(restricted.json)).toBe(201);
  segmentRewardId = restricted.json.id;
});

describe("GET /v1/me/rewards", () => {
  it("is the member's catalog, without rewards of segments the member is not in", async () => {
    const res = await asMember("/rewards", await issueToken(a.server, "ada"));
    expect(res.status).toBe(200);
    const ids = res.json.data.map((l: { reward: { id: string } }) => l.reward.id);
    expect(ids).toContain(rewardId);
    expect(ids).not.toContain(segmentRewardId);
    const bob = await asMember("/rewards", await issueToken(a.server, "bob"));
    expect(bob.json.data.map((l: { reward: { id: string } }) => l.reward.id)).toContain(segmentRewardId);
  });

  it("is the same catalog the server key reads for the member", async () => {
    const mine = await asMember("/rewards", await issueToken(a.server, "bob"));
    const theirs = await call("/v1/members/bob/rewards", { key: a.server });
    expect(mine.json).toEqual(theirs.json);
  });
});

describe("POST /v1/me/rewards/{rewardId}/claims", () => {
  it("needs the claim scope", async () => {
    const res = await asMember(`/rewards/${rewardId}/claims`, await issueToken(a.server, "ada"), { method: "POST" });
    expect(res.status).toBe(403);
    expect(res.json.code).toBe("insufficient_scope");
  });

  it("claims for the token's member, once per Idempotency-Key", async () => {
    const token = await issueToken(a.server, "ada", { scopes: ["read", "claim"] });
    const first = await asMember(`/rewards/${rewardId}/claims`, token, { method: "POST", idempotencyKey: "me-claim-1" });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json).toMatchObject({ memberId: "ada", rewardId, points: 100, balance: { available: 400 } });
    const again = await asMember(`/rewards/${rewardId}/claims`, token, { method: "POST", idempotencyKey: "me-claim-1" });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.id).toBe(first.json.id);
  });

  it("refuses a reward of another program as not found", async () => {
    const token = await issueToken(b.server, "ada", { scopes: ["read", "claim"] });
    const res = await asMember(`/rewards/${rewardId}/claims`, token, { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("reward_not_found");
  });
});

describe("coupons", () => {
  it("lists the token's member's coupons only, newest first, page by page", async () => {
    const token = await issueToken(a.server, "ada", { scopes: ["read", "claim"] });
    expect((await asMember(`/rewards/${rewardId}/claims`, token, { method: "POST" })).status).toBe(201);
    const page1 = await asMember("/coupons?limit=1", token);
    expect(page1.status).toBe(200);
    expect(page1.json.data).toHaveLength(1);
    const page2 = await asMember(`/coupons?limit=1&cursor=${encodeURIComponent(page1.json.nextCursor)}`, token);
    expect(page2.json.data).toHaveLength(1);
    expect(page2.json.nextCursor).toBeNull();
    expect(page1.json.data[0].claimId > page2.json.data[0].claimId).toBe(true);
    const server = await call("/v1/members/ada/coupons", { key: a.server });
    expect(server.json.data.map((c: { code: string }) => c.code)).toEqual([page1.json.data[0].code, page2.json.data[0].code]);
    const bob = await asMember("/coupons", await issueToken(a.server, "bob"));
    expect(bob.json).toEqual({ data: [], nextCursor: null });
  });

  it("cannot carry another member's cursor", async () => {
    const ada = await asMember("/coupons?limit=1", await issueToken(a.server, "ada"));
    const res = await asMember(`/coupons?cursor=${encodeURIComponent(ada.json.nextCursor)}`, await issueToken(a.server, "bob"));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_cursor");
  });

  it("answers a member the program does not have with 404", async () => {
    const res = await call("/v1/members/nobody/coupons", { key: a.server });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});

describe("offers", () => {
  it("ranks the affordable reward closest to the balance first and says why, the segment's reward only for its members", async () => {
    const bob = await asMember("/offers", await issueToken(a.server, "bob"));
    expect(bob.status).toBe(200);
    expect(bob.json.availablePoints).toBe(50);
    expect(bob.json.data.map((o: { rewardId: string }) => o.rewardId)).toEqual([segmentRewardId, rewardId, bigRewardId]);
    expect(bob.json.data[0].reasons).toEqual([
      { code: "affordable", detail: "Claimable now for 20 of your 50 points." },
      { code: "segment", detail: 'Offered to the segment "store shoppers".', segmentId },
    ]);
    expect(bob.json.data[1].reasons).toEqual([{ code: "points_to_go", detail: "50 points to go." }]);
    const server = await call("/v1/members/bob/offers", { key: a.server });
    expect(server.json).toEqual(bob.json);
    const ada = await call("/v1/members/ada/offers", { key: a.server });
    expect(ada.json.data.map((o: { rewardId: string }) => o.rewardId)).not.toContain(segmentRewardId);
  });
});

it("leaves the ledgers consistent", async () => {
  await expectLedgerConsistent(a.programId, a.server);
  await expectLedgerConsistent(b.programId, b.server);
});

describe("GET /v1/me/referral and /v1/me/benefits", () => {
  it("answer as the server key's routes for the token's member", async () => {
    expect((await call("/v1/program", { method: "PATCH", key: a.admin, body: { referrals: { enabled: true, shareLinkTemplate: "https://shop.example/r/{code}" } } })).status).toBe(200);
    const token = await issueToken(a.server, "bob");
    const mine = await asMember("/referral", token);
    expect(mine.status, JSON.stringify(mine.json)).toBe(200);
    expect(mine.json).toEqual((await call("/v1/members/bob/referral", { key: a.server })).json);
    expect(mine.json.shareLink).toBe(`https://shop.example/r/${mine.json.code}`);
    const benefits = await asMember("/benefits", token);
    expect(benefits.status).toBe(200);
    expect(benefits.json).toMatchObject({ memberId: "bob", memberships: [], freeShipping: false });
  });

  it("keep another program's member apart: B's token for A's bob finds no member", async () => {
    const token = await issueToken(b.server, "bob");
    for (const path of ["/benefits", "/referral"]) {
      const res = await asMember(path, token);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("member_not_found");
    }
  });
});
