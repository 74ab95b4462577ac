// Seeds a long member history in seconds: the API writes one accrual and one redemption for a template
// member, SQL copies those rows with fresh ids onto the target member, and the invariants are checked after.
import type { Storefront } from "./api";
import { inParallel } from "./api";

/** The slice of D1's API the seeding uses (miniflare hands it to Node). */
export interface D1Like {
  prepare(sql: string): { bind(...values: unknown[]): { all<T>(): Promise<{ results: T[] }>; first<T>(column: string): Promise<T | null> } };
  batch(statements: unknown[]): Promise<unknown>;
}

type Row = Record<string, string | number | null>;

/** Our own rows, inlined as SQL literals: no bound-parameter limit, and nothing in them comes from outside. */
function literal(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Copy number `seq.i` of the template's `n`th id. Prefixed ULID-like ids keep
 * their shape (the last 10 characters become n and i: ids made in the same
 * millisecond share their start), other ids get a suffix.
 */
function copiedId(id: string, n: number): string {
  if (!/^[a-z]+_[0-9A-Z]{26}$/.test(id)) return `(${literal(id)} || '-' || seq.i)`;
  return `(${literal(id.slice(0, -10))} || printf('%02d%08d', ${n}, seq.i))`;
}

async function rows(db: D1Like, sql: string, ...params: unknown[]): Promise<Row[]> {
  return (await db.prepare(sql).bind(...params).all<Row>()).results;
}

async function columnsWithMember(db: D1Like): Promise<string[]> {
  const tables = await rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'members'");
  const found: string[] = [];
  for (const { name } of tables) {
    const columns = await rows(db, `PRAGMA table_info("${name}")`);
    if (columns.some((c) => c.name === "member_id")) found.push(String(name));
  }
  return found;
}

/**
 * Gives `memberId` exactly `entries` ledger entries: (entries - 1) / 2 spent
 * 1-point accruals with their redemptions (copies of the template's rows:
 * lot, order, entries, redemption, allocation, outbox events), a 1-point
 * accrual to make the count exact if needed, and a funding accrual through
 * the API. The target's object is first touched after the copy, so it loads
 * the whole state from D1 like any object that was evicted.
 */
export async function seedHistory(options: {
  api: Storefront;
  db: D1Like;
  programId: string;
  memberId: string;
  entries: number;
  fundingCents: number;
  /** Leave every copied lot open (accruals only) instead of spending it: state that grows, not just history. */
  openLots?: boolean;
}): Promise<void> {
  const { api, db, programId, memberId, entries, fundingCents, openLots = false } = options;
  const template = `${memberId}-template`;
  const tables = await columnsWithMember(db);
  const readTemplate = async () => {
    const found = new Map<string, Row[]>();
    for (const table of tables) found.set(table, await rows(db, `SELECT * FROM "${table}" WHERE program_id = ? AND member_id = ?`, programId, template));
    return found;
  };
  await api.enroll(template);
  // What enrolling wrote (its outbox event) is copied once; what the accrual and redemption wrote, once per copy.
  const enrolled = new Set([...(await readTemplate()).values()].flat().map((row) => JSON.stringify(row)));
  await api.accrue(template, 100);
  if (!openLots) await api.redeem(template, 1);
  const perCopy = openLots ? 1 : 2;
  const copies = Math.floor((entries - 1) / perCopy);
  const templateRows = await readTemplate();
  const redemptionIds = (templateRows.get("redemptions") ?? []).map((r) => String(r.id));
  if (redemptionIds.length > 0) {
    templateRows.set("allocations", await rows(db, `SELECT * FROM allocations WHERE redemption_id IN (${redemptionIds.map(literal).join(", ")})`));
  }

  // Every id the template's rows carry, wherever it appears (columns or JSON details), becomes the copy's id.
  const renames = new Map<string, string>([[template, literal(memberId)]]);
  for (const row of [...templateRows.values()].flat()) {
    for (const column of ["id", "order_id", "accrual_id"]) {
      const value = row[column];
      if (typeof value === "string" && value !== "" && !renames.has(value)) renames.set(value, copiedId(value, renames.size));
    }
  }
  const expression = (value: string | number | null) => {
    if (typeof value !== "string") return literal(value);
    let sql = literal(value);
    for (const [from, to] of renames) if (value.includes(from)) sql = `replace(${sql}, ${literal(from)}, ${to})`;
    return sql;
  };

  // Copies of the history rows get new ids; a table with one row per member (statistics, rollups per customer)
  // keeps the template's one row (OR IGNORE), since only the ledger's history is what this bench scales.
  const statements = [];
  for (const [table, tableRows] of templateRows) {
    for (const row of tableRows) {
      const times = enrolled.has(JSON.stringify(row)) ? 1 : copies;
      if (times === 0) continue;
      const columns = Object.keys(row);
      statements.push(
        db.prepare(
          `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${times})
           INSERT OR IGNORE INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) SELECT ${columns.map((c) => expression(row[c]!)).join(", ")} FROM seq`,
        ),
      );
    }
  }
  // The member row once, with the counters its copied accruals earned.
  const [member] = await rows(db, "SELECT * FROM members WHERE program_id = ? AND member_id = ?", programId, template);
  const scaled: Row = { ...member!, member_id: memberId, lifetime_earned: Number(member!.lifetime_earned) * copies, qualifying_points: Number(member!.qualifying_points) * copies };
  const columns = Object.keys(scaled);
  statements.push(db.prepare(`INSERT INTO members (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((c) => literal(scaled[c]!)).join(", ")})`));
  await db.batch(statements.map((s) => s.bind()));

  const extra = entries - 1 - perCopy * copies;
  await inParallel(extra, 1, () => api.accrue(memberId, 100));
  await api.accrue(memberId, fundingCents);
  await checkInvariants(api, db, programId, memberId, entries);
}

/** Entries, lots, allocations and the API's balance agree, and the count is what was asked. */
async function checkInvariants(api: Storefront, db: D1Like, programId: string, memberId: string, expectedEntries: number): Promise<void> {
  const [sums] = await rows(
    db,
    `SELECT
       (SELECT COUNT(*) FROM entries WHERE program_id = ?1 AND member_id = ?2) AS entries,
       (SELECT COALESCE(SUM(points), 0) FROM entries WHERE program_id = ?1 AND member_id = ?2) AS entry_points,
       (SELECT COALESCE(SUM(points), 0) FROM entries WHERE program_id = ?1 AND member_id = ?2 AND type = 'earn') AS earned,
       (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE program_id = ?1 AND member_id = ?2) AS lot_points,
       (SELECT COUNT(*) FROM lots l WHERE program_id = ?1 AND member_id = ?2
          AND l.points - l.remaining <> (SELECT COALESCE(SUM(a.points), 0) FROM allocations a WHERE a.lot_id = l.id)) AS unbalanced_lots`,
    programId,
    memberId,
  );
  const balance = (await api.balance(memberId)) as { available: number; pending: number; held: number; lifetimeEarned: number };
  // No holds are open, so every point the lots hold is available or pending.
  const owned = balance.available + balance.pending;
  const problems = [
    sums!.entries !== expectedEntries && `${sums!.entries} entries instead of ${expectedEntries}`,
    sums!.entry_points !== sums!.lot_points && `entries sum to ${sums!.entry_points}, lots hold ${sums!.lot_points}`,
    sums!.lot_points !== owned && `lots hold ${sums!.lot_points}, the balance says ${owned}`,
    sums!.earned !== balance.lifetimeEarned && `earn entries sum to ${sums!.earned}, lifetimeEarned is ${balance.lifetimeEarned}`,
    sums!.unbalanced_lots !== 0 && `${sums!.unbalanced_lots} lots whose spent points differ from their allocations`,
    balance.held !== 0 && `${balance.held} points held`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`seeded history of ${memberId} breaks the ledger's invariants: ${problems.join("; ")}`);
}
