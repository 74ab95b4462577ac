// The till scans a member card: resolves it once to the member, optionally with a hold, refuses expired, replayed and foreign codes.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { cardCode, cardNonce, cardStep } from "../../src/tokens/card";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { storedKey, issueToken, me } from "../tokens/support";

let a: TestProgram;
let b: TestProgram;

beforeAll(async () => {
  a = await createProgram({}, "Store program A");
  b = await createProgram({}, "Store program B");
  await enroll(a.server, "ada", { name: "Ada" });
  await enroll(a.server, "bob");
  await enroll(b.server, "ada");
  expect((await accrue(a.server, "ada", 100_000)).status).toBe(201);
});

async function shownCard(program: TestProgram, memberId: string): Promise<string> {
  const res = await me("/card", await issueToken(program.server, memberId));
  expect(res.status).toBe(200);
  return res.json.code;
}

/** A code as the card showed it `stepsAgo` steps back, made with the program's real key. */
async function oldCode(programId: string, memberId: string, stepsAgo: number): Promise<string> {
  const { secret } = await storedKey(programId);
  return cardCode(secret, programId, { memberId, step: cardStep(Date.now()) - stepsAgo, nonce: cardNonce() });
}

function scan(key: string, body: object, idempotencyKey?: string) {
  return call("/v1/pos/scans", { key, body, idempotencyKey });
}

