// The catalog (admin): create, read, change, archive rewards and upload pool codes; causes; the catalog as a member sees it.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createProgram, type TestProgram } from "../helpers";
import { claim, createCause, createReward, fiveOff, memberWith } from "./support";

let p: TestProgram;
let other: TestProgram;

beforeAll(async () => {
  p = await createProgram({ tiers: [{ name: "silver", threshold: 100 }, { name: "gold", threshold: 5000 }] });
  other = await createProgram();
});

describe("rewards catalog", () => {
  it("creates a reward with defaults, reads it back and lists it", async () => {
    const reward = await createReward(p, fiveOff);
    expect(reward).toMatchObject({ status: "active", type: "fixed_discount", costPoints: 500, stock: null, codeSource: "generated", couponValidDays: 30, onExpiry: "keep_points", inventory: null });
    expect(reward.id).toMatch(/^rwd_/);
    expect((await call(`/v1/rewards/${reward.id}`, { key: p.admin })).json).toEqual(reward);
    const list = await call("/v1/rewards", { key: p.admin });
    expect(list.json.data.map((r: { id: string }) => r.id)).toContain(reward.id);
  });

  it("creates every type with what it needs", async () => {
    const cause = await createCause(p, "Type test cause");
    for (const body of [
      { name: "10 %", type: "percent_discount", costPoints: 300, percent: 10, maxDiscount: { amount: 2000, currency: "EUR" } },
      { name: "Free shipping", type: "free_shipping", costPoints: 200 },
      { name: "Tote bag", type: "free_product", costPoints: 800, sku: "TOTE-1", stock: 10 },
      { name: "Trees", type: "donation", costPoints: 100, value: { amount: 100, currency: "EUR" }, causeId: cause.id },
      { name: "Workshop", type: "custom", costPoints: 1000, attributes: { kind: "workshop", seats: 1 } },
    ]) {
      const reward = await createReward(p, body);
      expect(reward.type).toBe(body.type);
    }
  });

  it("shows the stock as the reward's object counts it", async () => {
    const reward = await createReward(p, { ...fiveOff, stock: 3 });
    expect(reward.inventory).toEqual({ stock: 3, left: 3, reserved: 0, claimed: 0, freeCodes: null });
  });

  it("changes a reward and checks it whole again", async () => {
    const reward = await createReward(p, fiveOff);
    const patched = await call(`/v1/rewards/${reward.id}`, { method: "PATCH", key: p.admin, body: { costPoints: 450, stock: 20, tiers: ["gold"] } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ costPoints: 450, stock: 20, tiers: ["gold"], name: "5 EUR off" });
    expect(patched.json.updatedAt > reward.updatedAt).toBe(true);
    const broken = await call(`/v1/rewards/${reward.id}`, { method: "PATCH", key: p.admin, body: { type: "free_product" } });
    expect(broken.status).toBe(400);
    expect(broken.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(["sku"]));
  });

  it("archives a reward, and again answers it as it is", async () => {
    const reward = await createReward(p, fiveOff);
    const archived = await call(`/v1/rewards/${reward.id}/archive`, { method: "POST", key: p.admin, idempotencyKey: null });
    expect(archived.json.status).toBe("archived");
    const again = await call(`/v1/rewards/${reward.id}/archive`, { method: "POST", key: p.admin, idempotencyKey: null });
    expect(again.json).toEqual(archived.json);
    const active = await call("/v1/rewards?status=active", { key: p.admin });
    expect(active.json.data.map((r: { id: string }) => r.id)).not.toContain(reward.id);
  });

  describe.each([
    ["no name", { ...fiveOff, name: undefined }, "name"],
    ["an unknown type", { ...fiveOff, type: "voucher" }, "type"],
    ["zero points", { ...fiveOff, costPoints: 0 }, "costPoints"],
    ["fractional points", { ...fiveOff, costPoints: 1.5 }, "costPoints"],
    ["negative stock", { ...fiveOff, stock: -1 }, "stock"],
    ["a percent over 100", { name: "x", type: "percent_discount", costPoints: 1, percent: 150 }, "percent"],
    ["an unknown field", { ...fiveOff, colour: "red" }, "(body)"],
    ["a fixed discount without value", { name: "x", type: "fixed_discount", costPoints: 1 }, "value"],
    ["a value in another currency", { ...fiveOff, value: { amount: 500, currency: "USD" } }, "value.currency"],
    ["a tier the program lacks", { ...fiveOff, tiers: ["platinum"] }, "tiers.0"],
    ["a donation to another program's cause", { name: "x", type: "donation", costPoints: 1, value: { amount: 1, currency: "EUR" }, causeId: "cause_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }, "causeId"],
    ["a bad limit period", { ...fiveOff, limit: { count: 1, per: "fortnight" } }, "limit.per"],
    ["a bad date", { ...fiveOff, validFrom: "tomorrow" }, "validFrom"],
  ])("refuses %s", (_, body, path) => {
    it("with 400 and the field named", async () => {
      const res = await call("/v1/rewards", { key: p.admin, body, idempotencyKey: null });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("validation_failed");
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    });
  });

  it("answers 404 for another program's reward", async () => {
    const reward = await createReward(p, fiveOff);
    const res = await call(`/v1/rewards/${reward.id}`, { key: other.admin });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("reward_not_found");
    const patch = await call(`/v1/rewards/${reward.id}`, { method: "PATCH", key: other.admin, body: { costPoints: 1 } });
    expect(patch.status).toBe(404);
    expect((await call("/v1/rewards", { key: other.admin })).json.data).toEqual([]);
  });
});

describe("pool codes", () => {
  it("adds the shop's codes, counts duplicates, and hands them out one per claim", async () => {
    const reward = await createReward(p, { ...fiveOff, name: "Pooled", costPoints: 10, codeSource: "pool" });
    expect(reward.inventory).toMatchObject({ left: 0, freeCodes: 0 });
    const upload = await call(`/v1/rewards/${reward.id}/codes`, { key: p.admin, body: { codes: ["SHOP-AAA1", "SHOP-AAA2", "shop-aaa2"] }, idempotencyKey: null });
    expect(upload.status).toBe(200);
    expect(upload.json).toMatchObject({ added: 2, duplicates: 1, inventory: { left: 2, freeCodes: 2 } });
    const again = await call(`/v1/rewards/${reward.id}/codes`, { key: p.admin, body: { codes: ["SHOP-AAA1", "SHOP-AAA3"] }, idempotencyKey: null });
    expect(again.json).toMatchObject({ added: 1, duplicates: 1, inventory: { freeCodes: 3 } });
    await memberWith(p, "pool-member", 100);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await claim(p, "pool-member", reward.id)).json.coupon);
    expect(codes.map((c) => c.code)).toEqual(["SHOP-AAA1", "SHOP-AAA2", "SHOP-AAA3"]);
    expect(codes.every((c) => c.source === "pool")).toBe(true);
    const empty = await claim(p, "pool-member", reward.id);
    expect(empty.status).toBe(422);
    expect(empty.json.code).toBe("reward_out_of_stock");
    const looked = await call("/v1/coupons/shop-aaa2", { key: p.server });
    expect(looked.json).toMatchObject({ code: "SHOP-AAA2", valid: true });
    // A code already handed out, by this reward or another, is not taken into a pool again.
    const second = await createReward(p, { ...fiveOff, name: "Pooled too", costPoints: 10, codeSource: "pool" });
    const reused = await call(`/v1/rewards/${second.id}/codes`, { key: p.admin, body: { codes: ["SHOP-AAA1", "SHOP-BBB1"] }, idempotencyKey: null });
    expect(reused.json).toMatchObject({ added: 1, duplicates: 1, inventory: { freeCodes: 1 } });
  });

  it("refuses codes for a reward that generates its own", async () => {
    const reward = await createReward(p, fiveOff);
    const res = await call(`/v1/rewards/${reward.id}/codes`, { key: p.admin, body: { codes: ["SHOP-1234"] }, idempotencyKey: null });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].path).toBe("codes");
    const bad = await call(`/v1/rewards/${reward.id}/codes`, { key: p.admin, body: { codes: ["no spaces please"] }, idempotencyKey: null });
    expect(bad.status).toBe(400);
  });
});

