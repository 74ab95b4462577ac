// A campaign rule restricted to segments: it gives points to members the segment holds, and to no one else.
import { describe, expect, it } from "vitest";
import { accrue, call, createProgram, enroll } from "../helpers";

describe("a campaign rule with a segments condition", () => {
  it("doubles the points of members in the segment only", async () => {
    const p = await createProgram({}, "Segment campaigns");
    const seg = await call("/v1/segments", { key: p.admin, body: { name: "store shoppers", conditions: { channels: ["store"] } } });
    expect(seg.status).toBe(201);
    const created = await call("/v1/campaigns", {
      key: p.admin,
      body: { name: "Store double", startsAt: "2026-01-01T00:00:00Z", rules: [{ id: "double", trigger: { type: "order" }, conditions: { segments: [seg.json.id] }, effect: { type: "multiply", percent: 200 } }] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect((await call(`/v1/campaigns/${created.json.id}/activate`, { key: p.admin, method: "POST" })).status).toBe(200);
    for (const id of ["in", "out"]) await enroll(p.server, id);
    // The first store order puts "in" into the segment; the next order is doubled.
    expect((await accrue(p.server, "in", 1_000, { channel: "store" })).json.points).toBe(10);
    expect((await accrue(p.server, "out", 1_000)).json.points).toBe(10);
    const doubled = await accrue(p.server, "in", 1_000);
    expect(doubled.json.points).toBe(20);
    expect(doubled.json.breakdown.map((l: { rule: string }) => l.rule)).toContain("campaign");
    expect((await accrue(p.server, "out", 1_000)).json.points).toBe(10);
  });
});
