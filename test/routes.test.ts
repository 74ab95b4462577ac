// Happy paths and bad input of the routes around the ledger: program, partners, members, history, docs.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, redeem } from "./helpers";

describe("programs", () => {
  it("creates a program with defaults and validates its settings", async () => {
    const token = env.ADMIN_TOKEN;
    const res = await call("/v1/programs", { key: token, body: { name: "Shop" } });
    expect(res.status).toBe(201);
    expect(res.json.settings).toMatchObject({ currency: "EUR", earnRate: { points: 1, perAmount: 100 }, rounding: "floor", tiers: [] });
    const bad = await call("/v1/programs", {
      key: token,
      body: { name: "", settings: { currency: "XXQ", earnRate: { points: 1.5, perAmount: 0 }, tiers: [{ name: "a", threshold: -1 }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("validation_failed");
    const paths = bad.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "settings.currency", "settings.earnRate.points", "settings.earnRate.perAmount", "settings.tiers.0.threshold"]));
  });

  it("reads and patches the key's program settings", async () => {
    const p = await createProgram();
    const got = await call("/v1/program", { key: p.server });
    expect(got.json).toMatchObject({ id: p.programId, closedThrough: null });
    const patched = await call("/v1/program", {
      method: "PATCH",
      key: p.admin,
      body: { pendingDays: 14, tiers: [{ name: "gold", threshold: 500, multiplierPercent: 200 }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.settings).toMatchObject({ pendingDays: 14, currency: "EUR", tiers: [{ name: "gold", threshold: 500, multiplierPercent: 200 }] });
    const dupes = await call("/v1/program", {
      method: "PATCH",
      key: p.admin,
      body: { tiers: [{ name: "a", threshold: 1 }, { name: "a", threshold: 2 }] },
    });
    expect(dupes.status).toBe(400);
    expect((await call("/v1/program", { method: "PATCH", key: p.admin, body: { nonsense: 1 } })).status).toBe(400);
  });

  it("fixes the currency once an order was accrued", async () => {
    const p = await createProgram();
    expect((await call("/v1/program", { method: "PATCH", key: p.admin, body: { currency: "USD" } })).status).toBe(200);
    expect((await call("/v1/program", { method: "PATCH", key: p.admin, body: { currency: "EUR" } })).status).toBe(200);
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 100);
    const locked = await call("/v1/program", { method: "PATCH", key: p.admin, body: { currency: "USD" } });
    expect(locked.status).toBe(422);
    expect(locked.json.code).toBe("currency_locked");
  });
});

describe("keys", () => {
  it("lets an admin key issue, list and revoke the program's keys", async () => {
    const p = await createProgram();
    const issued = await call("/v1/keys", { key: p.admin, body: { role: "server", name: "pos" } });
    expect(issued.status).toBe(201);
    expect(issued.json.key).toMatch(/^trk_[0-9a-f]{64}$/);
    expect((await call("/v1/program", { key: issued.json.key })).status).toBe(200);
    const list = await call("/v1/keys", { key: p.admin });
    expect(list.json.data.map((k: { name: string }) => k.name)).toContain("pos");
    expect(JSON.stringify(list.json)).not.toContain(issued.json.key);
    expect(list.json.data[0].keyHash).toBeUndefined();
    const revoked = await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: p.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).toBeTruthy();
    expect((await call("/v1/program", { key: issued.json.key })).status).toBe(401);
    expect((await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(404);
  });

  it("keeps keys to their program and their role", async () => {
    const p = await createProgram();
    const q = await createProgram();
    const theirs = (await call("/v1/keys", { key: q.admin })).json.data[0].id;
    expect((await call(`/v1/keys/${theirs}`, { method: "DELETE", key: p.admin })).status).toBe(404);
    expect((await call("/v1/keys", { key: p.server, body: { role: "admin" } })).status).toBe(403);
    expect((await call("/v1/keys", { key: p.admin, body: { role: "partner", partnerId: q.partnerId } })).json.code).toBe("partner_not_found");
    expect((await call("/v1/keys", { key: p.admin, body: { role: "root" } })).status).toBe(400);
  });
});

describe("partners", () => {
  it("adds partners, lists them, and refuses a duplicate name", async () => {
    const p = await createProgram();
    expect((await call("/v1/partners", { key: p.admin, body: { name: "Rail" } })).status).toBe(201);
    expect((await call("/v1/partners", { key: p.admin, body: { name: "Rail" } })).json.code).toBe("partner_exists");
    expect((await call("/v1/partners", { key: p.admin, body: {} })).status).toBe(400);
    const list = await call("/v1/partners", { key: p.admin });
    expect(list.json.data.map((x: { name: string }) => x.name)).toEqual(["Partner brand", "Rail"]);
  });
});

describe("members", () => {
  it("enrolls with 201, updates with 200, and reads the member with the balance", async () => {
    const p = await createProgram();
    const created = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { email: "ada@example.com", name: "Ada" } });
    expect(created.status).toBe(201);
    const updated = await call("/v1/members/ada", { method: "PUT", key: p.server, body: { name: "Ada L." } });
    expect(updated.status).toBe(200);
    const got = await call("/v1/members/ada", { key: p.server });
    expect(got.json).toMatchObject({ memberId: "ada", email: "ada@example.com", name: "Ada L.", balance: { available: 0 } });
  });

  it.each([
    ["a bad email", { email: "not-an-email" }],
    ["an unknown field", { nickname: "x" }],
    ["a nested attribute", { attributes: { deep: { x: 1 } } }],
  ])("refuses %s", async (_name, body) => {
    const p = await createProgram();
    const res = await call("/v1/members/ada", { method: "PUT", key: p.server, body });
    expect(res.status).toBe(400);
    expect(res.json.errors.length).toBeGreaterThan(0);
  });

  it.each(["tab\there", "line\nbreak", "a".repeat(256)])("refuses the member id %j", async (id) => {
    const p = await createProgram();
    const res = await call(`/v1/members/${encodeURIComponent(id)}/balance`, { key: p.server });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("answers 404 for a member who was never enrolled", async () => {
    const p = await createProgram();
    for (const path of ["/v1/members/nobody", "/v1/members/nobody/balance", "/v1/members/nobody/transactions"]) {
      const res = await call(path, { key: p.server });
      expect(res.status, path).toBe(404);
      expect(res.json.code).toBe("member_not_found");
    }
    expect((await redeem(p.server, "nobody", 1)).json.code).toBe("member_not_found");
  });
});

describe("transactions", () => {
  it("pages the history newest first with a cursor", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    for (let i = 0; i < 5; i++) await accrue(p.server, "ada", 100 * (i + 1), { orderId: `o-${i}` });
    const first = await call("/v1/members/ada/transactions?limit=2", { key: p.server });
    expect(first.json.data.map((e: { orderId: string }) => e.orderId)).toEqual(["o-4", "o-3"]);
    const second = await call(`/v1/members/ada/transactions?limit=2&cursor=${first.json.nextCursor}`, { key: p.server });
    expect(second.json.data.map((e: { orderId: string }) => e.orderId)).toEqual(["o-2", "o-1"]);
    const last = await call(`/v1/members/ada/transactions?limit=2&cursor=${second.json.nextCursor}`, { key: p.server });
    expect(last.json.data.map((e: { orderId: string }) => e.orderId)).toEqual(["o-0"]);
    expect(last.json.nextCursor).toBeNull();
    expect(first.json.data[0]).toMatchObject({ type: "earn", points: 5, heldPoints: 0, channel: "online" });
    expect((await call("/v1/members/ada/transactions?limit=0", { key: p.server })).status).toBe(400);
    expect((await call("/v1/members/ada/transactions?limit=abc", { key: p.server })).status).toBe(400);
  });
});

describe("redemptions", () => {
  it("reads one redemption, and refuses a malformed id", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await accrue(p.server, "ada", 10_000);
    const r = await redeem(p.server, "ada", 10, { mode: "hold" });
    const got = await call(`/v1/redemptions/${r.json.id}`, { key: p.server });
    expect(got.json).toMatchObject({ id: r.json.id, status: "held", points: 10, value: { amount: 10, currency: "EUR" } });
    expect((await call("/v1/redemptions/nope", { key: p.server })).status).toBe(400);
    expect((await call("/v1/redemptions/red_00000000000000000000000000", { key: p.server })).status).toBe(404);
  });

  it.each([
    ["zero points", { points: 0 }],
    ["fractional points", { points: 1.5 }],
    ["an unknown mode", { points: 1, mode: "steal" }],
    ["a too short hold", { points: 1, mode: "hold", ttlSeconds: 1 }],
  ])("refuses %s", async (_name, body) => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const res = await call("/v1/members/ada/redemptions", { key: p.server, body });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });
});

describe("documents", () => {
  it("serves an OpenAPI 3.1 document naming every operation", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const ids = Object.values(res.json.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
    expect(ids).toEqual(
      expect.arrayContaining([
        "enrollMember", "getMember", "accrue", "getBalance", "redeem", "captureRedemption", "cancelRedemption",
        "refund", "listTransactions", "getProgram", "updateProgram", "createPartner", "listPartners", "createProgram", "createKey",
        "createProgramKey", "listProgramKeys", "revokeProgramKey",
      ]),
    );
    expect(res.json.paths["/v1/members/{memberId}/redemptions"].post.responses["422"]).toBeDefined();
  });

  it("serves a reference page that loads nothing from elsewhere", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.json).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/);
    expect(res.json).toContain('url: "/openapi.json"');
  });

  it("answers unknown routes with a problem and every response with a request id", async () => {
    const res = await call("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const health = await call("/health");
    expect(health.json).toEqual({ status: "ok", database: "ok" });
  });
});
