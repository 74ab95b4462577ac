// A segment's members for the shop's email tool honour marketing consent, never list an erased member, and the
// segment webhooks name a member by id only, consent or not.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fromRow, webhookBody } from "../../src/webhooks/events";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "../helpers";

let p: TestProgram;
let other: TestProgram;
let segmentId: string;

const profile = (name: string) => ({ email: `${name}@example.com`, name: `Person ${name}`, attributes: { city: "Bremen" } });

async function page(query: string, program = p, id = segmentId) {
  return call(`/v1/segments/${id}/members${query}`, { key: program.admin });
}

async function walk(query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor = "";
  for (let i = 0; i < 10; i++) {
    const res = await page(`?limit=1${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    seen.push(...res.json.data.map((m: { memberId: string }) => m.memberId));
    if (!res.json.nextCursor) break;
    cursor = res.json.nextCursor;
  }
  return seen;
}

beforeAll(async () => {
  p = await createProgram({}, "Consent program");
  other = await createProgram({}, "Consent program, other");
  const s = await call("/v1/segments", { key: p.admin, body: { name: "store shoppers", conditions: { channels: ["store"] } } });
  expect(s.status).toBe(201);
  segmentId = s.json.id;
  await enroll(p.server, "c-agreed", { ...profile("agreed"), marketingConsent: { granted: true, source: "checkout" } });
  await enroll(p.server, "c-never", profile("never"));
  await enroll(p.server, "c-withdrew", { ...profile("withdrew"), marketingConsent: { granted: true } });
  await enroll(p.server, "c-erased", { ...profile("erased"), marketingConsent: { granted: true } });
  for (const id of ["c-agreed", "c-never", "c-withdrew", "c-erased"]) expect((await accrue(p.server, id, 2_000, { channel: "store" })).status).toBe(201);
  expect((await call("/v1/members/c-withdrew", { method: "PUT", key: p.server, body: { marketingConsent: { granted: false } } })).status).toBe(200);
  expect((await call("/v1/members/c-erased", { method: "DELETE", key: p.admin })).status).toBe(200);
  // The same ids in another program, all consenting: nothing of theirs may show in p's list.
  const t = await call("/v1/segments", { key: other.admin, body: { name: "store shoppers", conditions: { channels: ["store"] } } });
  expect(t.status).toBe(201);
  await enroll(other.server, "c-never", { marketingConsent: { granted: true } });
  expect((await accrue(other.server, "c-never", 2_000, { channel: "store" })).status).toBe(201);
});

describe("GET /v1/segments/{id}/members", () => {
  it("lists only members with marketing consent by default, and says it was for marketing", async () => {
    const res = await page("");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: [{ memberId: "c-agreed", enteredAt: expect.any(String) }], nextCursor: null, purpose: "marketing" });
    expect(await walk("&purpose=marketing")).toEqual(["c-agreed"]);
  });

  it("lists every member not erased for purpose=service", async () => {
    expect(await walk("&purpose=service")).toEqual(["c-agreed", "c-never", "c-withdrew"]);
    expect((await page("?purpose=service")).json.purpose).toBe("service");
  });

  it("never lists an erased member, though their kept membership stays with the pseudonymous id", async () => {
    const kept = await env.DB.prepare("SELECT count(*) AS n FROM segment_members WHERE segment_id = ?1 AND member_id = 'c-erased'").bind(segmentId).first<{ n: number }>();
    expect(kept!.n).toBe(1);
    for (const purpose of ["marketing", "service"]) expect(await walk(`&purpose=${purpose}`)).not.toContain("c-erased");
  });

  it("are counted as they are listed: every member not erased, and those of them who consented", async () => {
    const res = await call(`/v1/segments/${segmentId}`, { key: p.admin });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ memberCount: 3, marketableCount: 1 });
  });

  it("refuses a cursor of one purpose for the other", async () => {
    const first = await page("?limit=1&purpose=service");
    expect(first.json.nextCursor).not.toBeNull();
    const res = await page(`?purpose=marketing&cursor=${encodeURIComponent(first.json.nextCursor)}`);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_cursor");
  });

  it("refuses an unknown purpose", async () => {
    const res = await page("?purpose=everything");
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("validation_failed");
  });

  it("keeps another program's members and segments apart", async () => {
    const foreign = await page("", other);
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe("segment_not_found");
  });
});

describe("an erased member's segments", () => {
  it("are not found, as every other read of the member", async () => {
    const res = await call("/v1/members/c-erased/segments", { key: p.server });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("member_not_found");
  });
});

describe("segment.entered and segment.left", () => {
  it("carry the member's id and the segment's, nothing personal, whether or not the member consented", async () => {
    const { results } = await env.DB.prepare(
      "SELECT id, program_id AS programId, member_id AS memberId, partner_id AS partnerId, type, payload, created_at AS createdAt FROM outbox_events WHERE program_id = ?1 AND type IN ('segment.entered', 'segment.left') ORDER BY member_id",
    )
      .bind(p.programId)
      .all<{ id: string; programId: string; memberId: string; partnerId: string | null; type: string; payload: string; createdAt: string }>();
    expect(results.map((r) => r.memberId)).toEqual(["c-agreed", "c-erased", "c-never", "c-withdrew"]);
    for (const row of results) {
      expect(Object.keys(JSON.parse(row.payload)).sort()).toEqual(["memberId", "occurredAt", "recordedAt", "segmentId"]);
      // What an endpoint receives: the payload and the envelope, no email, name or attribute.
      const body = webhookBody(fromRow(row), false);
      expect(Object.keys(JSON.parse(body).data).sort()).toEqual(["memberId", "occurredAt", "partnerId", "recordedAt", "segmentId"]);
      expect(body).not.toMatch(/@example\.com|Person |Bremen/);
    }
  });
});

it("leaves the ledger consistent (read from D1: the erased member answers 404 through the API)", async () => {
  await expectLedgerConsistent(p.programId);
});
