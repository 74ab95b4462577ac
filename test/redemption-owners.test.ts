// Whose a redemption is, kept by the isolate that made or read it, so a hold's capture goes to its object at once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OWNER_CACHE_ENTRIES, redemptionOwner, rememberOwner } from "../src/routes/redemptions/redemptions.queries";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem } from "./helpers";

describe("redemption owners", () => {
  it("still refuse another partner's hold and another program's, right after the hold was made", async () => {
    const p = await createProgram();
    const partner = await call("/v1/partners", { key: p.admin, body: { name: "Brand B" }, idempotencyKey: null });
    const b = await call(`/v1/programs/${p.programId}/keys`, { key: env.ADMIN_TOKEN, body: { role: "partner", name: "b", partnerId: partner.json.id }, idempotencyKey: null });
    expect(b.status).toBe(201);
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 10_000)).status).toBe(201);
    const hold = await redeem(b.json.key, "ada", 30, { mode: "hold" });
    expect(hold.status).toBe(201);
    for (const action of ["capture", "cancel"]) {
      expect((await call(`/v1/redemptions/${hold.json.id}/${action}`, { key: p.partner, body: null })).json.code).toBe("redemption_not_found");
    }
    const other = await createProgram();
    expect((await call(`/v1/redemptions/${hold.json.id}/capture`, { key: other.server, body: null })).json.code).toBe("redemption_not_found");
    const captured = await call(`/v1/redemptions/${hold.json.id}/capture`, { key: b.json.key, body: null });
    expect(captured.status, JSON.stringify(captured.json)).toBe(200);
    expect(captured.json).toMatchObject({ id: hold.json.id, status: "captured" });
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("answer from memory for what the isolate made, from D1 otherwise, and keep a bounded number", async () => {
    const p = await createProgram();
    // Never written to D1: only the isolate's memory knows it.
    rememberOwner(p.programId, { id: "red_only_in_memory", memberId: "ada", partnerId: null });
    expect(await redemptionOwner(env.DB, p.programId, "red_only_in_memory")).toEqual({ memberId: "ada", partnerId: null });
    expect(await redemptionOwner(env.DB, "another-program", "red_only_in_memory")).toBeNull();
    for (let i = 0; i < OWNER_CACHE_ENTRIES; i++) rememberOwner(p.programId, { id: `red_filler_${i}`, memberId: "bo", partnerId: null });
    expect(await redemptionOwner(env.DB, p.programId, "red_only_in_memory")).toBeNull();
    expect(await redemptionOwner(env.DB, p.programId, `red_filler_${OWNER_CACHE_ENTRIES - 1}`)).toEqual({ memberId: "bo", partnerId: null });
  });
});
