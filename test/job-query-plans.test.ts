// The jobs page through indexes in index order: no table scan, no sort, whatever the backlog.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { dueLotsPage, idleMembers } from "../src/jobs/expire-points";
import { missedHoldsPage, pastRetention } from "../src/jobs/housekeeping";
import { candidates } from "../src/jobs/recalculate-tiers";
import { ProgramSettingsSchema } from "../src/ledger/settings";
import { tierPageQuery } from "../src/members/job-reads";
import { unsentPage } from "../src/jobs/sweep-outbox";
import { birthdaysPage } from "../src/jobs/birthday-bonus";
import { idleSoon, lotsInWindow } from "../src/jobs/warn-expiring";

const dialect = new SQLiteAsyncDialect();
const NOW = "2026-06-01T00:00:00.000Z";

async function plan(query: SQL | { sql: string; params: unknown[] }): Promise<string> {
  const { sql, params } = "params" in query ? query : dialect.sqlToQuery(query);
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join("\n");
}

describe("query plans of the jobs", () => {
  it("pages due lots on the partial index of open lots by program and expiry", async () => {
    const detail = await plan(dueLotsPage("p", NOW, { expiresAt: "2026-01-01", id: "lot_1" }, 200));
    expect(detail).toMatch(/USING (COVERING )?INDEX lots_open_by_program_expiry/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("pages lots about to expire on the same index", async () => {
    const detail = await plan(lotsInWindow("p", new Date(NOW), 14)({ sortKey: "", id: "" }, 200));
    expect(detail).toMatch(/USING (COVERING )?INDEX lots_open_by_program_expiry/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("walks idle members by last activity, checking open lots through the member's index", async () => {
    for (const query of [
      idleMembers("p", NOW, { lastActivityAt: "", memberId: "" }, 200),
      idleSoon("p", new Date(NOW), 30, 7)({ sortKey: "", id: "" }, 200),
    ]) {
      const detail = await plan(query);
      expect(detail).toMatch(/USING (COVERING )?INDEX members_by_activity/);
      // Any of the member's partial indexes of open lots answers the EXISTS by (program_id, member_id).
      expect(detail).toMatch(/lots_open_by_(member|spending|availability) \(program_id=\? AND member_id=\?/);
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("pages the tier pass by primary key and missed holds on the open-holds index", async () => {
    const settings = ProgramSettingsSchema.parse({ tierQualification: { window: { type: "rolling", days: 365 } } });
    const pass = tierPageQuery(database(env.DB), candidates("p", "m1"), 200, settings, new Date(NOW)).toSQL();
    const detail = await plan(pass);
    expect(detail).toMatch(/USING INDEX sqlite_autoindex_members_1/);
    // Each member's window total is read through the member's entries, not the program's.
    expect(detail).toMatch(/entries_by_member \(program_id=\? AND member_id=\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
    const holds = await plan(missedHoldsPage("p", NOW, { at: "", id: "" }, 200));
    expect(holds).toMatch(/USING INDEX redemptions_open_holds/);
  });

  it("pages unsent outbox events on the partial index of unsent rows", async () => {
    expect(await plan(unsentPage("p", NOW, 200))).toMatch(/USING INDEX outbox_unsent/);
  });

  it.each([
    ["idempotency_keys", "idempotency_keys_expiry", "expires_at"],
    ["expiry_warnings", "expiry_warnings_by_date", "expires_at"],
    ["job_runs", "job_runs_by_program", "started_at"],
  ])("finds %s past retention on %s", async (table, index, column) => {
    expect(await plan(pastRetention(table, index, column, "p", NOW, 200))).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}`));
  });

  it("pages a day's birthdays on the birthday index, in its order", async () => {
    const detail = await plan(birthdaysPage("p", { month: 2, day: 29 }, "m1", 200));
    expect(detail).toMatch(/USING (COVERING )?INDEX members_by_birthday/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
});
