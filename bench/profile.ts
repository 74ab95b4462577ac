// `npx tsx bench/profile.ts`: a CPU profile of the Worker under accruals, through workerd's inspector; prints the top entries by self time.
import { createServer, type AddressInfo } from "node:net";
import { createProgram, inParallel, storefront } from "./api";
import { addCampaigns, adminKey } from "./campaigns";
import { localPool, measure } from "./load";
import { cleanUp, prepare, startMiniflare } from "./runtime";

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 10);
const MEMBERS = 200;
/** Campaigns in force during the profile, as the bench's campaign rows make them (one in ten matches). */
const CAMPAIGNS = Number(process.env.BENCH_PROFILE_CAMPAIGNS ?? 0);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One Chrome DevTools Protocol session on the inspector's first target. */
async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { title?: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.title?.includes("treue")) ?? targets[0]!;
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let next = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (result: unknown) => void);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close(), targets: targets.map((t) => t.title) };
}

const prepared = await prepare();
const port = await freePort();
// KPI_ROLLUPS=off leaves the KPI rows out of every batch, to see what they cost.
const worker = await startMiniflare(prepared, { direct: true, inspectorPort: port, bindings: process.env.KPI_ROLLUPS === "off" ? { KPI_ROLLUPS: "off" } : {} });
const pool = localPool(worker.url, 20);
try {
  const { programId, key } = await createProgram(pool, prepared.adminToken);
  if (CAMPAIGNS > 0) await addCampaigns(pool, await adminKey(pool, prepared.adminToken, programId), 0, CAMPAIGNS);
  const api = storefront(pool, key);
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
  await inParallel(MEMBERS, 16, async (i) => {
    await api.enroll(members[i]!);
    await api.accrue(members[i]!, 100_000);
  });
  const session = await inspector(port);
  console.log(`inspector targets: ${session.targets.join(", ")}`);
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 200 });
  await session.send("Profiler.start");
  const result = await measure({ concurrency: 16, durationMs: SECONDS * 1000, operation: (_, n) => api.accrue(members[n % MEMBERS]!, 1999), serverCpuMs: worker.cpuMs });
  const { profile } = await session.send<{ profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } }>("Profiler.stop");
  session.close();
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const nameOf = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split("/").pop() ?? "";
    return `${functionName || "(anonymous)"} ${file}${file ? `:${lineNumber + 1}` : ""}`;
  };
  for (const node of profile.nodes) self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + (node.hitCount ?? 0));
  // Total time: a function's samples with everything it called, each sample counted once per name on its stack.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    if (!node.hitCount) continue;
    const names = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) names.add(nameOf(byId.get(id)!));
    for (const name of names) inclusive.set(name, (inclusive.get(name) ?? 0) + node.hitCount);
  }
  console.log(`${result.operations} accruals, ${result.perSecond}/s, ${result.serverCpuMsPerOp} ms of server CPU each; ${total} samples of the Worker's isolate`);
  const top = (counts: Map<string, number>, n: number) => {
    for (const [name, hits] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  };
  console.log("by self time:");
  top(self, 25);
  console.log("by total time (with callees):");
  top(inclusive, Number(process.env.BENCH_PROFILE_TOTALS ?? 40));
} finally {
  await pool.close();
  await worker.stop();
  await cleanUp(prepared);
}
