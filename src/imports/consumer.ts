// The import queue's consumer: creates one chunk's new members in one batch, applies the others through their
// objects, then marks the chunk done.
import { ProgramSettingsSchema, type ProgramSettings } from "../ledger/settings";
import { inParallel } from "../lib/parallel";
import { memberLedgerOf } from "../members/member-ledger";
import { createNewMembers } from "./bulk";
import { chunkStatus, failLinesStatement, finishChunk, markRunning, pendingLines, type ImportChunkMessage } from "./store";

/**
 * Members of a chunk applied at once: each is its own object, so they run
 * side by side; the time goes to round trips, not CPU.
 */
const MEMBERS_IN_PARALLEL = 32;
/**
 * Deliveries of a chunk before it is given up (its lines failed, the import
 * failed). The queue's max_retries in wrangler.toml is higher, so this count,
 * not the dead-letter queue, decides.
 */
export const MAX_CHUNK_ATTEMPTS = 8;
/** A member's call that has not answered by then counts as unknown: the chunk comes back, and what landed stays done. */
const MEMBER_CALL_TIMEOUT_MS = 30_000;

export async function handleImportBatch(batch: MessageBatch<ImportChunkMessage>, env: Env): Promise<void> {
  // A batch's chunks are of different members (a member's lines are in one chunk), so they run side by side.
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const outcome = await applyChunk(env, message.body, message.attempts >= MAX_CHUNK_ATTEMPTS);
        if (outcome === "retry") message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
        else message.ack();
      } catch (error) {
        // D1 unavailable for the chunk's own rows: the queue hands it over again, and what is done stays done.
        console.log(JSON.stringify({ level: "warn", what: "import chunk failed; retrying", importId: message.body.importId, chunk: message.body.chunk, error: String(error) }));
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }),
  );
}

/**
 * One chunk, resumable at any point: each batch marks its lines done with the
 * lots it posts, so a redelivery reads only what is still pending and a
 * member's object skips what an earlier, unanswered call committed. Members D1
 * does not hold are created together in one batch (src/imports/bulk.ts); the
 * others, and all of them when that batch meets a member enrolled meanwhile,
 * go through their objects.
 */
export async function applyChunk(env: Env, { programId, importId, chunk }: ImportChunkMessage, lastAttempt: boolean): Promise<"done" | "retry"> {
  const db = env.DB;
  const status = await chunkStatus(db, importId, chunk);
  if (status === null || status !== "pending") return "done";
  const now = new Date().toISOString();
  await markRunning(db, importId, now);
  const program = await programOf(db, programId);
  if (!program) return "done";
  const { settings, closedThrough } = program;
  const byMember = await pendingLines(db, importId, chunk);
  const failures: D1PreparedStatement[] = [];
  let viaObjects = [...byMember.keys()];
  const absent = await absentMembers(db, programId, viaObjects);
  if (absent.length > 0) {
    const created = await createNewMembers(env, { programId, importId, settings, closedThrough, lines: new Map(absent.map((id) => [id, byMember.get(id)!])) });
    // On a conflict nothing landed: every member of the chunk goes through its object.
    if (created.outcome === "written") {
      failures.push(...created.refused);
      const inBatch = new Set(absent.filter((id) => !created.viaObjects.includes(id)));
      viaObjects = viaObjects.filter((id) => !inBatch.has(id));
    }
  }
  let unfinished = 0;
  await inParallel(viaObjects.map((id) => [id, byMember.get(id)!] as const), MEMBERS_IN_PARALLEL, async ([memberId, lines]) => {
    try {
      const reply = await withTimeout(
        memberLedgerOf(env, programId, memberId).importMember({ programId, memberId, settings, partnerId: null, idempotency: null }, { importId, lines }),
      );
      if (reply.ok) return;
      if (reply.error.code === "temporarily_unavailable" || reply.error.code === "concurrent_update") unfinished++;
      else failures.push(failLinesStatement(db, importId, memberId, { code: reply.error.code, message: reply.error.detail }));
    } catch (error) {
      // The object was reset or D1 lost the answer: whether the batch landed is unknown, so the chunk comes back.
      console.log(JSON.stringify({ level: "warn", what: "import member not applied", importId, chunk, error: String(error) }));
      unfinished++;
    }
  });
  if (unfinished > 0 && !lastAttempt) {
    if (failures.length > 0) await db.batch(failures);
    return "retry";
  }
  await finishChunk(db, importId, chunk, unfinished > 0 ? "failed" : "done", failures, new Date().toISOString());
  return "done";
}

async function programOf(db: D1Database, programId: string): Promise<{ settings: ProgramSettings; closedThrough: string | null } | null> {
  const row = await db.prepare("SELECT settings, closed_through FROM programs WHERE id = ?1").bind(programId).first<{ settings: string; closed_through: string | null }>();
  return row === null ? null : { settings: ProgramSettingsSchema.parse(JSON.parse(row.settings)), closedThrough: row.closed_through };
}

/** The members D1 does not hold (erased ones it does: they stay as pseudonyms), in one read. */
async function absentMembers(db: D1Database, programId: string, memberIds: string[]): Promise<string[]> {
  if (memberIds.length === 0) return [];
  const { results } = await db
    .prepare("SELECT member_id FROM members WHERE program_id = ?1 AND member_id IN (SELECT value FROM json_each(?2))")
    .bind(programId, JSON.stringify(memberIds))
    .all<{ member_id: string }>();
  const present = new Set(results.map((r) => r.member_id));
  return memberIds.filter((id) => !present.has(id));
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${MEMBER_CALL_TIMEOUT_MS} ms`)), MEMBER_CALL_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => timer !== null && clearTimeout(timer));
}
