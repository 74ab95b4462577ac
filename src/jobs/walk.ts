// The one loop of the jobs: pages a query by index within the run's budget, hands each page on, keeps the position.
import type { SQL } from "drizzle-orm";
import type { AroundOutcome } from "./around";
import { countCapped, forEachMember, hasBudget, pageSize, spendBatch, writeCursor, type JobContext } from "./support";

/** A query walked in index order, page after page, from a keyset position `K`. */
export interface Walk<R, K> {
  /**
   * The name under which the position is saved in job_cursors after each
   * page, for walks whose rows stay in the query once handled (a moving
   * window, a daily pass). The position never passes a row that was not
   * done, so the walk stops at the first one and the next run starts there.
   * Without a name, handled rows leave the query: every run starts at
   * `from`, and a row this run could not do is simply there for the next
   * while this run walks on past it.
   */
  cursor?: string;
  /** Where this run starts: the saved position, or the front. */
  from: K;
  /** Up to `limit` rows after `after`, in the index's order. */
  page(after: K, limit: number): Promise<readonly R[]>;
  /** The position just past `row`. */
  key(row: R): K;
  /** The capped count of what is left after `at` (`SELECT 1 ... LIMIT cap`), or null when nothing is. */
  left(at: K): SQL | null;
  /** The position to save once the walk has reached its last row (default: where it stands). */
  end?(at: K): K;
}

export interface WalkResult<K> {
  /** Where the next run starts. */
  at: K;
  /** The walk reached the end of its rows. */
  ended: boolean;
  /** Items still due after `at`, counted up to the cap. */
  left: number;
}

/**
 * Walks `walk` while the budget lasts, handing each page to `handle`, which
 * returns how many of the page's rows, in order, are done. A cursor is saved
 * only past rows that are done, so whichever of two overlapping runs writes
 * last, nothing before the saved position was skipped.
 */
export async function walkPages<R, K>(ctx: JobContext, walk: Walk<R, K>, handle: (rows: readonly R[]) => Promise<number>): Promise<WalkResult<K>> {
  let at = walk.from;
  let ended = false;
  while (hasBudget(ctx.budget)) {
    const batchSize = pageSize(ctx.budget);
    const rows = await walk.page(at, batchSize);
    if (rows.length === 0) {
      ended = true;
      if (walk.cursor && walk.end) {
        at = walk.end(at);
        await writeCursor(ctx.db, walk.cursor, ctx.programId, at, ctx.now);
      }
      break;
    }
    spendBatch(ctx.budget);
    const done = await handle(rows);
    if (!walk.cursor) {
      ended = rows.length < batchSize;
      if (ended) break;
      at = walk.key(rows[rows.length - 1]!);
      continue;
    }
    const stop = done < rows.length;
    ended = !stop && rows.length < batchSize;
    if (done > 0) {
      at = walk.key(rows[done - 1]!);
      if (ended && walk.end) at = walk.end(at);
      await writeCursor(ctx.db, walk.cursor, ctx.programId, at, ctx.now);
    }
    if (stop || ended) break;
  }
  const next = walk.cursor ? at : walk.from;
  const left = walk.left(next);
  return { at: next, ended, left: left ? await countCapped(ctx.db, left) : 0 };
}

/** A walk whose rows name members, each handled by a call to the member's object. */
export interface MemberWalk<R, K> extends Walk<R, K> {
  member(row: R): string;
  /** Whether the row needs its member's object; a row that does not is done as it stands (default: every row). */
  due?(row: R): boolean;
  /**
   * Has the member's object do the work of all the member's rows in the page
   * (one call per member and page) and resolves to the items it did; a throw
   * is that member's failure, counted in the run's errors.
   */
  visit(memberId: string): Promise<number>;
  /**
   * Does the work of the page's members without their objects where it can
   * (src/jobs/around.ts), before any visit: the members it leaves are visited.
   */
  around?(memberIds: string[]): Promise<AroundOutcome>;
  /** What the run's items done count: what the visits report (default), or the rows walked past. */
  counts?: "items" | "rows";
}

/**
 * Walks the members of `walk`, calling their objects a bounded number at a
 * time. A row is done when its member's call succeeded (or it needed none);
 * the first row of a failed member is where a saved cursor stops.
 */
export function walkMembers<R, K>(ctx: JobContext, walk: MemberWalk<R, K>): Promise<WalkResult<K>> {
  const countRows = walk.counts === "rows";
  const visit = async (memberId: string) => {
    const items = await walk.visit(memberId);
    return countRows ? 0 : items;
  };
  return walkPages(ctx, walk, async (rows) => {
    const due = walk.due ? rows.filter((row) => walk.due!(row)) : rows;
    let members = [...new Set(due.map((row) => walk.member(row)))];
    if (walk.around && members.length > 0) {
      const { done, viaObjects } = await walk.around(members);
      if (!countRows) for (const items of done.values()) ctx.tally.done += items;
      members = viaObjects;
    }
    const failed = await forEachMember(ctx, members, visit);
    const firstFailed = rows.findIndex((row) => failed.has(walk.member(row)));
    const done = firstFailed === -1 ? rows.length : firstFailed;
    if (countRows) ctx.tally.done += done;
    return done;
  });
}
