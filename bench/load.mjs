// A fixed-concurrency load generator: N loops, each sending one operation after another until time is up.
import { Pool } from "undici";

/** The bench only ever talks to the Worker it started on this machine. */
export function localPool(url, connections) {
  const { hostname, origin } = new URL(url);
  if (hostname !== "127.0.0.1") throw new Error(`refusing to load ${origin}: the bench targets 127.0.0.1 only`);
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

/**
 * Sends one request and reads the whole body (a response counts as done only
 * when its last byte has arrived). Throws on any status but `expect`.
 */
export async function send(pool, { method = "GET", path, headers = {}, body, expect = 200 }) {
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
  return text.length > 0 && text[0] === "{" ? JSON.parse(text) : text;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `operation(loopIndex, sequence)` from `concurrency` loops for
 * `durationMs` after an unmeasured warm-up. Every loop stops at the deadline
 * or after `maxOperations` in the phase, so a run is bounded either way.
 */
export async function measure({ concurrency, durationMs, warmupMs = 0, operation, maxOperations = 5_000_000 }) {
  let sequence = 0;
  let started = 0;
  const latencies = [];
  let errors = 0;
  let firstError = null;

  async function loop(index, until, record) {
    while (performance.now() < until && started < maxOperations) {
      started++;
      const n = sequence++;
      const sent = performance.now();
      try {
        await operation(index, n);
        if (record) latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= String(error?.message ?? error);
        // A failing target answers fast; pausing keeps a broken run from spinning.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  async function phase(ms, record) {
    started = 0;
    const begin = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i, begin + ms, record)));
    return performance.now() - begin;
  }

  if (warmupMs > 0) {
    await phase(warmupMs, false);
    errors = 0;
    firstError = null;
  }
  const elapsedMs = await phase(durationMs, true);
  latencies.sort((a, b) => a - b);
  const round = (ms) => (ms === null ? null : Math.round(ms * 100) / 100);
  return {
    operations: latencies.length,
    perSecond: Math.round((latencies.length / elapsedMs) * 1000 * 10) / 10,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    errors,
    firstError,
  };
}
