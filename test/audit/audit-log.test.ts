// The audit log: a settings change leaves who, what, before and after; the log pages newest first, filters, and stays in its program.
import { describe, expect, it } from "vitest";
import { auditEntry } from "../../src/audit/audit";
import { call, createProgram, enroll } from "../helpers";

describe("auditEntry", () => {
  it("makes the row from the principal, the request and the change", () => {
    const at = new Date("2026-11-28T10:15:00Z");
    const row = auditEntry({
      principal: { programId: "prg_1", keyId: "key_1", role: "admin", keyName: "ops" },
      requestId: "req-1",
      resource: "campaign:cmp_1",
      action: "create",
      after: { name: "x" },
      at,
    });
    expect(row).toMatchObject({ programId: "prg_1", keyId: "key_1", keyName: "ops", keyRole: "admin", requestId: "req-1", at: at.toISOString() });
    expect(row.before).toBeNull();
    expect(row.after).toBe('{"name":"x"}');
  });
});

describe("GET /v1/audit-log", () => {
  it("records a settings PATCH with the key, the request id, before and after", async () => {
    const p = await createProgram({ pendingDays: 14 });
    const patched = await call("/v1/program", { method: "PATCH", key: p.admin, body: { pendingDays: 3 }, headers: { "x-request-id": "audit-req-1" } });
    expect(patched.status).toBe(200);
    const log = await call("/v1/audit-log?resource=program", { key: p.admin });
    expect(log.status).toBe(200);
    expect(log.json.data).toHaveLength(1);
    const [entry] = log.json.data;
    expect(entry).toMatchObject({ resource: "program", action: "update", requestId: "audit-req-1", key: { name: "admin", role: "admin" } });
    expect(entry.key.id).toMatch(/^key_/);
    expect(entry.before.settings.pendingDays).toBe(14);
    expect(entry.after.settings.pendingDays).toBe(3);
  });

  it("a refused PATCH leaves no row", async () => {
    const p = await createProgram();
    const refused = await call("/v1/program", { method: "PATCH", key: p.admin, body: { tiers: "not tiers" } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const log = await call("/v1/audit-log?resource=program", { key: p.admin });
    expect(log.json.data).toEqual([]);
  });

  it("pages newest first and filters by resource and time", async () => {
    const p = await createProgram();
    for (const days of [1, 2, 3]) expect((await call("/v1/program", { method: "PATCH", key: p.admin, body: { pendingDays: days } })).status).toBe(200);
    const key = await call("/v1/keys", { key: p.admin, body: { role: "server", name: "till" }, idempotencyKey: null });
    expect(key.status).toBe(201);

    const first = await call("/v1/audit-log?limit=2", { key: p.admin });
    expect(first.json.data.map((e: { action: string }) => e.action)).toEqual(["create", "update"]);
    expect(first.json.data[0]).toMatchObject({ resource: `key:${key.json.id}`, before: null, after: { name: "till", role: "server" } });
    expect(first.json.data[0].after.keyHash).toBeUndefined();
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await call(`/v1/audit-log?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`, { key: p.admin });
    expect(second.json.data.map((e: { after: { settings: { pendingDays: number } } }) => e.after.settings.pendingDays)).toEqual([2, 1]);
    // The oldest: the partner the test program was made with.
    const third = await call(`/v1/audit-log?limit=2&cursor=${encodeURIComponent(second.json.nextCursor)}`, { key: p.admin });
    expect(third.json.data.map((e: { resource: string; action: string }) => [e.resource, e.action])).toEqual([[`partner:${p.partnerId}`, "create"]]);
    expect(third.json.nextCursor).toBeNull();

    const programOnly = await call("/v1/audit-log?resource=program", { key: p.admin });
    expect(programOnly.json.data).toHaveLength(3);
    const future = await call(`/v1/audit-log?from=${encodeURIComponent("2999-01-01T00:00:00Z")}`, { key: p.admin });
    expect(future.json.data).toEqual([]);
    const past = await call(`/v1/audit-log?to=${encodeURIComponent("2000-01-01T00:00:00Z")}`, { key: p.admin });
    expect(past.json.data).toEqual([]);
    const all = await call(`/v1/audit-log?from=${encodeURIComponent("2000-01-01T00:00:00Z")}&to=${encodeURIComponent("2999-01-01T00:00:00Z")}`, { key: p.admin });
    expect(all.json.data).toHaveLength(5);

    // A cursor belongs to its filter.
    const foreignCursor = await call(`/v1/audit-log?resource=program&cursor=${encodeURIComponent(first.json.nextCursor)}`, { key: p.admin });
    expect(foreignCursor.status).toBe(400);
  });

  it("a key revoke is logged; another program sees none of it", async () => {
    const a = await createProgram();
    const b = await createProgram();
    const issued = await call("/v1/keys", { key: a.admin, body: { role: "server", name: "old till" }, idempotencyKey: null });
    const revoked = await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: a.admin });
    expect(revoked.status).toBe(200);
    const log = await call(`/v1/audit-log?resource=${encodeURIComponent(`key:${issued.json.id}`)}`, { key: a.admin });
    expect(log.json.data.map((e: { action: string }) => e.action)).toEqual(["revoke", "create"]);
    expect(log.json.data[0].before).toBeNull();
    expect(log.json.data[0].after.revokedAt).toEqual(expect.any(String));
    const other = await call("/v1/audit-log", { key: b.admin });
    expect(other.json.data.map((e: { resource: string }) => e.resource)).toEqual([`partner:${b.partnerId}`]);
    const again = await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: a.admin });
    expect(again.status).toBe(404);
    expect((await call(`/v1/audit-log?resource=${encodeURIComponent(`key:${issued.json.id}`)}`, { key: a.admin })).json.data).toHaveLength(2);
  });
});

describe("webhook endpoints (admin and partner keys)", () => {
  it("create and delete are logged with the key that made them, never the secret", async () => {
    const p = await createProgram();
    const created = await call("/v1/webhook-endpoints", { key: p.partner, body: { url: "https://shop.example/hooks", eventTypes: ["tier.changed"] }, idempotencyKey: null });
    expect(created.status).toBe(201);
    expect((await call(`/v1/webhook-endpoints/${created.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(204);
    const log = await call(`/v1/audit-log?resource=${encodeURIComponent(`webhook_endpoint:${created.json.id}`)}`, { key: p.admin });
    expect(log.json.data.map((e: { action: string; key: { role: string } }) => [e.action, e.key.role])).toEqual([["delete", "admin"], ["create", "partner"]]);
    expect(JSON.stringify(log.json.data)).not.toContain(created.json.secret);
  });
});

describe("tier grants (through the member's object)", () => {
  it("a grant is logged in the member's batch; its replay adds nothing", async () => {
    const p = await createProgram();
    await enroll(p.server, "audit-tier-member");
    const grant = { method: "POST", key: p.admin, body: { tier: null }, idempotencyKey: "audit-tier-grant" } as const;
    expect((await call("/v1/members/audit-tier-member/tier", grant)).status).toBe(200);
    expect((await call("/v1/members/audit-tier-member/tier", grant)).status).toBe(200);
    const log = await call(`/v1/audit-log?resource=${encodeURIComponent("member:audit-tier-member:tier")}`, { key: p.admin });
    expect(log.json.data).toHaveLength(1);
    expect(log.json.data[0]).toMatchObject({ action: "grant", before: { tier: null }, after: { tier: null }, key: { role: "admin" } });
  });
});
