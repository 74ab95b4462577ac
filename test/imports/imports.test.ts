// Imports through the API and the real local queue: JSONL and CSV, per-line errors, re-sent files, isolation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { balance, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";
import { finished, jsonl, postImport } from "./support";

let p: TestProgram;
const tiers = [
  { name: "silver", threshold: 1000 },
  { name: "gold", threshold: 5000 },
];

beforeAll(async () => {
  p = await createProgram({ tiers, expiry: { policy: "rolling", days: 365 } });
});

const EARNED = "2026-06-01T00:00:00.000Z";

describe("POST /v1/imports (JSONL)", () => {
  it("enrolls members, sets tiers and credits opening lots with their own dates", async () => {
    const file = jsonl([
      { memberId: "imp-ada", email: "ada@example.com", name: "Ada", tier: "gold", attributes: { city: "Berlin" }, lots: [
        { points: 300, earnedAt: EARNED, expiresAt: "2099-01-01T00:00:00Z" },
        { points: 200, earnedAt: EARNED, expiresAt: null, availableAt: "2099-06-01T00:00:00Z" },
      ] },
      { memberId: "imp-bob", lots: [{ points: 50, earnedAt: EARNED }] },
      { memberId: "imp-cy" },
    ]);
    const res = await postImport(p.admin, file, "jsonl");
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "queued", format: "jsonl", counts: { lines: 3, failed: 0 } });
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done).toMatchObject({ status: "completed", counts: { lines: 3, pending: 0, done: 3, failed: 0 }, chunks: { total: 1, done: 1, failed: 0 }, errors: { data: [], nextCursor: null } });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);

    const ada = await call("/v1/members/imp-ada", { key: p.server });
    expect(ada.json).toMatchObject({ email: "ada@example.com", name: "Ada", tier: "gold", attributes: { city: "Berlin" } });
    expect(ada.json.balance).toMatchObject({ available: 300, pending: 200, nextExpiries: [{ points: 300, expiresAt: "2099-01-01T00:00:00.000Z" }] });
    const bob = await balance(p.server, "imp-bob");
    // Without an expiry the program's policy dates the lot from its own earnedAt.
    expect(bob.nextExpiries).toEqual([{ points: 50, expiresAt: "2027-06-01T00:00:00.000Z" }]);
    expect((await balance(p.server, "imp-cy")).available).toBe(0);

    const history = await call("/v1/members/imp-ada/transactions", { key: p.admin });
    const opening = history.json.data.filter((e: { type: string }) => e.type === "adjust");
    expect(opening).toHaveLength(2);
    expect(opening[0]).toMatchObject({ occurredAt: EARNED, details: { source: "import", importId: res.json.id, line: 1 } });
    // The member's data export holds the line that made them, as sent.
    const exported = await call("/v1/members/imp-ada/export", { key: p.admin });
    expect(exported.status).toBe(200);
    expect(exported.json.importLines).toEqual([{ importId: res.json.id, line: 1, status: "done", data: expect.objectContaining({ memberId: "imp-ada", email: "ada@example.com" }), error: null }]);
    expect((await call("/v1/members/imp-bob/export", { key: p.admin })).json.importLines).toMatchObject([{ line: 2, status: "done" }]);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("keeps per-line errors, applies the good lines, and pages the errors", async () => {
    const file = [
      JSON.stringify({ memberId: "err-ok", lots: [{ points: 10, earnedAt: EARNED }] }),
      "{not json",
      JSON.stringify({ memberId: "err-tier", tier: "platinum" }),
      JSON.stringify({ memberId: "err-points", lots: [{ points: -3, earnedAt: EARNED }] }),
      "",
      JSON.stringify({ memberId: "err-expired", lots: [{ points: 10, earnedAt: "2020-01-01T00:00:00Z", expiresAt: "2021-01-01T00:00:00Z" }] }),
      JSON.stringify({ memberId: "err-extra", colour: "red" }),
      JSON.stringify({ memberId: "err-future", lots: [{ points: 10, earnedAt: "2099-01-01T00:00:00Z" }] }),
    ].join("\n");
    const res = await postImport(p.admin, file, "jsonl");
    expect(res.status).toBe(202);
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done.counts).toEqual({ lines: 7, pending: 0, done: 1, failed: 6 });
    expect(done.errors.data.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2, "invalid_line"],
      [3, "unknown_tier"],
      [4, "invalid_line"],
      [6, "lot_already_expired"],
      [7, "invalid_line"],
      [8, "invalid_line"],
    ]);
    expect(done.errors.data[2].errors[0].path).toBe("lots.0.points");
    const first = await call(`/v1/imports/${res.json.id}?limit=4`, { key: p.admin });
    expect(first.json.errors.data).toHaveLength(4);
    const second = await call(`/v1/imports/${res.json.id}?limit=4&cursor=${encodeURIComponent(first.json.errors.nextCursor)}`, { key: p.admin });
    expect(second.json.errors.data.map((e: { line: number }) => e.line)).toEqual([7, 8]);
    expect(second.json.errors.nextCursor).toBeNull();
    expect((await balance(p.server, "err-ok")).available).toBe(10);
    expect((await call("/v1/members/err-tier", { key: p.server })).status).toBe(404);
  });

  it("answers a re-sent file with the first import and posts nothing twice", async () => {
    const file = jsonl([{ memberId: "resend-1", lots: [{ points: 70, earnedAt: EARNED }] }]);
    const first = await postImport(p.admin, file, "jsonl");
    await finished(p.admin, p.programId, first.json.id);
    const again = await postImport(p.admin, file, "jsonl");
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const keyed = await postImport(p.admin, file, "jsonl", "import-key-1");
    expect(keyed.json.id).toBe(first.json.id);
    expect((await balance(p.server, "resend-1")).available).toBe(70);
  });

  it("finds an import by its Idempotency-Key, and refuses the key with another file", async () => {
    const first = await postImport(p.admin, jsonl([{ memberId: "keyed-1" }]), "jsonl", "import-key-2");
    expect(first.status).toBe(202);
    const other = await postImport(p.admin, jsonl([{ memberId: "keyed-2" }]), "jsonl", "import-key-2");
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("idempotency_key_reused");
  });

  it("adds opening lots to a member who exists, paying nothing twice when a line is sent in a later file", async () => {
    await enroll(p.server, "existing-1", { email: "old@example.com" });
    const res = await postImport(p.admin, jsonl([{ memberId: "existing-1", name: "Eve", lots: [{ points: 25, earnedAt: EARNED }] }]), "jsonl");
    await finished(p.admin, p.programId, res.json.id);
    const member = await call("/v1/members/existing-1", { key: p.server });
    expect(member.json).toMatchObject({ email: "old@example.com", name: "Eve", balance: { available: 25 } });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("spreads a file over chunks of at most 200 lines, a member's lines in one chunk", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => ({ memberId: `bulk-${i}`, lots: [{ points: 1, earnedAt: EARNED }] }));
    const res = await postImport(p.admin, jsonl(lines), "jsonl");
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done).toMatchObject({ status: "completed", counts: { lines: 250, done: 250, failed: 0 }, chunks: { total: 2, done: 2 } });
    const sum = await env.DB.prepare("SELECT SUM(remaining) AS n FROM lots WHERE program_id = ? AND member_id LIKE 'bulk-%'").bind(p.programId).first<number>("n");
    expect(sum).toBe(250);
  });
});

