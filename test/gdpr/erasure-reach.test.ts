// Erasure reaches every copy: after it no text column of any D1 table holds the member's email, name or attribute values,
// a retry of a request answered before it posts nothing, and the erasure and adjustments are in the audit log.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createProgram } from "../helpers";
import { deliverPending, finished, jsonl, postImport } from "../imports/support";

const EMAIL = "zelda.qwertz-erasure@example.com";
const NAME = "Zelda Qwertzberg";
const CITY = "Xylophonville";
const IMPORTED_EMAIL = "imported.qwertz@example.com";

/** One accrual under a given key: the same body each time, so a repeat is a retry. */
const accrue = (key: string, memberId: string, amount: number, idempotencyKey: string) =>
  call(`/v1/members/${memberId}/accruals`, { key, body: { orderId: `order-${idempotencyKey}`, amount: { amount, currency: "EUR" } }, idempotencyKey });

/** Every (table, text column) of the database, read from its schema. */
async function textColumns(): Promise<{ table: string; columns: string[] }[]> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'").all<{ name: string }>();
  const out = [];
  for (const { name } of tables.results) {
    const info = await env.DB.prepare(`PRAGMA table_info(${name})`).all<{ name: string; type: string }>();
    const columns = info.results.filter((c) => c.type === "" || /text|char|clob/i.test(c.type)).map((c) => c.name);
    if (columns.length) out.push({ table: name, columns });
  }
  return out;
}

