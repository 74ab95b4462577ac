// A fixed-concurrency load generator: N loops, each sending one operation after another until time is up.
import { Pool } from "undici";

/** The bench only ever talks to the Worker it started on this machine. */
export function localPool(url: string, connections: number): Pool {
  const { hostname, origin } = new URL(url);
  if (hostname !== "127.0.0.1") throw new Error(`refusing to load ${origin}: the bench targets 127.0.0.1 only`);
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

export interface Call {
  method?: "GET" | "POST" | "PUT";
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  expect?: number;
}

/**
 * Sends one request and reads the whole body (a response counts as done only
 * when its last byte has arrived). Throws on any status but `expect`.
 */
export async function send<T = Record<string, unknown>>(pool: Pool, { method = "GET", path, headers = {}, body, expect = 200 }: Call): Promise<T> {
  const res = await pool.request({
    method,
    path,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== expect) {
    throw new Error(`${method} ${path} answered ${res.statusCode}, expected ${expect}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

export interface Measurement {
  operations: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  firstError: string | null;
  /** CPU the server's processes used per operation: unlike ops/s, barely moved by other load on the machine. */
  serverCpuMsPerOp: number | null;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  /** One operation: a request, or a few in a row that count as one (hold, then capture). */
  operation: (loop: number, sequence: number) => Promise<unknown>;
  maxOperations?: number;
  /** Reads the server's CPU time so far, in ms. */
  serverCpuMs?: () => number | null;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round2 = (ms: number | null) => (ms === null ? null : Math.round(ms * 100) / 100);

/** What one measured phase saw, before it is summarized. */
export interface Sample {
  latencies: number[];
  elapsedMs: number;
  cpuMs: number | null;
  errors: number;
  firstError: string | null;
}

/**
 * Runs `operation` from `concurrency` loops for `durationMs` after an
 * unmeasured warm-up. Every loop stops at the deadline or after
 * `maxOperations` in the phase, so a run is bounded either way.
 */
export async function sample({
  concurrency,
  durationMs,
  warmupMs = 0,
  operation,
  maxOperations = 5_000_000,
  serverCpuMs = () => null,
}: LoadOptions): Promise<Sample> {
  let sequence = 0;
  let started = 0;
  let latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;

  async function loop(index: number, until: number) {
    while (performance.now() < until && started < maxOperations) {
      started++;
      const sent = performance.now();
      try {
        await operation(index, sequence++);
        latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        // A failing target answers fast; pausing keeps a broken run from spinning.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  async function phase(ms: number): Promise<number> {
    started = 0;
    latencies = [];
    errors = 0;
    firstError = null;
    const begin = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i, begin + ms)));
    return performance.now() - begin;
  }

  if (warmupMs > 0) await phase(warmupMs);
  const cpuBefore = serverCpuMs();
  const elapsedMs = await phase(durationMs);
  const cpuAfter = serverCpuMs();
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { latencies, elapsedMs, cpuMs, errors, firstError };
}

/** One figure from one or more samples of the same call (several when interleaved with other calls). */
export function summarize(...samples: Sample[]): Measurement {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const elapsedMs = samples.reduce((sum, s) => sum + s.elapsedMs, 0);
  const cpuMs = samples.some((s) => s.cpuMs === null) ? null : samples.reduce((sum, s) => sum + s.cpuMs!, 0);
  return {
    operations: latencies.length,
    perSecond: Math.round((latencies.length / elapsedMs) * 10_000) / 10,
    p50Ms: round2(percentile(latencies, 50)),
    p99Ms: round2(percentile(latencies, 99)),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    firstError: samples.find((s) => s.firstError)?.firstError ?? null,
    serverCpuMsPerOp: cpuMs === null || latencies.length === 0 ? null : Math.round((cpuMs / latencies.length) * 1000) / 1000,
  };
}

export async function measure(options: LoadOptions): Promise<Measurement> {
  return summarize(await sample(options));
}

/** The middle value (the mean of the two middle ones for an even count): what every interleaved comparison reports. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
