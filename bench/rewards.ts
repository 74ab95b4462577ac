// `npm run bench:rewards`: claims per second of one reward with stock (many members), and coupon look-ups per second.
import { randomUUID } from "node:crypto";
import { createProgram, inParallel, storefront } from "./api";
import { localPool, measure, send } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = 1000 * Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_MS = 1000 * Number(process.env.BENCH_WARMUP ?? 1);
/** Coupons claimed up front for the look-up phase. */
const COUPONS = Number(process.env.BENCH_COUPONS ?? 500);

setTimeout(() => {
  console.error("bench:rewards: still running; stopping.");
  process.exit(2);
}, 2 * (DURATION_MS + WARMUP_MS) + 300_000).unref();

async function main() {
  console.log(`bench:rewards: ${MEMBERS} members, c=${CONCURRENCY}, ${DURATION_MS / 1000} s per phase; bundling and migrating ...`);
  const prepared = await prepare();
  const worker = await startMiniflare(prepared, { direct: true });
  const pool = localPool(worker.url, CONCURRENCY + 4);
  try {
    const { programId, key } = await createProgram(pool, prepared.adminToken);
    const platform = { authorization: `Bearer ${prepared.adminToken}` };
    const admin = await send<{ key: string }>(pool, { method: "POST", path: `/v1/programs/${programId}/keys`, headers: platform, body: { role: "admin", name: "bench" }, expect: 201 });
    const adminAuth = { authorization: `Bearer ${admin.key}` };
    // Stock large enough never to run out: every claim reserves and confirms a unit in the reward's one object.
    const reward = await send<{ id: string }>(pool, {
      method: "POST",
      path: "/v1/rewards",
      headers: adminAuth,
      body: { name: "bench reward", type: "fixed_discount", costPoints: 1, value: { amount: 100, currency: "EUR" }, stock: 100_000_000 },
      expect: 201,
    });
    const api = storefront(pool, key);
    const members = Array.from({ length: MEMBERS }, (_, i) => `claimer-${String(i).padStart(5, "0")}`);
    await inParallel(MEMBERS, CONCURRENCY, async (i) => {
      await api.enroll(members[i]!);
      await api.accrue(members[i]!, 1_000_000);
    });
    const run = randomUUID().slice(0, 8);
    const claim = (memberId: string, n: number) =>
      send<{ coupon: { code: string } }>(pool, {
        method: "POST",
        path: `/v1/members/${encodeURIComponent(memberId)}/rewards/${reward.id}/claims`,
        headers: { authorization: `Bearer ${key}`, "idempotency-key": `${run}-claim-${n}` },
        expect: 201,
      });
    const claims = await measure({ concurrency: CONCURRENCY, durationMs: DURATION_MS, warmupMs: WARMUP_MS, operation: (_, n) => claim(members[n % MEMBERS]!, n), serverCpuMs: worker.cpuMs });
    console.log(`bench:rewards: claims, one reward with stock, ${MEMBERS} members: ${claims.perSecond}/s`);

    const codes: string[] = [];
    await inParallel(COUPONS, CONCURRENCY, async (i) => {
      codes.push((await claim(members[i % MEMBERS]!, 1_000_000 + i)).coupon.code);
    });
    const lookups = await measure({
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      operation: (_, n) => send(pool, { path: `/v1/coupons/${codes[n % codes.length]}`, headers: { authorization: `Bearer ${key}` } }),
      serverCpuMs: worker.cpuMs,
    });
    console.log(`bench:rewards: coupon look-ups: ${lookups.perSecond}/s`);
    const db = await worker.d1();
    const inventory = await send<{ inventory: { claimed: number; reserved: number } }>(pool, { path: `/v1/rewards/${reward.id}`, headers: adminAuth });
    const stored = Number(await db.prepare("SELECT COUNT(*) AS n FROM reward_claims WHERE program_id = ?").bind(programId).first<number>("n"));
    console.log(
      JSON.stringify(
        {
          generatedAt: new Date().toISOString(),
          settings: { members: MEMBERS, concurrency: CONCURRENCY, durationMs: DURATION_MS, coupons: COUPONS },
          claims,
          couponLookups: lookups,
          // Every committed claim confirmed its unit: the object's count and D1's agree.
          check: { claimsInD1: stored, claimedInStock: inventory.inventory.claimed, reserved: inventory.inventory.reserved },
        },
        null,
        2,
      ),
    );
  } finally {
    await pool.close();
    await worker.stop();
    await cleanUp(prepared);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
