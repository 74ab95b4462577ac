// `npm run bench:webhooks`: webhook events delivered per second through the local queue to a receiver on 127.0.0.1.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createProgram, inParallel, storefront } from "./api";
import { localPool, send } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const MEMBERS = Number(process.env.BENCH_WEBHOOK_MEMBERS ?? 1000);
/** Each member is enrolled and earns once: two events each. */
const EVENTS = 2 * MEMBERS;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Members of a second program with no endpoint: their events are committed unheard and the sweep marks them sent. */
const UNHEARD_MEMBERS = Number(process.env.BENCH_WEBHOOK_UNHEARD ?? 5000);
const WAIT_MS = 300_000;

// Bounded: start-up, two phases of at most WAIT_MS each, and slack. Past that, give up.
setTimeout(() => {
  console.error("bench:webhooks: still running; stopping.");
  process.exit(2);
}, 2 * WAIT_MS + 180_000).unref();

/** A receiver as a shop would run one: notes when each webhook-id arrived, answers 204. */
function startReceiver() {
  const arrivals: { id: string; at: number }[] = [];
  let firstBody: { body: string; headers: Record<string, string> } | null = null;
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => resolve(body));
    });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    arrivals.push({ id: String(req.headers["webhook-id"]), at: performance.now() });
    firstBody ??= { body, headers: req.headers as Record<string, string> };
    res.writeHead(204).end();
  });
  return new Promise<{ url: string; arrivals: typeof arrivals; first: () => typeof firstBody; close: () => void }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hooks`, arrivals, first: () => firstBody, close: () => server.close() });
    });
  });
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `count` members with ids `${prefix}-00000`..., each enrolled and earning once: two events each. */
async function enrollAndEarn(api: ReturnType<typeof storefront>, prefix: string, count: number): Promise<void> {
  await inParallel(count, CONCURRENCY, async (i) => {
    const memberId = `${prefix}-${String(i).padStart(5, "0")}`;
    await api.enroll(memberId);
    await api.accrue(memberId, 5000);
  });
}

/** Runs `sweep-outbox` by hand with an admin key until a run finishes its work. */
async function sweepUntilDone(pool: Parameters<typeof send>[0], adminKey: string): Promise<void> {
  for (let status = "partial"; status !== "done"; ) {
    status = (await send<{ status: string }>(pool, { method: "POST", path: "/v1/jobs/sweep-outbox/run", headers: { authorization: `Bearer ${adminKey}` } })).status;
  }
}

const perSecond = (events: number, ms: number) => Math.round((events / ms) * 1000 * 10) / 10;

async function main() {
  console.log(`bench:webhooks: ${MEMBERS} members, ${EVENTS} events, c=${CONCURRENCY}; bundling and migrating ...`);
  const receiver = await startReceiver();
  const prepared = await prepare();
  const worker = await startMiniflare(prepared, { direct: true });
  const pool = localPool(worker.url, CONCURRENCY + 4);
  try {
    const { programId, key } = await createProgram(pool, prepared.adminToken);
    const platform = { authorization: `Bearer ${prepared.adminToken}` };
    const admin = await send<{ key: string }>(pool, { method: "POST", path: `/v1/programs/${programId}/keys`, headers: platform, body: { role: "admin", name: "bench" }, expect: 201 });
    const adminAuth = { authorization: `Bearer ${admin.key}` };
    const endpoint = await send<{ secret: string }>(pool, { method: "POST", path: "/v1/webhook-endpoints", headers: adminAuth, body: { url: receiver.url }, expect: 201 });

    // Live: the storefront writes while the queue delivers; the clock stops at the last event received.
    const api = storefront(pool, key);
    const started = performance.now();
    await enrollAndEarn(api, "hook", MEMBERS);
    const written = performance.now() - started;
    await until(`${EVENTS} deliveries`, () => new Set(receiver.arrivals.map((a) => a.id)).size >= EVENTS);
    const live = receiver.arrivals.at(-1)!.at - started;
    new Webhook(endpoint.secret).verify(receiver.first()!.body, receiver.first()!.headers);

    // Backlog: every event unsent at once (as after an outage), queued by the sweep, drained by the consumer.
    const db = await worker.d1();
    await db.prepare("UPDATE outbox_events SET sent_at = NULL, created_at = '2000-01-01T00:00:00.000Z' WHERE program_id = ?").bind(programId).all();
    const before = receiver.arrivals.length;
    const drainStarted = performance.now();
    await sweepUntilDone(pool, admin.key);
    const queued = performance.now() - drainStarted;
    await until(`${EVENTS} more deliveries`, () => receiver.arrivals.length - before >= EVENTS);
    const drain = receiver.arrivals.at(-1)!.at - drainStarted;

    // Unheard: a program without endpoints queues nothing; the sweep, past its grace, marks its events sent.
    const quiet = await createProgram(pool, prepared.adminToken);
    const quietAdmin = await send<{ key: string }>(pool, { method: "POST", path: `/v1/programs/${quiet.programId}/keys`, headers: platform, body: { role: "admin", name: "bench" }, expect: 201 });
    const quietApi = storefront(pool, quiet.key);
    const quietStarted = performance.now();
    await enrollAndEarn(quietApi, "quiet", UNHEARD_MEMBERS);
    const quietWritten = performance.now() - quietStarted;
    const { results: [unsent] } = await db.prepare("SELECT COUNT(*) AS n FROM outbox_events WHERE program_id = ? AND sent_at IS NULL").bind(quiet.programId).all<{ n: number }>();
    await db.prepare("UPDATE outbox_events SET created_at = '2000-01-01T00:00:00.000Z' WHERE program_id = ?").bind(quiet.programId).all();
    const markStarted = performance.now();
    await sweepUntilDone(pool, quietAdmin.key);
    const marked = performance.now() - markStarted;
    const { results: [left] } = await db.prepare("SELECT COUNT(*) AS n FROM outbox_events WHERE program_id = ? AND sent_at IS NULL").bind(quiet.programId).all<{ n: number }>();

    const attempts = await db.prepare("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status").bind().all<{ status: string; n: number }>();
    const result = {
      events: EVENTS,
      live: { writesPerSecond: perSecond(2 * MEMBERS, written), deliveredPerSecond: perSecond(EVENTS, live), seconds: Math.round(live) / 1000 },
      backlog: { sweepSeconds: Math.round(queued) / 1000, deliveredPerSecond: perSecond(EVENTS, drain), seconds: Math.round(drain) / 1000 },
      attempts: Object.fromEntries(attempts.results.map((r) => [r.status, r.n])),
      unheard: {
        writesPerSecond: perSecond(2 * UNHEARD_MEMBERS, quietWritten),
        unsentAfterWrites: unsent!.n,
        sweepSeconds: Math.round(marked) / 1000,
        markedPerSecond: perSecond(unsent!.n, marked),
        leftUnsent: left!.n,
      },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await pool.close();
    await worker.stop();
    await cleanUp(prepared);
    receiver.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
