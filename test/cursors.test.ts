// Page cursors on every list: opaque, tamper-evident, bound to the list they came from; a bad one is 400 invalid_cursor.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, type TestProgram } from "./helpers";

let p: TestProgram;
let q: TestProgram;
const ids = { ada: "gid://shopify/Customer/1", bob: "cust 2" };
const member = (id: string) => `/v1/members/${encodeURIComponent(id)}/transactions`;
/** They receive only tier changes, which no test here causes: nothing is sent to their (unreachable) hosts. */
const endpointIds: string[] = [];

/** Every page of a list, following nextCursor; returns the ids in the order served. */
async function walk(key: string, path: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    seen.push(...res.json.data.map((row: { id: string }) => row.id));
    cursor = res.json.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error("the walk never ended");
}

async function firstCursor(key: string, path: string): Promise<string> {
  const sep = path.includes("?") ? "&" : "?";
  const res = await call(`${path}${sep}limit=1`, { key });
  expect(res.json.nextCursor).toEqual(expect.any(String));
  return res.json.nextCursor;
}

async function expectInvalid(key: string, path: string, cursor: string) {
  const sep = path.includes("?") ? "&" : "?";
  const res = await call(`${path}${sep}cursor=${encodeURIComponent(cursor)}`, { key });
  expect(res.status, `${path} with ${cursor}: ${JSON.stringify(res.json)}`).toBe(400);
  expect(res.json.code).toBe("invalid_cursor");
  expect(res.headers.get("content-type")).toContain("application/problem+json");
}

beforeAll(async () => {
  p = await createProgram();
  q = await createProgram();
  for (const id of Object.values(ids)) {
    await enroll(p.server, id);
    for (let i = 0; i < 4; i++) expect((await accrue(p.partner, id, 1000)).status).toBe(201);
  }
  await enroll(q.server, ids.ada);
  for (let i = 0; i < 3; i++) await accrue(q.server, ids.ada, 1000);
  for (let i = 0; i < 3; i++) {
    const res = await call("/v1/webhook-endpoints", { key: p.admin, body: { url: `https://hooks.example.com/${i}`, eventTypes: ["tier.changed"] } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    endpointIds.push(res.json.id);
  }
  await call("/v1/webhook-endpoints", { key: q.admin, body: { url: "https://hooks.example.com/q", eventTypes: ["tier.changed"] } });
  await call("/v1/webhook-endpoints", { key: q.admin, body: { url: "https://hooks.example.com/q2", eventTypes: ["tier.changed"] } });
  const insert = env.DB.prepare(
    "INSERT INTO webhook_deliveries (id, program_id, endpoint_id, event_id, event_type, attempt, status, response_status, error, duration_ms, attempted_at) VALUES (?, ?, ?, ?, 'points.earned', 1, 'delivered', 200, NULL, 5, '2026-12-01T00:00:00Z')",
  );
  await env.DB.batch(
    endpointIds.slice(0, 2).flatMap((endpointId, e) => [1, 2, 3].map((n) => insert.bind(`whd_${e}${n}`, p.programId, endpointId, `evt_${n}`))),
  );
});

const lists = () => [
  { name: "a member's history", key: p.server, path: member(ids.ada), rows: 4 },
  { name: "a member's history seen by a partner", key: p.partner, path: member(ids.ada), rows: 4 },
  { name: "a partner's transactions", key: p.partner, path: "/v1/partner/transactions", rows: 8 },
  { name: "webhook endpoints", key: p.admin, path: "/v1/webhook-endpoints", rows: 3 },
  { name: "an endpoint's deliveries", key: p.admin, path: `/v1/webhook-endpoints/${endpointIds[0]}/deliveries`, rows: 3 },
];

describe("page cursors", () => {
  it("walk every list whole: each row once, in order, whatever the page size", async () => {
    for (const list of lists()) {
      const whole = await walk(list.key, list.path, 200);
      expect(whole, list.name).toHaveLength(list.rows);
      for (const limit of [1, 2, 3]) expect(await walk(list.key, list.path, limit), `${list.name}, ${limit} a page`).toEqual(whole);
    }
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("are opaque: a cursor does not show the row id it resumes after", async () => {
    for (const list of lists()) {
      const cursor = await firstCursor(list.key, list.path);
      const [firstId] = await walk(list.key, list.path, 200);
      expect(cursor, list.name).not.toContain(firstId);
      expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
  });

  it.each(["garbage", "ent_00000000000000000000000000", "ZZZZ", "....", "a.b", "%ff", "x".repeat(300)])(
    "refuse the made-up cursor %j with 400 invalid_cursor on every list",
    async (cursor) => {
      for (const list of lists()) await expectInvalid(list.key, list.path, cursor);
    },
  );

  it("refuse a cursor with any character changed, cut short or extended", async () => {
    for (const list of lists()) {
      const cursor = await firstCursor(list.key, list.path);
      for (let at = 0; at < cursor.length; at += 7) {
        const swapped = cursor[at] === "A" ? "B" : "A";
        await expectInvalid(list.key, list.path, cursor.slice(0, at) + swapped + cursor.slice(at + 1));
      }
      await expectInvalid(list.key, list.path, cursor.slice(0, -1));
      await expectInvalid(list.key, list.path, `${cursor}A`);
      await expectInvalid(list.key, list.path, `${cursor}.${cursor}`);
    }
  });

  it("refuse a cursor from another member, another program, another caller or another list", async () => {
    const adaCursor = await firstCursor(p.server, member(ids.ada));
    await expectInvalid(p.server, member(ids.bob), adaCursor);
    await expectInvalid(q.server, member(ids.ada), adaCursor);
    await expectInvalid(p.partner, member(ids.ada), adaCursor);
    await expectInvalid(p.partner, "/v1/partner/transactions", adaCursor);
    const partnerCursor = await firstCursor(p.partner, "/v1/partner/transactions");
    await expectInvalid(p.partner, member(ids.ada), partnerCursor);
    await expectInvalid(p.partner, "/v1/partner/transactions?period=2026-01", partnerCursor);
    await expectInvalid(q.admin, "/v1/webhook-endpoints", await firstCursor(p.admin, "/v1/webhook-endpoints"));
    const deliveries = await firstCursor(p.admin, `/v1/webhook-endpoints/${endpointIds[0]}/deliveries`);
    await expectInvalid(p.admin, `/v1/webhook-endpoints/${endpointIds[1]}/deliveries`, deliveries);
    await expectInvalid(p.admin, `/v1/webhook-endpoints/${endpointIds[0]}/deliveries?eventId=evt_1`, deliveries);
    await expectInvalid(p.admin, "/v1/webhook-endpoints", deliveries);
  });

  it("treat an empty cursor as none: the first page", async () => {
    const res = await call(`${member(ids.ada)}?cursor=`, { key: p.server });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(4);
  });
});