/** Where the values still are: "table.column" for each hit. */
async function whereFound(values: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const { table, columns } of await textColumns()) {
    for (const column of columns) {
      const found = await env.DB.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${values.map((_, i) => `instr(lower("${column}"), lower(?${i + 1})) > 0`).join(" OR ")}`)
        .bind(...values)
        .first<{ n: number }>();
      if (found!.n > 0) hits.push(`${table}.${column}`);
    }
  }
  return hits;
}

describe("erasure leaves nothing personal in D1", () => {
  it("scrubs the profile, the stored answers, free text, activities and staged import lines, keeping every id and sum", async () => {
    const p = await createProgram();
    const memberId = "reach-1";
    const enrolled = await call(`/v1/members/${memberId}`, {
      method: "PUT",
      key: p.server,
      body: { email: EMAIL, name: NAME, attributes: { city: CITY }, birthday: { month: 5, day: 4, year: 1980 } },
      headers: { "idempotency-key": "reach-enroll" },
    });
    expect(enrolled.status, JSON.stringify(enrolled.json)).toBe(201);
    const accrual = await accrue(p.server, memberId, 5000, "reach-accrual");
    expect(accrual.status).toBe(201);
    const adjusted = await call(`/v1/members/${memberId}/adjustments`, { key: p.admin, body: { points: 25, reason: `${NAME} called about ${EMAIL}` } });
    expect(adjusted.status, JSON.stringify(adjusted.json)).toBe(201);
    const activity = await call(`/v1/members/${memberId}/activities`, { key: p.server, body: { type: "review", reference: "rev-1", attributes: { author: NAME } } });
    expect(activity.status).toBeLessThan(500);
    // An import naming the member, and one naming another member the same file brought in.
    const file = jsonl([
      { memberId, email: EMAIL, name: NAME, attributes: { city: CITY } },
      { memberId: "reach-imported", email: IMPORTED_EMAIL },
    ]);
    const posted = await postImport(p.admin, file, "jsonl");
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    await deliverPending(p.programId, posted.json.id);
    await finished(p.admin, p.programId, posted.json.id);

    expect((await whereFound([EMAIL, NAME, CITY])).length).toBeGreaterThan(0);
    const before = await env.DB.prepare("SELECT count(*) AS n, sum(points) AS points FROM entries WHERE program_id = ?1 AND member_id = ?2").bind(p.programId, memberId).first();

    const erased = await call(`/v1/members/${memberId}`, { method: "DELETE", key: p.admin });
    expect(erased.status, JSON.stringify(erased.json)).toBe(200);

    expect(await whereFound([EMAIL, NAME, CITY])).toEqual([]);
    // The other member of the file keeps their data; the member's sums stay.
    expect(await whereFound([IMPORTED_EMAIL])).not.toEqual([]);
    expect(await env.DB.prepare("SELECT count(*) AS n, sum(points) AS points FROM entries WHERE program_id = ?1 AND member_id = ?2").bind(p.programId, memberId).first()).toEqual(before);
  });
});

describe("a retry after erasure", () => {
  it("posts nothing and answers 409 idempotent_response_erased", async () => {
    const p = await createProgram();
    const memberId = "reach-retry";
    const body = { email: EMAIL, name: NAME };
    expect((await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body, headers: { "idempotency-key": "retry-enroll" } })).status).toBe(201);
    const first = await accrue(p.server, memberId, 5000, "retry-accrual");
    expect(first.status).toBe(201);
    const entries = () => env.DB.prepare("SELECT count(*) AS n FROM entries WHERE program_id = ?1 AND member_id = ?2").bind(p.programId, memberId).first<{ n: number }>();
    const posted = (await entries())!.n;
    expect((await call(`/v1/members/${memberId}`, { method: "DELETE", key: p.admin })).status).toBe(200);

    const again = await accrue(p.server, memberId, 5000, "retry-accrual");
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("idempotent_response_erased");
    expect((await entries())!.n).toBe(posted);
    expect((await call(`/v1/members/${memberId}`, { key: p.server })).status).toBe(404);
    // The stored answer kept its key and lost its body.
    const kept = await env.DB.prepare("SELECT status, body, request_hash FROM idempotency_keys WHERE program_id = ?1 AND key = 'retry-accrual'").bind(p.programId).first();
    expect(kept).toEqual({ status: -1, body: "{}", request_hash: "" });
  });
});

describe("audit rows of the newly audited writes", () => {
  it("erasure names only the id; an adjustment its points; a refused write leaves none", async () => {
    const p = await createProgram();
    const memberId = "reach-audit";
    expect((await call(`/v1/members/${memberId}`, { method: "PUT", key: p.server, body: { email: EMAIL, name: NAME } })).status).toBe(201);
    expect((await call(`/v1/members/${memberId}/adjustments`, { key: p.admin, body: { points: 30, reason: "goodwill" } })).status).toBe(201);
    const refused = await call(`/v1/members/${memberId}/adjustments`, { key: p.admin, body: { points: -1000, reason: "too much" } });
    expect(refused.status).toBe(422);
    const adjustments = await call(`/v1/audit-log?resource=${encodeURIComponent(`member:${memberId}:adjustment`)}`, { key: p.admin });
    expect(adjustments.json.data).toHaveLength(1);
    expect(adjustments.json.data[0]).toMatchObject({ action: "create", key: { role: "admin" }, after: { points: 30, reason: "goodwill" } });

    expect((await call(`/v1/members/${memberId}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    expect((await call(`/v1/members/${memberId}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    const erasures = await call(`/v1/audit-log?resource=${encodeURIComponent(`member:${memberId}`)}`, { key: p.admin });
    expect(erasures.json.data).toHaveLength(1);
    expect(erasures.json.data[0]).toMatchObject({ action: "erase", before: null, after: { memberId } });
    expect(Object.keys(erasures.json.data[0].after).sort()).toEqual(["erasedAt", "memberId"]);
    // The adjustment's reason went with the member.
    expect((await call(`/v1/audit-log?resource=${encodeURIComponent(`member:${memberId}:adjustment`)}`, { key: p.admin })).json.data[0].after.reason).toBe("(erased)");
    expect((await call("/v1/members/nobody/adjustments", { key: p.admin, body: { points: 1, reason: "x" } })).status).toBe(404);
    expect((await call("/v1/segments/seg_01JD4X3V7Q2M8N5K6P9R0S1T2U", { method: "DELETE", key: p.admin })).status).toBeGreaterThanOrEqual(400);
    expect((await call("/v1/audit-log?resource=segment%3Aseg_01JD4X3V7Q2M8N5K6P9R0S1T2U", { key: p.admin })).json.data).toEqual([]);
    expect((await call("/v1/audit-log?resource=member%3Anobody%3Aadjustment", { key: p.admin })).json.data).toEqual([]);
  });

  it("segments, job runs, imports and code uploads each leave one row; a repeat under the same key adds none", async () => {
    const p = await createProgram();
    const segment = await call("/v1/segments", { key: p.admin, body: { name: "All", conditions: {} } });
    expect(segment.status).toBe(201);
    expect((await call(`/v1/segments/${segment.json.id}`, { method: "PATCH", key: p.admin, body: { name: "Everyone" } })).status).toBe(200);
    expect((await call(`/v1/segments/${segment.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(200);
    const segmentLog = await call(`/v1/audit-log?resource=${encodeURIComponent(`segment:${segment.json.id}`)}`, { key: p.admin });
    expect(segmentLog.json.data.map((e: { action: string }) => e.action)).toEqual(["delete", "update", "create"]);

    const run = await call("/v1/jobs/housekeeping/run", { key: p.admin, method: "POST" });
    expect(run.status).toBe(200);
    const jobLog = await call("/v1/audit-log?resource=job%3Ahousekeeping", { key: p.admin });
    expect(jobLog.json.data).toHaveLength(1);
    expect(jobLog.json.data[0].after).toEqual({ job: "housekeeping", runId: run.json.id, trigger: "manual" });

    const file = jsonl([{ memberId: "reach-file", email: IMPORTED_EMAIL }]);
    const imported = await postImport(p.admin, file, "jsonl");
    expect((await postImport(p.admin, file, "jsonl")).json.id).toBe(imported.json.id);
    const importLog = await call(`/v1/audit-log?resource=${encodeURIComponent(`import:${imported.json.id}`)}`, { key: p.admin });
    expect(importLog.json.data).toHaveLength(1);
    expect(JSON.stringify(importLog.json.data[0])).not.toContain(IMPORTED_EMAIL);

    const reward = await call("/v1/rewards", { key: p.admin, body: { name: "Shop code", type: "free_shipping", costPoints: 1, codeSource: "pool" } });
    expect(reward.status).toBe(201);
    const upload = { key: p.admin, body: { codes: ["SHOP-1", "SHOP-2"] }, idempotencyKey: "codes-1" };
    const firstUpload = await call(`/v1/rewards/${reward.json.id}/codes`, upload);
    const retried = await call(`/v1/rewards/${reward.json.id}/codes`, upload);
    expect(firstUpload.status).toBe(200);
    expect(retried.json).toEqual(firstUpload.json);
    const reused = await call(`/v1/rewards/${reward.json.id}/codes`, { ...upload, body: { codes: ["SHOP-3"] } });
    expect(reused.status).toBe(422);
    const codesLog = await call(`/v1/audit-log?resource=${encodeURIComponent(`reward:${reward.json.id}:codes`)}`, { key: p.admin });
    expect(codesLog.json.data).toHaveLength(1);
    expect(codesLog.json.data[0].after).toEqual({ sent: 2, added: 2, duplicates: 0 });
    expect(JSON.stringify(codesLog.json.data)).not.toContain("SHOP-1");
  });
});
