// The import file's reader: lines validated one by one, lots dated by the program's policy, members kept whole in a chunk.
import { describe, expect, it } from "vitest";
import { CHUNK_LINES, csvRows, parseImportFile } from "../../src/imports/lines";
import { ProgramSettingsSchema } from "../../src/ledger/settings";

const settings = ProgramSettingsSchema.parse({ pendingDays: 14, expiry: { policy: "rolling", days: 30 }, tiers: [{ name: "gold", threshold: 100 }] });
const now = new Date("2026-12-01T00:00:00.000Z");

describe("csvRows", () => {
  it("reads quoted commas, doubled quotes and line breaks, and says where each row starts", () => {
    expect(csvRows('a,b\r\n"x, y","say ""hi"""\n"two\nlines",z')).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["x, y", 'say "hi"'] },
      { line: 3, cells: ["two\nlines", "z"] },
    ]);
  });
});

describe("parseImportFile", () => {
  it("dates a lot by the program's policy from its own earnedAt, unless the line says otherwise", () => {
    const file = [
      JSON.stringify({ memberId: "a", lots: [{ points: 5, earnedAt: "2026-11-20T00:00:00Z" }] }),
      JSON.stringify({ memberId: "b", tier: "gold", lots: [{ points: 5, earnedAt: "2026-11-20T00:00:00Z", expiresAt: null, availableAt: "2026-11-20T00:00:00Z" }] }),
    ].join("\n");
    const { lines } = parseImportFile(file, "jsonl", settings, now);
    expect(lines.map((l) => (l.status === "pending" ? l.data.lots : null))).toEqual([
      [{ points: 5, earnedAt: "2026-11-20T00:00:00.000Z", availableAt: "2026-12-04T00:00:00.000Z", expiresAt: "2026-12-20T00:00:00.000Z" }],
      [{ points: 5, earnedAt: "2026-11-20T00:00:00.000Z", availableAt: "2026-11-20T00:00:00.000Z", expiresAt: null }],
    ]);
  });

  it.each([
    ["not JSON", "{", "invalid_line"],
    ["an unknown tier", JSON.stringify({ memberId: "a", tier: "platinum" }), "unknown_tier"],
    ["a lot past its expiry (by the policy)", JSON.stringify({ memberId: "a", lots: [{ points: 5, earnedAt: "2026-01-01T00:00:00Z" }] }), "lot_already_expired"],
    ["a lot available before it was earned", JSON.stringify({ memberId: "a", lots: [{ points: 5, earnedAt: "2026-11-20T00:00:00Z", availableAt: "2026-11-01T00:00:00Z" }] }), "invalid_line"],
    ["zero points", JSON.stringify({ memberId: "a", lots: [{ points: 0, earnedAt: "2026-11-20T00:00:00Z" }] }), "invalid_line"],
    ["no memberId", JSON.stringify({ email: "a@example.com" }), "invalid_line"],
  ])("keeps %s as the line's error", (_, line, code) => {
    const { lines, chunks } = parseImportFile(`${JSON.stringify({ memberId: "ok" })}\n${line}\n`, "jsonl", settings, now);
    expect(lines[1]).toMatchObject({ line: 2, status: "invalid", error: { code } });
    expect(lines[0]!.status).toBe("pending");
    expect(chunks).toEqual([{ chunk: 0, lines: 1 }]);
  });

  it("never splits a member's lines over two chunks", () => {
    const rows = Array.from({ length: CHUNK_LINES - 1 }, (_, i) => JSON.stringify({ memberId: `m${i}` }));
    rows.push(JSON.stringify({ memberId: "twice" }), JSON.stringify({ memberId: "twice" }));
    const { lines, chunks } = parseImportFile(rows.join("\n"), "jsonl", settings, now);
    expect(chunks).toEqual([
      { chunk: 0, lines: CHUNK_LINES - 1 },
      { chunk: 1, lines: 2 },
    ]);
    expect(lines.filter((l) => l.memberId === "twice").map((l) => (l.status === "pending" ? l.chunk : null))).toEqual([1, 1]);
  });
});
