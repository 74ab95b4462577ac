// The hot path reads a member's open lots and holds through indexes, never the whole history.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { database } from "../src/db/client";
import { lots } from "../src/db/schema";
import { PRELOAD_LOTS_SQL } from "../src/members/preload";
import { firstOpenLotsQuery, memberQuery, openLotsQuery, pendingLotsQuery, restOfLotsQueries } from "../src/members/store";

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of the hot path", () => {
  it("reads open lots through the partial index on open lots, with the query the object sends", async () => {
    const query = openLotsQuery(database(env.DB), "p", "m").toSQL();
    const detail = await plan(query.sql, ...query.params);
    expect(detail).toMatch(/USING INDEX lots_open_by_/);
    expect(detail).not.toMatch(/SCAN lots/);
  });

  it("reads a window of open lots in spending order by index, without sorting them", async () => {
    const query = firstOpenLotsQuery(database(env.DB), "p", "m", 256).toSQL();
    const detail = await plan(query.sql, ...query.params);
    expect(detail).toMatch(/USING INDEX lots_open_by_spending/);
    expect(detail).not.toMatch(/SCAN lots|TEMP B-TREE/);
  });

  it("reads the pending lots by their availability, not by walking the open lots", async () => {
    const query = pendingLotsQuery(database(env.DB), "p", "m", "2040-01-01T00:00:00.000Z").toSQL();
    const detail = await plan(query.sql, ...query.params);
    expect(detail).toMatch(/USING INDEX lots_open_by_availability/);
  });

  it("reads the first expiry dates of the lots beyond the window in order, by the spending index, without sorting them", async () => {
    const [sum, expiries] = restOfLotsQueries(database(env.DB), "p", "m", 256, "2040-01-01T00:00:00.000Z");
    const detail = await plan(expiries.toSQL().sql, ...expiries.toSQL().params);
    expect(detail).toMatch(/SEARCH lots USING INDEX lots_open_by_spending \(program_id=\? AND member_id=\? AND <expr><\?\)/);
    expect(detail).not.toMatch(/SCAN lots|TEMP B-TREE/);
    expect(await plan(sum.toSQL().sql, ...sum.toSQL().params)).not.toMatch(/SCAN lots/);
  });

  it("reads a bulk batch's members and their open lots by index, one member at a time", async () => {
    const ids = JSON.stringify(["m1", "m2"]);
    const lots = await plan(PRELOAD_LOTS_SQL, "p", ids, 257);
    expect(lots).toMatch(/USING INDEX lots_open_by_/);
    expect(lots).not.toMatch(/SCAN lots/);
    const members = await plan("SELECT * FROM members WHERE program_id = ? AND member_id IN (SELECT value FROM json_each(?))", "p", ids);
    expect(members).toMatch(/USING INDEX sqlite_autoindex_members_1/);
  });

  it("reads open holds through the member's redemption index", async () => {
    const detail = await plan("SELECT * FROM redemptions WHERE program_id = ? AND member_id = ? AND status = 'held'", "p", "m");
    expect(detail).toMatch(/USING INDEX redemptions_by_member/);
  });

  it("finds the member, the order and the idempotency record by primary key", async () => {
    const member = memberQuery(database(env.DB), "p", "m").toSQL();
    expect(await plan(member.sql, ...member.params)).toMatch(/USING INDEX sqlite_autoindex_members_1/);
    expect(await plan("SELECT * FROM orders WHERE program_id = ? AND issuer = ? AND order_id = ?", "p", "", "o")).toMatch(
      /USING INDEX sqlite_autoindex_orders_1/,
    );
    expect(await plan("SELECT * FROM idempotency_keys WHERE program_id = ? AND scope = ? AND key = ?", "p", "s", "k")).toMatch(
      /USING INDEX sqlite_autoindex_idempotency_keys_1/,
    );
  });

  it("pages the history by index, newest first, without sorting it", async () => {
    const detail = await plan(
      "SELECT * FROM entries WHERE program_id = ? AND member_id = ? AND id < ? ORDER BY id DESC LIMIT 51",
      "p",
      "m",
      "ent_Z",
    );
    expect(detail).toMatch(/USING INDEX entries_by_member/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  // Each index on lots costs every write that adds or changes a lot: two that no hot query needed were dropped (0028, 0029).
  it("keeps on lots the indexes the schema declares, and reads a program's open lots by a program's index", async () => {
    const found = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lots' AND sql IS NOT NULL ORDER BY name").all<{ name: string }>();
    expect(found.results.map((r) => r.name)).toEqual(getTableConfig(lots).indexes.map((i) => i.config.name).sort());
    expect(found.results.map((r) => r.name)).not.toContain("lots_open_by_expiry");
    expect(found.results.map((r) => r.name)).not.toContain("lots_open_by_member");
    // The settlement's open points per issuer, and the KPIs' pending points, name their program.
    const perIssuer = await plan("SELECT partner_id AS issuer, CAST(SUM(remaining) AS TEXT) AS points FROM lots WHERE program_id = ?1 AND remaining > 0 GROUP BY partner_id", "p");
    expect(perIssuer).toMatch(/USING (COVERING )?INDEX lots_open_by_program_/);
    const pending = await plan("SELECT coalesce(sum(remaining), 0) AS points FROM lots WHERE program_id = ? AND remaining > 0 AND available_at > ?", "p", "2026-01-01");
    expect(pending).toMatch(/USING (COVERING )?INDEX lots_open_by_program_availability/);
  });

  it("looks up a key by its hash", async () => {
    expect(await plan("SELECT * FROM api_keys WHERE key_hash = ?", "h")).toMatch(/USING INDEX api_keys_hash/);
  });
});
