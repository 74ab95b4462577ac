// Who may call what: missing or bad keys, wrong roles, and tenant isolation on every route.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "./helpers";

type Role = "admin" | "server" | "partner";

interface RouteCase {
  name: string;
  method: string;
  path: (ids: { redemptionId: string }) => string;
  body?: unknown;
  roles: Role[];
}

const order = { orderId: "iso-order", amount: { amount: 1000, currency: "EUR" } };

const memberRoutes: RouteCase[] = [
  { name: "getProgram", method: "GET", path: () => "/v1/program", roles: ["admin", "server"] },
  { name: "updateProgram", method: "PATCH", path: () => "/v1/program", body: { pendingDays: 1 }, roles: ["admin"] },
  { name: "createPartner", method: "POST", path: () => "/v1/partners", body: { name: "Another brand" }, roles: ["admin"] },
  { name: "listPartners", method: "GET", path: () => "/v1/partners", roles: ["admin"] },
  { name: "listProgramKeys", method: "GET", path: () => "/v1/keys", roles: ["admin"] },
  { name: "createProgramKey", method: "POST", path: () => "/v1/keys", body: { role: "server", name: "extra" }, roles: ["admin"] },
  { name: "enrollMember", method: "PUT", path: () => "/v1/members/ada", body: {}, roles: ["admin", "server"] },
  { name: "getMember", method: "GET", path: () => "/v1/members/ada", roles: ["admin", "server"] },
  { name: "accrue", method: "POST", path: () => "/v1/members/ada/accruals", body: order, roles: ["admin", "server", "partner"] },
  { name: "getBalance", method: "GET", path: () => "/v1/members/ada/balance", roles: ["admin", "server", "partner"] },
  { name: "redeem", method: "POST", path: () => "/v1/members/ada/redemptions", body: { points: 1 }, roles: ["admin", "server", "partner"] },
  {
    name: "refund",
    method: "POST",
    path: () => "/v1/members/ada/refunds",
    body: { orderId: "seed-order", amount: { amount: 1, currency: "EUR" } },
    roles: ["admin", "server", "partner"],
  },
  { name: "listTransactions", method: "GET", path: () => "/v1/members/ada/transactions", roles: ["admin", "server", "partner"] },
  { name: "getRedemption", method: "GET", path: ({ redemptionId }) => `/v1/redemptions/${redemptionId}`, roles: ["admin", "server", "partner"] },
  { name: "captureRedemption", method: "POST", path: ({ redemptionId }) => `/v1/redemptions/${redemptionId}/capture`, roles: ["admin", "server", "partner"] },
  { name: "cancelRedemption", method: "POST", path: ({ redemptionId }) => `/v1/redemptions/${redemptionId}/cancel`, roles: ["admin", "server", "partner"] },
];

let a: TestProgram;
let b: TestProgram;
let redemptionId: string;

beforeAll(async () => {
  a = await createProgram({}, "Program A");
  b = await createProgram({}, "Program B");
  for (const p of [a, b]) {
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 100_000, { orderId: "seed-order" })).status).toBe(201);
  }
  const hold = await redeem(a.server, "ada", 10, { mode: "hold", ttlSeconds: 3600 });
  redemptionId = hold.json.id;
});

async function snapshot() {
  const tables = ["members", "lots", "entries", "redemptions", "orders", "idempotency_keys", "outbox_events", "partners", "programs"];
  const counts: Record<string, unknown> = {};
  for (const t of tables) counts[t] = (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first())!.n;
  counts.programSettings = (await env.DB.prepare("SELECT group_concat(settings) AS s FROM programs").first())!.s;
  return counts;
}

