// Shared tools of the reliability suite: the member's object by name, a
// fingerprint of the whole database, and fault injection around D1 batches
// (the object crashing, or D1 refusing the work).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { database, type Database } from "../../src/db/client";
import { memberObjectName, type MemberLedger } from "../../src/members/member-ledger";

/** A fresh stub every time: a stub of an object that was aborted stays broken. */
export function memberStub(programId: string, memberId: string): DurableObjectStub<MemberLedger> {
  return env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId));
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The member's object with its RPC methods typed as the class declares them (as the Worker does). */
export function memberLedger(programId: string, memberId: string): MemberLedger {
  return memberStub(programId, memberId) as unknown as MemberLedger;
}

/**
 * Columns the webhook consumer writes after the request has been answered (it
 * marks events sent when it fans them out): left out, as in test/auth.test.ts.
 */
const WRITTEN_LATER = new Set(["sent_at"]);

/** Row count and a checksum of every row, for every table of the schema. */
export async function databaseFingerprint(): Promise<Record<string, { rows: number; checksum: string }>> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  const fingerprint: Record<string, { rows: number; checksum: string }> = {};
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all<Record<string, unknown>>();
    const kept = rows.results.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !WRITTEN_LATER.has(column))));
    fingerprint[name] = { rows: kept.length, checksum: await sha256(JSON.stringify(kept)) };
  }
  return fingerprint;
}

/**
 * Where the object dies relative to the D1 batch of the next write:
 * - before: the batch is never sent;
 * - in-flight: the batch is sent and the object dies at once, not waiting for it;
 * - landed: the batch has committed in D1 but the object dies before it learns so;
 * - after: the batch's answer arrived, the object dies before it answers its caller.
 */
export type CrashStage = "before" | "in-flight" | "landed" | "after";

/**
 * Arms the member's live object to abort itself (`ctx.abort()`, what the
 * runtime does to a broken object) at `stage` of its next D1 batch. The
 * object keeps using the real D1 binding: the wrapper only decides when the
 * abort happens. Nothing in src/ knows about it; the next instance, built
 * after the abort, is a plain one.
 */
export async function armCrash(programId: string, memberId: string, stage: CrashStage): Promise<void> {
  await wrapBatch(programId, memberId, (real, state) => {
    const version = () =>
      real
        .prepare("SELECT version FROM members WHERE program_id = ? AND member_id = ?")
        .bind(programId, memberId)
        .first<number>("version");
    let armed = true;
    const batch = async (statements: D1PreparedStatement[]) => {
      // Reads go through batches too (the state snapshot): only a write is the target.
      if (!armed || statements.every(isRead)) return real.batch(statements);
      armed = false;
      if (stage === "before") state.abort(`crash ${stage} the batch`);
      const before = await version();
      const sent = real.batch(statements);
      if (stage === "in-flight") state.abort(`crash with the batch ${stage}`);
      if (stage === "landed") {
        // Every write batch creates or steps the member row: its version says when it has landed.
        for (let waited = 0; (await version()) === before; waited++) {
          if (waited > 5000) throw new Error("the batch never landed");
          await scheduler.wait(1);
        }
        state.abort(`crash with the batch ${stage}`);
      }
      const results = await sent;
      state.abort(`crash ${stage} the batch`);
      return results;
    };
    return batch;
  });
}

/** D1's own words when it refuses work or loses it (Cloudflare's list of D1 errors). */
export const D1_REFUSALS = [
  "D1 DB is overloaded. Too many requests queued.",
  "D1 DB is overloaded. Requests queued for too long.",
  "D1 DB storage operation exceeded timeout which caused object to be reset.",
] as const;

/** An error as the D1 binding throws it: prefixed message, D1's words as the cause. */
export function d1Error(message: string): Error {
  return new Error(`D1_ERROR: ${message}`, { cause: new Error(message) });
}

/**
 * Where D1 fails the next write batch of the member's object:
 * - before: D1 refuses it; nothing runs;
 * - during: the batch runs, but the error arrives while it is in flight, so its outcome is unknown;
 * - after: the batch committed, then the error arrives instead of its answer.
 */
export type D1FaultStage = "before" | "during" | "after";

/**
 * Arms the member's live object so that D1 throws `message` at `stage` of
 * its next write batch (or of its next batch of any kind, reads included,
 * with `reads`). Once thrown, the wrapper passes everything to the real D1.
 */
export async function armD1Error(programId: string, memberId: string, stage: D1FaultStage, message: string, options: { reads?: boolean } = {}): Promise<void> {
  await wrapBatch(programId, memberId, (real) => {
    let armed = true;
    return async (statements: D1PreparedStatement[]) => {
      if (!armed || (!options.reads && statements.every(isRead))) return real.batch(statements);
      armed = false;
      if (stage === "before") throw d1Error(message);
      const sent = real.batch(statements);
      if (stage === "during") {
        sent.catch(() => undefined);
        throw d1Error(message);
      }
      await sent;
      throw d1Error(message);
    };
  });
}

/** Gives the member's live object a D1 handle whose `batch` is `wrap`'s; everything else is the real binding. */
async function wrapBatch(
  programId: string,
  memberId: string,
  wrap: (real: D1Database, state: DurableObjectState) => (statements: D1PreparedStatement[]) => Promise<D1Result[]>,
): Promise<void> {
  await runInDurableObject(memberStub(programId, memberId), (instance: MemberLedger, state) => {
    const real = env.DB;
    const batch = wrap(real, state);
    const faulty = new Proxy(real, {
      get: (target, prop) => {
        if (prop === "batch") return batch;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    (instance as unknown as { db: Database }).db = database(faulty);
  });
}

/** workerd's statements carry their SQL; one without it counts as a write. */
function isRead(statement: D1PreparedStatement): boolean {
  const sql = (statement as unknown as { statement?: string }).statement;
  return typeof sql === "string" && /^\s*select\b/i.test(sql);
}

/** What the member's object holds in memory right now (null when it has nothing cached). */
export async function cachedState(programId: string, memberId: string): Promise<unknown> {
  return runInDurableObject(memberStub(programId, memberId), (instance: MemberLedger) => (instance as unknown as { cached: unknown }).cached);
}