describe("POST /v1/pos/scans", () => {
  it("resolves a card shown now to the member and their balance", async () => {
    const res = await scan(a.server, { code: await shownCard(a, "ada") });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ memberId: "ada", name: "Ada", tier: null, hold: null, balance: { available: 1000 } });
  });

  it("takes a code as typed at the till, in lower case", async () => {
    const res = await scan(a.server, { code: (await shownCard(a, "bob")).toLowerCase() });
    expect(res.status).toBe(200);
    expect(res.json.memberId).toBe("bob");
  });

  it("resolves a code once: a second scan is card_code_replayed", async () => {
    const code = await shownCard(a, "ada");
    expect((await scan(a.server, { code })).status).toBe(200);
    const again = await scan(a.server, { code });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("card_code_replayed");
  });

  it("gives every card shown its own code: two in one step resolve once each", async () => {
    const first = await shownCard(a, "bob");
    const second = await shownCard(a, "bob");
    expect(first).not.toBe(second);
    expect((await scan(a.server, { code: first })).status).toBe(200);
    expect((await scan(a.server, { code: second })).status).toBe(200);
    expect((await scan(a.server, { code: second })).status).toBe(409);
  });

  it("replays the first answer to a retry with the same Idempotency-Key", async () => {
    const code = await shownCard(a, "bob");
    const first = await scan(a.server, { code }, "till-7-retry");
    const retry = await scan(a.server, { code }, "till-7-retry");
    expect(retry.status).toBe(200);
    expect(retry.json.memberId).toBe(first.json.memberId);
    expect((await scan(a.admin, { code }, "till-7-retry")).json.code, "the same key from another caller").toBe("card_code_replayed");
  });

  it("takes the previous step's code, and refuses an older one as card_code_expired", async () => {
    expect((await scan(a.server, { code: await oldCode(a.programId, "ada", 1) })).status).toBe(200);
    for (const stepsAgo of [2, 2880]) {
      const res = await scan(a.server, { code: await oldCode(a.programId, "ada", stepsAgo) });
      expect(res.status).toBe(422);
      expect(res.json.code).toBe("card_code_expired");
    }
  });

  it("refuses another program's card, a made-up code and a code from the future as card_code_invalid", async () => {
    const foreign = await shownCard(b, "ada");
    const { secret } = await storedKey(a.programId);
    const future = await cardCode(secret, a.programId, { memberId: "ada", step: cardStep(Date.now()) + 5, nonce: cardNonce() });
    const forged = (await shownCard(a, "ada")).replace(/\.[A-Z2-7]+$/, ".AAAAAAAAAAAAAAAA");
    for (const code of [foreign, future, forged, "not a card", "T1.MFSGC.1.AAAAAAAA.AAAAAAAAAAAAAAAA"]) {
      const res = await scan(a.server, { code });
      expect(res.status, code).toBe(422);
      expect(res.json.code).toBe("card_code_invalid");
    }
    expect((await scan(b.server, { code: foreign })).status, "B's own till takes it").toBe(200);
  });

  it("places a one-time hold for the basket through the member's ledger", async () => {
    const res = await scan(a.server, { code: await shownCard(a, "ada"), hold: { points: 300, ttlSeconds: 600 } }, "basket-42");
    expect(res.status).toBe(200);
    expect(res.json.hold).toMatchObject({ status: "held", points: 300, channel: "store", memberId: "ada" });
    expect(res.json.balance).toMatchObject({ available: 700, held: 300 });
    const retry = await scan(a.server, { code: await shownCard(a, "ada") }, "basket-42");
    expect(retry.status, "another code under the same key").toBe(422);
    expect(retry.json.code).toBe("idempotency_key_reused");
    const held = await call(`/v1/redemptions/${res.json.hold.id}/capture`, { key: a.server, method: "POST" });
    expect(held.status).toBe(200);
    await expectLedgerConsistent(a.programId, a.server);
  });

  it("replays the hold to a retry, without holding twice", async () => {
    const body = { code: await shownCard(a, "bob"), hold: { points: 1 } };
    const refused = await scan(a.server, body, "basket-43");
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe("insufficient_points");
    expect((await scan(a.server, body, "basket-43")).json.code).toBe("insufficient_points");
    const code = await shownCard(a, "ada");
    const first = await scan(a.server, { code, hold: { points: 10 } }, "basket-44");
    const again = await scan(a.server, { code, hold: { points: 10 } }, "basket-44");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json.hold.id).toBe(first.json.hold.id);
    const holds = await env.DB.prepare("SELECT COUNT(*) AS n FROM redemptions WHERE program_id = ?1 AND member_id = 'ada' AND points = 10").bind(a.programId).first<{ n: number }>();
    expect(holds!.n).toBe(1);
    await expectLedgerConsistent(a.programId, a.server);
  });

  it("forgets codes no till can take any more", async () => {
    await scan(a.server, { code: await shownCard(a, "ada") });
    const stale = await env.DB.prepare("SELECT COUNT(*) AS n FROM card_scans WHERE program_id = ?1 AND step < ?2").bind(a.programId, cardStep(Date.now()) - 5).first<{ n: number }>();
    expect(stale!.n).toBe(0);
  });
});

describe("earn online, redeem in store", () => {
  it("works on one balance: an online accrual, a hold at the till, a store accrual", async () => {
    await enroll(a.server, "omni");
    expect((await accrue(a.server, "omni", 20_000, { channel: "online" })).status).toBe(201);
    const held = await scan(a.server, { code: await shownCard(a, "omni"), hold: { points: 150 } });
    expect(held.json.balance.available).toBe(50);
    expect((await call(`/v1/redemptions/${held.json.hold.id}/capture`, { key: a.server, method: "POST" })).status).toBe(200);
    const store = await accrue(a.server, "omni", 5_000, { channel: "store", storeId: "berlin-mitte" });
    expect(store.status, JSON.stringify(store.json)).toBe(201);
    expect((await me("/balance", await issueToken(a.server, "omni"))).json.available).toBe(100);
    const entry = await env.DB.prepare("SELECT channel, details FROM entries WHERE program_id = ?1 AND member_id = 'omni' AND type = 'earn' ORDER BY id DESC LIMIT 1").bind(a.programId).first<{ channel: string; details: string }>();
    expect(entry!.channel).toBe("store");
    expect(JSON.parse(entry!.details).storeId).toBe("berlin-mitte");
    await expectLedgerConsistent(a.programId, a.server);
  });
});
