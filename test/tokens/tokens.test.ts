// Member tokens over HTTP: issue, the checks a token must pass on /v1/me, revocation and key rotation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { claimsFor, forge, handMade, issueToken, me, storedKey } from "./support";

let a: TestProgram;
let b: TestProgram;

beforeAll(async () => {
  a = await createProgram({}, "Token program A");
  b = await createProgram({}, "Token program B");
  for (const p of [a, b]) {
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 10_000)).status).toBe(201);
  }
  await enroll(a.server, "bob");
});

describe("issuing a member token", () => {
  it("answers a JWT for the member with the program as audience, 15 minutes and read by default", async () => {
    const res = await call("/v1/members/ada/tokens", { key: a.server, body: {}, idempotencyKey: null });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ tokenType: "Bearer", memberId: "ada", scopes: ["read"], expiresIn: 900 });
    const [header, payload] = (res.json.token as string).split(".").slice(0, 2).map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
    expect(header).toEqual({ alg: "HS256", typ: "JWT", kid: res.json.keyId });
    expect(payload).toMatchObject({ iss: "treue", aud: a.programId, sub: "ada", scope: "read" });
    expect(payload.exp - payload.iat).toBe(900);
    expect(Date.parse(res.json.expiresAt) - Date.parse(res.json.issuedAt)).toBe(900_000);
  });

  it("takes a lifetime up to 24 hours and the claim scope", async () => {
    const res = await call("/v1/members/ada/tokens", { key: a.admin, body: { ttlSeconds: 86_400, scopes: ["read", "claim"] }, idempotencyKey: null });
    expect(res.status).toBe(201);
    expect(res.json.scopes).toEqual(["read", "claim"]);
    const longer = await call("/v1/members/ada/tokens", { key: a.server, body: { ttlSeconds: 86_401 }, idempotencyKey: null });
    expect(longer.status).toBe(400);
    const unknownScope = await call("/v1/members/ada/tokens", { key: a.server, body: { scopes: ["admin"] }, idempotencyKey: null });
    expect(unknownScope.status).toBe(400);
  });

  it("creates one signing key per program on first use", async () => {
    await issueToken(a.server, "ada");
    await issueToken(b.server, "ada");
    const keys = await env.DB.prepare("SELECT program_id, COUNT(*) AS n FROM token_signing_keys WHERE retired_at IS NULL GROUP BY program_id").all<{ n: number }>();
    expect(keys.results.map((r) => r.n)).toEqual([1, 1]);
  });
});

describe("a member token on /v1/me", () => {
  it("reads the member's own balance", async () => {
    const res = await me("/balance", await issueToken(a.server, "ada"));
    expect(res.status).toBe(200);
    expect(res.json.available).toBe(100);
  });

  it("is refused once expired (token_expired)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge(a.programId, claimsFor(a.programId, "ada", { iat: now - 3600, exp: now - 600 }));
    const res = await me("/balance", token);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_expired");
  });

  it("is refused for another audience, even signed with the program's own key", async () => {
    const token = await forge(a.programId, claimsFor(a.programId, "ada", { aud: "shop.example" }));
    const res = await me("/balance", token);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("is refused when it names another program than the one whose key signed it", async () => {
    await issueToken(b.server, "ada");
    const token = await forge(a.programId, claimsFor(b.programId, "ada"));
    const res = await me("/balance", token);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("is refused when tampered with (another member in the same signature)", async () => {
    const token = await issueToken(a.server, "ada");
    const [header, , signature] = token.split(".");
    const payload = handMade({}, claimsFor(a.programId, "bob")).split(".")[1];
    const res = await me("/balance", `${header}.${payload}.${signature}`);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("is refused with alg none, whatever it claims", async () => {
    const { kid } = await storedKey(a.programId);
    const res = await me("/balance", handMade({ alg: "none", typ: "JWT", kid }, claimsFor(a.programId, "ada")));
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("is refused with a key id the program does not have", async () => {
    const { secret } = await storedKey(a.programId);
    const { signToken } = await import("../../src/tokens/jwt");
    const res = await me("/balance", await signToken(claimsFor(a.programId, "ada"), "no-such-kid", secret));
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("is refused without the route's scope (insufficient_scope)", async () => {
    const res = await me("/balance", await issueToken(a.server, "ada", { scopes: ["claim"] }));
    expect(res.status).toBe(403);
    expect(res.json.code).toBe("insufficient_scope");
  });

  it("for a member the program does not have answers 404 member_not_found", async () => {
    const res = await me("/balance", await issueToken(a.server, "nobody"));
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });

  it("never opens a program-key route", async () => {
    const token = await issueToken(a.server, "ada");
    for (const path of ["/v1/members/ada/balance", "/v1/members/bob/transactions", "/v1/program"]) {
      const res = await call(path, { key: token });
      expect(res.status, path).toBe(401);
      expect(res.json.code).toBe("unauthorized");
    }
  });

  it("is the only thing /v1/me takes: program keys are refused there", async () => {
    for (const key of [a.server, a.admin, a.partner, env.ADMIN_TOKEN]) {
      const res = await me("/balance", key);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("token_invalid");
    }
  });
});

describe("revocation", () => {
  it("refuses every token of the member issued before it, at once, and takes one issued after", async () => {
    const before = await issueToken(a.server, "bob");
    const other = await issueToken(a.server, "ada");
    expect((await me("/balance", before)).status).toBe(200);
    const res = await call("/v1/members/bob/tokens/revoke", { key: a.server, method: "POST" });
    expect(res.status).toBe(200);
    expect(res.json.memberId).toBe("bob");
    const refused = await me("/balance", before);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe("token_revoked");
    expect((await me("/balance", other)).status, "another member's tokens stay valid").toBe(200);
    expect((await me("/balance", await issueToken(a.server, "bob"))).status).toBe(200);
  });
});

describe("key rotation", () => {
  it("signs with the new key and still takes tokens of the old one until they expire", async () => {
    const old = await issueToken(b.server, "ada");
    const oldKid = JSON.parse(atob(old.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).kid;
    const rotated = await call("/v1/token-keys/rotate", { key: b.admin, method: "POST" });
    expect(rotated.status).toBe(201);
    expect(rotated.json.retiring).toEqual([{ kid: oldKid, retiredAt: expect.any(String) }]);
    expect(Date.parse(rotated.json.retiring[0].retiredAt) - Date.now()).toBeGreaterThan(86_000_000);
    const fresh = await call("/v1/members/ada/tokens", { key: b.server, body: {}, idempotencyKey: null });
    expect(fresh.json.keyId).toBe(rotated.json.kid);
    expect((await me("/balance", old)).status).toBe(200);
    expect((await me("/balance", fresh.json.token)).status).toBe(200);
  });

  it("stops taking the old key's tokens once the key is retired", async () => {
    const old = await issueToken(b.server, "ada");
    const oldKid = JSON.parse(atob(old.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).kid;
    await call("/v1/token-keys/rotate", { key: b.admin, method: "POST" });
    // As if the retirement time had come: the key no longer verifies.
    await env.DB.prepare("UPDATE token_signing_keys SET retired_at = ?1 WHERE program_id = ?2 AND kid = ?3").bind(new Date(Date.now() - 1000).toISOString(), b.programId, oldKid).run();
    await call("/v1/token-keys/rotate", { key: b.admin, method: "POST" });
    const res = await me("/balance", old);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("token_invalid");
  });

  it("changes no ledger", async () => {
    await expectLedgerConsistent(a.programId, a.server);
    await expectLedgerConsistent(b.programId, b.server);
  });
});