describe("causes", () => {
  it("are created, read, changed, listed and archived", async () => {
    const cause = await createCause(p, "Ocean cleanup");
    expect(cause).toMatchObject({ name: "Ocean cleanup", status: "active", description: null, url: null });
    const patched = await call(`/v1/causes/${cause.id}`, { method: "PATCH", key: p.admin, body: { url: "https://ocean.example", description: "Nets out" } });
    expect(patched.json).toMatchObject({ url: "https://ocean.example", description: "Nets out", name: "Ocean cleanup" });
    expect((await call(`/v1/causes/${cause.id}`, { key: p.admin })).json).toEqual(patched.json);
    expect((await call("/v1/causes", { key: p.admin })).json.data.map((c: { id: string }) => c.id)).toContain(cause.id);
    const archived = await call(`/v1/causes/${cause.id}/archive`, { method: "POST", key: p.admin, idempotencyKey: null });
    expect(archived.json.status).toBe("archived");
    // An archived cause takes no new donation reward.
    const res = await call("/v1/rewards", { key: p.admin, body: { name: "x", type: "donation", costPoints: 1, value: { amount: 1, currency: "EUR" }, causeId: cause.id }, idempotencyKey: null });
    expect(res.status).toBe(400);
  });

  it("refuse bad input and other programs", async () => {
    expect((await call("/v1/causes", { key: p.admin, body: { name: "" }, idempotencyKey: null })).status).toBe(400);
    expect((await call("/v1/causes", { key: p.admin, body: { name: "x", url: "not a url" }, idempotencyKey: null })).json.errors[0].path).toBe("url");
    const cause = await createCause(p, "Mine");
    const foreign = await call(`/v1/causes/${cause.id}`, { key: other.admin });
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe("cause_not_found");
    expect((await call(`/v1/causes/${cause.id}/donations`, { key: other.admin })).status).toBe(404);
  });
});

