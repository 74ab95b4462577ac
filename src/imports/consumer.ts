// The import queue's consumer: applies one chunk's members through their objects, then marks the chunk done.
import { ProgramSettingsSchema, type ProgramSettings } from "../ledger/settings";
import { inParallel } from "../lib/parallel";
import { memberLedgerOf } from "../members/member-ledger";
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
 * One chunk, resumable at any point: each member's batch marks its lines done
 * with the lots it posts, so a redelivery reads only what is still pending and
 * the member's object skips what an earlier, unanswered call committed.
 */
export async function applyChunk(env: Env, { programId, importId, chunk }: ImportChunkMessage, lastAttempt: boolean): Promise<"done" | "retry"> {
  const db = env.DB;
  const status = await chunkStatus(db, importId, chunk);
  if (status === null || status !== "pending") return "done";
  const now = new Date().toISOString();
  await markRunning(db, importId, now);
  const settings = await programSettings(db, programId);
  if (!settings) return "done";
  const byMember = await pendingLines(db, importId, chunk);
  const failures: D1PreparedStatement[] = [];
  let unfinished = 0;
  await inParallel([...byMember], MEMBERS_IN_PARALLEL, async ([memberId, lines]) => {
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

async function programSettings(db: D1Database, programId: string): Promise<ProgramSettings | null> {
  const settings = await db.prepare("SELECT settings FROM programs WHERE id = ?1").bind(programId).first<string>("settings");
  return settings === null ? null : ProgramSettingsSchema.parse(JSON.parse(settings));
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${MEMBER_CALL_TIMEOUT_MS} ms`)), MEMBER_CALL_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => timer !== null && clearTimeout(timer));
}