describe("POST /v1/imports (CSV)", () => {
  it("reads a header, quoted cells, attr. columns and several rows per member", async () => {
    const file = [
      "memberId,email,name,tier,points,earnedAt,expiresAt,availableAt,attr.city",
      `csv-1,csv1@example.com,"Lovelace, Ada",silver,100,${EARNED},2099-01-01T00:00:00Z,,"Berlin"`,
      `csv-1,,,,40,${EARNED},never,,`,
      `csv-2,,,,,,,,`,
      `csv-3,,,,abc,${EARNED},,,`,
      `csv-4,,,`,
    ].join("\r\n");
    const res = await postImport(p.admin, file, "csv");
    expect(res.status).toBe(202);
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done.counts).toEqual({ lines: 5, pending: 0, done: 3, failed: 2 });
    expect(done.errors.data.map((e: { line: number }) => e.line)).toEqual([5, 6]);
    const member = await call("/v1/members/csv-1", { key: p.server });
    expect(member.json).toMatchObject({ email: "csv1@example.com", name: "Lovelace, Ada", tier: "silver", attributes: { city: "Berlin" } });
    expect(member.json.balance.available).toBe(140);
    expect((await call("/v1/members/csv-2", { key: p.server })).status).toBe(200);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses an unknown column on every row, not the file", async () => {
    const res = await postImport(p.admin, "memberId,colour\ncsv-x,red\n", "csv");
    expect(res.status).toBe(202);
    const done = await finished(p.admin, p.programId, res.json.id);
    expect(done.errors.data[0]).toMatchObject({ line: 2, code: "invalid_line" });
  });
});

describe("the import routes", () => {
  it("refuse a body that is neither JSONL nor CSV with 415", async () => {
    const res = await call("/v1/imports", { key: p.admin, rawBody: "x", headers: { "content-type": "text/plain" }, idempotencyKey: null });
    expect(res.status).toBe(415);
    expect(res.json.code).toBe("unsupported_media_type");
  });

  it("list the program's imports newest first, and only its own", async () => {
    const other = await createProgram({}, "Other");
    await postImport(other.admin, jsonl([{ memberId: "other-1" }]), "jsonl");
    const mine = await call("/v1/imports?limit=2", { key: p.admin });
    expect(mine.status).toBe(200);
    expect(mine.json.data).toHaveLength(2);
    expect(mine.json.nextCursor).not.toBeNull();
    const theirs = await call("/v1/imports", { key: other.admin });
    expect(theirs.json.data).toHaveLength(1);
    expect((await call(`/v1/imports/${theirs.json.data[0].id}`, { key: p.admin })).json.code).toBe("import_not_found");
    expect((await call("/v1/members/other-1", { key: p.server })).status).toBe(404);
  });
});
