// The floor: a Worker that does only what a ledger write must (one Durable Object RPC, one D1 batch), on the same runtime and config.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { childPids, treeCpuMs } from "./cpu";
import type { Prepared } from "./runtime";
import { ACCRUAL_STATEMENTS } from "./accrual-batch";

export { ACCRUAL_STATEMENTS, FIRST_FLOOR_STATEMENTS } from "./accrual-batch";

/**
 * The floor Worker's source. Each member's object writes one row of
 * `members` and `rows - 1` other rows of about an accrual's width in one
 * batch (`?rows=`, `ACCRUAL_STATEMENTS` unless given); `/noop` is an object
 * call that touches nothing.
 */
const SCRIPT = `
import { DurableObject } from "cloudflare:workers";

const DETAILS = JSON.stringify({ orderId: "order-0000000000", amount: { amount: 1999, currency: "EUR" }, channel: "web", rate: 1, partnerId: null });

export class Floor extends DurableObject {
  noop() {
    return { ok: true };
  }
  async write(memberId, rows) {
    const at = new Date().toISOString();
    const statements = [
      this.env.DB.prepare("INSERT INTO members (id, version, updated_at) VALUES (?1, 1, ?2) ON CONFLICT (id) DO UPDATE SET version = version + 1, updated_at = ?2").bind(memberId, at),
    ];
    for (let i = 1; i < rows; i++) {
      statements.push(this.env.DB.prepare("INSERT INTO rows (id, member_id, kind, details, created_at) VALUES (?1, ?2, ?3, ?4, ?5)").bind(crypto.randomUUID(), memberId, i, DETAILS, at));
    }
    await this.env.DB.batch(statements);
    return { ok: true };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      await env.DB.batch([
        env.DB.prepare("CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at TEXT NOT NULL)"),
        env.DB.prepare("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind INTEGER NOT NULL, details TEXT NOT NULL, created_at TEXT NOT NULL)"),
        env.DB.prepare("CREATE INDEX IF NOT EXISTS rows_by_member ON rows (member_id, id)"),
      ]);
      return new Response(null, { status: 204 });
    }
    const memberId = url.searchParams.get("member") ?? "member";
    const object = env.FLOOR.getByName(memberId);
    if (url.pathname === "/noop") return Response.json(await object.noop());
    const rows = Math.min(Math.max(Number(url.searchParams.get("rows") ?? ${ACCRUAL_STATEMENTS}) || 1, 1), 20);
    if (url.pathname === "/write" && request.method === "POST") return Response.json(await object.write(memberId, rows), { status: 201 });
    return new Response(null, { status: 404 });
  },
};
`;

/** Starts the floor Worker with the Treue Worker's compatibility date and flags, on a direct socket, persisting next to the bench's state. */
export async function startFloor(prepared: Prepared) {
  const before = new Set(childPids());
  const { compatibilityDate, compatibilityFlags } = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions as {
    compatibilityDate?: string;
    compatibilityFlags?: string[];
  };
  const persist = join(prepared.dir, "floor");
  await mkdir(persist, { recursive: true });
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "floor",
      modules: true,
      script: SCRIPT,
      compatibilityDate,
      compatibilityFlags,
      d1Databases: { DB: "floor" },
      durableObjects: { FLOOR: { className: "Floor", useSQLite: true } },
      host: "127.0.0.1",
      port: 0,
      resourcePersistencePath: persist,
      cf: false,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    }),
  );
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL("floor")).origin;
  const servers = childPids().filter((pid) => !before.has(pid));
  const setup = await fetch(`${url}/setup`);
  if (setup.status !== 204) throw new Error(`floor worker setup answered ${setup.status}`);
  return { url, cpuMs: () => treeCpuMs(servers), stop: () => mf.dispose() };
}