describe("the catalog as a member sees it", () => {
  it("says what is claimable now, what needs more points, and why the rest is not", async () => {
    const q = await createProgram({ tiers: [{ name: "gold", threshold: 100_000 }] });
    const cheap = await createReward(q, { ...fiveOff, name: "cheap", costPoints: 50 });
    const dear = await createReward(q, { ...fiveOff, name: "dear", costPoints: 500 });
    const gold = await createReward(q, { ...fiveOff, name: "gold only", costPoints: 10, tiers: ["gold"] });
    const once = await createReward(q, { ...fiveOff, name: "once", costPoints: 10, limit: { count: 1, per: "lifetime" } });
    const later = await createReward(q, { ...fiveOff, name: "later", costPoints: 10, validFrom: "2099-01-01T00:00:00Z" });
    const prime = await createReward(q, { ...fiveOff, name: "prime", costPoints: 10, planIds: ["prime"] });
    const gone = await createReward(q, { ...fiveOff, name: "gone", costPoints: 10, stock: 1 });
    const archived = await createReward(q, { ...fiveOff, name: "archived", costPoints: 10 });
    await call(`/v1/rewards/${archived.id}/archive`, { method: "POST", key: q.admin, idempotencyKey: null });
    await memberWith(q, "ada", 200);
    await memberWith(q, "bob", 100);
    expect((await claim(q, "ada", once.id)).status).toBe(201);
    expect((await claim(q, "bob", gone.id)).status).toBe(201);
    const res = await call("/v1/members/ada/rewards", { key: q.server });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.data.map((l: any) => [l.reward.name, l]));
    expect(Object.keys(byName)).not.toContain("archived");
    expect(byName.cheap).toMatchObject({ claimable: true, pointsNeeded: 0, unavailable: [] });
    expect(byName.dear).toMatchObject({ claimable: false, pointsNeeded: 310, unavailable: [{ reason: "insufficient_points" }] });
    expect(byName["gold only"].unavailable.map((u: any) => u.reason)).toEqual(["tier_required"]);
    expect(byName.once.unavailable.map((u: any) => u.reason)).toEqual(["limit_reached"]);
    expect(byName.later.unavailable.map((u: any) => u.reason)).toEqual(["not_yet_open"]);
    expect(byName.prime.unavailable.map((u: any) => u.reason)).toEqual(["plan_required"]);
    expect(byName.gone).toMatchObject({ stockLeft: 0, unavailable: [{ reason: "out_of_stock" }] });
    expect(cheap.id && dear.id && gold.id && prime.id).toBeTruthy();
  });

  it("answers 404 for a member the program does not have", async () => {
    const res = await call("/v1/members/nobody/rewards", { key: p.server });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});
