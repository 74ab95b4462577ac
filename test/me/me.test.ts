// The member's own routes with a member token: profile, balance, history, and that no member reaches another's data.
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "../helpers";
import { issueToken, me } from "../tokens/support";

let a: TestProgram;
let b: TestProgram;

beforeAll(async () => {
  a = await createProgram({}, "Me program A");
  b = await createProgram({}, "Me program B");
  await enroll(a.server, "ada", { name: "Ada Lovelace", email: "ada@example.com", attributes: { fraudScore: 3 } });
  await enroll(a.server, "bob", { name: "Bob" });
  await enroll(b.server, "ada", { name: "Other Ada" });
  for (let i = 0; i < 3; i++) expect((await accrue(a.server, "ada", 10_000)).status).toBe(201);
  expect((await accrue(a.server, "bob", 50_000)).status).toBe(201);
  expect((await accrue(b.server, "ada", 70_000)).status).toBe(201);
  expect((await redeem(a.server, "ada", 20)).status).toBe(201);
});

describe("GET /v1/me", () => {
  it("answers the member's profile and balance, not the shop's own attributes", async () => {
    const res = await me("", await issueToken(a.server, "ada"));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ memberId: "ada", name: "Ada Lovelace", email: "ada@example.com", tier: null, balance: { available: 280 } });
    expect(res.json.attributes).toBeUndefined();
  });

  it("works for member ids with any printable characters", async () => {
    const id = "gid://shopify/Customer/José 42";
    await enroll(a.server, id);
    const res = await me("", await issueToken(a.server, id));
    expect(res.status).toBe(200);
    expect(res.json.memberId).toBe(id);
  });
});

describe("GET /v1/me/balance", () => {
  it("is the same balance the server key reads", async () => {
    const mine = await me("/balance", await issueToken(a.server, "ada"));
    const server = await call("/v1/members/ada/balance", { key: a.server });
    expect(mine.json).toEqual(server.json);
  });
});

describe("GET /v1/me/history", () => {
  it("pages through the member's own entries, newest first", async () => {
    const token = await issueToken(a.server, "ada");
    const first = await me("/history?limit=2", token);
    expect(first.status).toBe(200);
    expect(first.json.data.map((e: { type: string }) => e.type)).toEqual(["redeem", "earn"]);
    const rest = await me(`/history?limit=10&cursor=${encodeURIComponent(first.json.nextCursor)}`, token);
    expect(rest.json.data).toHaveLength(2);
    expect(rest.json.nextCursor).toBeNull();
    expect([...first.json.data, ...rest.json.data].every((e: { memberId: string }) => e.memberId === "ada")).toBe(true);
  });

  it("refuses a cursor of another list (the server key's history of the same member)", async () => {
    const server = await call("/v1/members/ada/transactions?limit=1", { key: a.server });
    const res = await me(`/history?cursor=${encodeURIComponent(server.json.nextCursor)}`, await issueToken(a.server, "ada"));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_cursor");
  });
});

describe("isolation between members", () => {
  it("gives member A's token only A's data, whatever the request says", async () => {
    const token = await issueToken(a.server, "ada");
    for (const path of ["", "/balance", "/history"]) {
      const res = await call(`/v1/me${path}?memberId=bob`, { key: token });
      expect(res.status, path).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain("bob");
    }
    expect((await me("", token)).json.balance.available).toBe(280);
    expect((await me("", await issueToken(a.server, "bob"))).json.balance.available).toBe(500);
  });

  it("keeps a member of one program apart from the same id in another", async () => {
    const inB = await me("", await issueToken(b.server, "ada"));
    expect(inB.json).toMatchObject({ name: "Other Ada", balance: { available: 700 } });
    const history = await me("/history", await issueToken(b.server, "ada"));
    expect(history.json.data).toHaveLength(1);
  });

  it("cannot carry another member's cursor into its own history", async () => {
    const bobs = await me("/history?limit=1", await issueToken(a.server, "bob"));
    await accrue(a.server, "bob", 100);
    const again = await me("/history?limit=1", await issueToken(a.server, "bob"));
    const res = await me(`/history?cursor=${encodeURIComponent(again.json.nextCursor ?? bobs.json.nextCursor)}`, await issueToken(a.server, "ada"));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_cursor");
  });

  it("leaves the ledger consistent", async () => {
    await expectLedgerConsistent(a.programId, a.server);
    await expectLedgerConsistent(b.programId, b.server);
  });
});

describe("unknown paths under /v1/me", () => {
  it("need a member token like the rest, and then are 404", async () => {
    expect((await me("/nothing-here", null)).status).toBe(401);
    const res = await me("/nothing-here", await issueToken(a.server, "ada"));
    expect(res.status).toBe(404);
  });
});
