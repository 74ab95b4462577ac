// Bulk posting: transactions per second for batches of 500 accruals sent one after another, each item for another member.
import { randomUUID } from "node:crypto";
import type { Pool } from "undici";
import type { D1Like } from "./history";
import { send } from "./load";

export interface BulkOptions {
  pool: Pool;
  key: string;
  db: D1Like;
  programId: string;
  members: number;
  batches: number;
  batchSize: number;
  serverCpuMs: () => number | null;
}

export interface BulkResult {
  members: number;
  batches: number;
  batchSize: number;
  items: number;
  seconds: number;
  transactionsPerSecond: number;
  batchMs: { p50: number; max: number };
  serverCpuMsPerItem: number | null;
  /** Batches sent again after a connection error: safe by design, and counted in the time. */
  retries: number;
  /** The first batch sent again: every item answers as a duplicate, nothing is written. */
  resent: { seconds: number; itemsPerSecond: number; duplicates: number };
}

interface BatchAnswer {
  counts: { posted: number; duplicate: number; error: number };
  results: { status: string; error?: { code: string } }[];
}

const memberId = (i: number) => `bulk-${String(i).padStart(5, "0")}`;

/**
 * The members exist before the file arrives, as in a real program, but their
 * objects have never run: one member is enrolled through the API and its row
 * copied in SQL, so each item of the run starts (and loads) its object cold.
 */
async function seedMembers(options: BulkOptions): Promise<void> {
  const { pool, key, db, programId, members } = options;
  const template = "bulk-template";
  await send(pool, { method: "PUT", path: `/v1/members/${template}`, headers: { authorization: `Bearer ${key}` }, body: {}, expect: 201 });
  const columns = (await db.prepare("SELECT name FROM pragma_table_info('members')").bind().all<{ name: string }>()).results.map((c) => c.name);
  const select = columns.map((c) => (c === "member_id" ? `'bulk-' || printf('%05d', seq.i)` : `"${c}"`)).join(", ");
  await db
    .prepare(
      `INSERT INTO members (${columns.map((c) => `"${c}"`).join(", ")})
       WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 - 1)
       SELECT ${select} FROM seq, members WHERE program_id = ?2 AND member_id = ?3`,
    )
    .bind(members, programId, template)
    .all();
}

/** Sends a batch; after a connection error sends it again, as a client should (items already posted come back as duplicates). */
async function post(options: BulkOptions, items: unknown[], retried: { count: number }): Promise<BatchAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send<BatchAnswer>(options.pool, {
        method: "POST",
        path: "/v1/transactions/batch",
        headers: { authorization: `Bearer ${options.key}` },
        body: { items },
      });
    } catch (error) {
      const network = typeof (error as { code?: unknown }).code === "string";
      if (!network || attempt === 2) throw error;
      retried.count++;
    }
  }
}

export async function benchBulk(options: BulkOptions): Promise<BulkResult> {
  const { batches, batchSize, members } = options;
  await seedMembers(options);
  const run = randomUUID().slice(0, 8);
  const files = Array.from({ length: batches }, (_, b) =>
    Array.from({ length: batchSize }, (_, i) => {
      const n = b * batchSize + i;
      return { type: "accrual", memberId: memberId(n % members), orderId: `${run}-eod-${n}`, amount: { amount: 1999 + (n % 500), currency: "EUR" }, channel: "store" };
    }),
  );

  const batchMs: number[] = [];
  const retried = { count: 0 };
  const cpuBefore = options.serverCpuMs();
  const started = performance.now();
  for (const items of files) {
    const sent = performance.now();
    const answer = await post(options, items, retried);
    batchMs.push(performance.now() - sent);
    if (answer.counts.error > 0 || answer.counts.posted + answer.counts.duplicate !== items.length) {
      const firstError = answer.results.find((r) => r.error)?.error?.code;
      throw new Error(`bulk: a batch posted ${answer.counts.posted} of ${items.length} items (first error: ${firstError})`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = options.serverCpuMs();

  const resendStarted = performance.now();
  const resent = await post(options, files[0]!, retried);
  const resendSeconds = (performance.now() - resendStarted) / 1000;
  const orders = await options.db.prepare("SELECT COUNT(*) AS n FROM orders WHERE program_id = ? AND order_id LIKE ?").bind(options.programId, `${run}-eod-%`).first<number>("n");
  if (resent.counts.duplicate !== batchSize || Number(orders) !== batches * batchSize) {
    throw new Error(`bulk: the re-sent batch answered ${JSON.stringify(resent.counts)} and ${orders} orders exist; expected ${batchSize} duplicates and ${batches * batchSize} orders`);
  }

  const items = batches * batchSize;
  const sorted = [...batchMs].sort((a, b) => a - b);
  const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    members,
    batches,
    batchSize,
    items,
    seconds: round(seconds, 2),
    transactionsPerSecond: round(items / seconds),
    batchMs: { p50: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted.at(-1)!) },
    serverCpuMsPerItem: cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / items, 2),
    retries: retried.count,
    resent: { seconds: round(resendSeconds, 2), itemsPerSecond: round(batchSize / resendSeconds), duplicates: resent.counts.duplicate },
  };
}
