// What a member's object keeps between writes for its segments: read once per life of the object, not per write.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { memberObjectName } from "../../src/members/member-ledger";
import { programSegments, SEGMENT_CACHE_MS } from "../../src/segments/store";
import { accrue, call, createProgram, enroll, redeem } from "../helpers";

async function entered(programId: string, memberId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT payload FROM outbox_events WHERE program_id = ?1 AND member_id = ?2 AND type = 'segment.entered' ORDER BY rowid")
    .bind(programId, memberId)
    .all<{ payload: string }>();
  return rows.results.map((r) => (JSON.parse(r.payload) as { segmentId: string }).segmentId);
}

describe("segment facts kept by the member's object", () => {
  it("are read on an object's first write and kept through writes that never earn", async () => {
    const p = await createProgram({}, "Kept facts");
    const plan = await call("/v1/membership-plans", { key: p.admin, body: { name: "Prime", price: { amount: 4900, currency: "EUR" }, term: "year" } });
    expect(plan.status).toBe(201);
    const members = await call("/v1/segments", { key: p.admin, body: { name: "prime members", conditions: { plans: [plan.json.id] } } });
    expect(members.status).toBe(201);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 30_000)).status).toBe(201);
    // A fresh object, as after an eviction: its first write reads the member's stats, memberships and plans.
    await evictDurableObject(env.MEMBER_LEDGER.getByName(memberObjectName(p.programId, "ada")));
    expect((await redeem(p.server, "ada", 10)).status).toBe(201);
    // The object alone writes the member's memberships. One placed around it shows whether the next writes read them
    // again: one that did would find the plan in force and enter the member into the segment.
    const at = new Date().toISOString();
    await env.DB.prepare(
      "INSERT INTO memberships (id, program_id, member_id, plan_id, status, paid_until, started_at, created_at, updated_at) VALUES ('mbr_probe', ?1, 'ada', ?2, 'active', '2030-01-01T00:00:00.000Z', ?3, ?3, ?3)",
    )
      .bind(p.programId, plan.json.id, at)
      .run();
    expect((await redeem(p.server, "ada", 10)).status).toBe(201);
    expect((await redeem(p.server, "ada", 10)).status).toBe(201);
    expect(await entered(p.programId, "ada")).toEqual([]);
  });

  it("stay valid across a refresh of the program's segments that finds them unchanged", async () => {
    const p = await createProgram({}, "Segment refresh");
    const made = await call("/v1/segments", { key: p.admin, body: { name: "buyers", conditions: { orderCount: { min: 1 } } } });
    expect(made.status).toBe(201);
    const db = database(env.DB);
    const at = Date.now() + 60_000;
    const first = await programSegments(db, p.programId, at);
    // Past the cache's life the list is read again; unchanged, it is the same list, so kept memberships stand.
    const refreshed = await programSegments(db, p.programId, at + SEGMENT_CACHE_MS + 1);
    expect(refreshed).toBe(first);
    await env.DB.prepare("UPDATE segments SET conditions = ?1 WHERE id = ?2").bind(JSON.stringify({ orderCount: { min: 2 } }), made.json.id).run();
    const changed = await programSegments(db, p.programId, at + 2 * (SEGMENT_CACHE_MS + 1));
    expect(changed).not.toBe(first);
    expect(changed.map((s) => s.conditions)).toEqual([{ orderCount: { min: 2 } }]);
  });
});
