// `npm run bench:bulk`: only the bulk posting scenario of `npm run bench`, on a fresh Worker; BENCH_BULK_PROFILE=1 profiles it.
import { createProgram } from "./api";
import { benchBulk } from "./batch";
import { freePort, inspector, printProfile, startProfile } from "./inspector";
import { localPool } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const settings = {
  members: Number(process.env.BENCH_BULK_MEMBERS ?? 5_000),
  batches: Number(process.env.BENCH_BULK_BATCHES ?? 10),
  batchSize: Number(process.env.BENCH_BULK_BATCH_SIZE ?? 500),
};
const profiling = process.env.BENCH_BULK_PROFILE === "1";

const prepared = await prepare();
const port = profiling ? await freePort() : undefined;
const worker = await startMiniflare(prepared, { direct: true, inspectorPort: port });
const pool = localPool(worker.url, 8);
try {
  const { programId, key } = await createProgram(pool, prepared.adminToken);
  const session = port ? await inspector(port) : null;
  const stop = session ? await startProfile(session) : null;
  const bulk = await benchBulk({ pool, key, db: await worker.d1(), programId, ...settings, serverCpuMs: worker.cpuMs });
  const profile = await stop?.();
  session?.close();
  console.log(
    `bulk posting: ${bulk.transactionsPerSecond} transactions/s (${bulk.items} accruals in ${bulk.batches} batches of ${bulk.batchSize} over ${bulk.members} members, ${bulk.seconds} s; batch p50 ${bulk.batchMs.p50} ms, max ${bulk.batchMs.max} ms; CPU ${bulk.serverCpuMsPerItem ?? "n/a"} ms/item, ${bulk.retries} batches re-sent after a connection error); the first batch re-sent: ${bulk.resent.duplicates} duplicates in ${bulk.resent.seconds} s`,
  );
  if (profile) printProfile(profile, Number(process.env.BENCH_PROFILE_TOTALS ?? 40));
} finally {
  await pool.close();
  await worker.stop();
  await cleanUp(prepared);
}