describe.each(memberRoutes)("$name", (route) => {
  const request = (key: string | null) =>
    call(route.path({ redemptionId }), { method: route.method, key, body: route.body });

  it("refuses a missing key with 401 problem+json", async () => {
    const res = await request(null);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json.code).toBe("unauthorized");
  });

  it("refuses an unknown key with 401", async () => {
    const res = await request("trk_0000000000000000000000000000000000000000000000000000000000000000");
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("unauthorized");
  });

  const forbidden = (["admin", "server", "partner"] as Role[]).filter((r) => !route.roles.includes(r));
  if (forbidden.length > 0) {
    it.each(forbidden)("refuses a %s key with 403", async (role) => {
      const before = await snapshot();
      const res = await request(a[role]);
      expect(res.status).toBe(403);
      expect(res.json.code).toBe("forbidden");
      expect(await snapshot()).toEqual(before);
    });
  }

  it("never reaches program A's data with program B's keys", async () => {
    const before = await snapshot();
    for (const role of route.roles) {
      const res = await request(b[role]);
      if (route.path({ redemptionId }).startsWith("/v1/redemptions/")) {
        // The redemption is A's: for B it does not exist.
        expect(res.status, role).toBe(404);
        expect(res.json.code).toBe("redemption_not_found");
      } else {
        expect(res.status, role).toBeLessThan(500);
      }
    }
    // Whatever B did, A's member is untouched.
    const aBalance = await call("/v1/members/ada/balance", { key: a.server });
    expect(aBalance.json).toMatchObject({ available: 990, held: 10 });
    const aHistory = await call("/v1/members/ada/transactions", { key: a.server });
    expect(aHistory.json.data.map((e: { type: string }) => e.type).sort()).toEqual(["earn", "hold"]);
    const after = await snapshot();
    // B's own writes stay in B: A's rows are the same.
    const aRows = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE program_id = ?").bind(a.programId).first();
    expect(aRows!.n).toBe(2);
    expect(after.programs).toBe(before.programs);
  });
});

describe("program isolation", () => {
  it("shows each program only its own members and settings", async () => {
    const mine = await call("/v1/program", { key: a.admin });
    expect(mine.json.id).toBe(a.programId);
    const theirs = await call("/v1/program", { key: b.admin });
    expect(theirs.json.id).toBe(b.programId);
    const ghost = await call("/v1/members/only-in-a/balance", { key: b.server });
    await enroll(a.server, "only-in-a");
    expect((await call("/v1/members/only-in-a/balance", { key: b.server })).status).toBe(404);
    expect(ghost.json.code).toBe("member_not_found");
    await expectLedgerConsistent(a.programId, a.server);
    await expectLedgerConsistent(b.programId, b.server);
  });

  it("keeps a partner to its own redemptions and orders", async () => {
    const serverHold = await redeem(a.server, "ada", 5, { mode: "hold" });
    const partnerTry = await call(`/v1/redemptions/${serverHold.json.id}/cancel`, { key: a.partner, method: "POST" });
    expect(partnerTry.status).toBe(404);
    const refundTry = await call("/v1/members/ada/refunds", {
      key: a.partner,
      body: { orderId: "seed-order", amount: { amount: 1, currency: "EUR" } },
    });
    expect(refundTry.status).toBe(404);
    expect(refundTry.json.code).toBe("order_not_found");
    const ownOrder = await accrue(a.partner, "ada", 1000, { orderId: "partner-order" });
    expect(ownOrder.status).toBe(201);
    const history = await call("/v1/members/ada/transactions", { key: a.partner });
    expect(history.json.data.every((e: { partnerId: string }) => e.partnerId === a.partnerId)).toBe(true);
    expect(history.json.data).toHaveLength(1);
    await expectLedgerConsistent(a.programId, a.server);
  });
});

describe("platform token", () => {
  it("alone creates programs and keys", async () => {
    expect((await call("/v1/programs", { key: a.admin, body: { name: "x" } })).status).toBe(401);
    expect((await call("/v1/programs", { key: "wrong", body: { name: "x" } })).status).toBe(401);
    expect((await call(`/v1/programs/${a.programId}/keys`, { key: a.admin, body: { role: "admin" } })).status).toBe(401);
  });

  it("binds partner keys to a partner of the same program", async () => {
    const token = env.ADMIN_TOKEN;
    const noPartner = await call(`/v1/programs/${a.programId}/keys`, { key: token, body: { role: "partner" } });
    expect(noPartner.status).toBe(400);
    const foreign = await call(`/v1/programs/${a.programId}/keys`, { key: token, body: { role: "partner", partnerId: b.partnerId } });
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe("partner_not_found");
  });

  it("refuses a revoked key at once", async () => {
    expect((await call("/v1/members/ada/balance", { key: b.server })).status).toBe(200);
    const keys = await call("/v1/keys", { key: b.admin });
    const server = keys.json.data.find((k: { role: string }) => k.role === "server");
    expect((await call(`/v1/keys/${server.id}`, { method: "DELETE", key: b.admin })).status).toBe(200);
    expect((await call("/v1/members/ada/balance", { key: b.server })).status).toBe(401);
  });
});
