// A CPU profile of the Worker's isolate through workerd's inspector, and its top entries printed by self and total time.
import { createServer, type AddressInfo } from "node:net";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One Chrome DevTools Protocol session on the target whose title names `title` (the Worker's by default). */
export async function inspector(port: number, title = "treue") {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { title?: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.title?.endsWith(title)) ?? targets.find((t) => t.title?.includes(title)) ?? targets[0]!;
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

/** Starts sampling; the returned function stops and answers the profile. */
export async function startProfile(session: Awaited<ReturnType<typeof inspector>>): Promise<() => Promise<CpuProfile>> {
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 200 });
  await session.send("Profiler.start");
  return async () => (await session.send<{ profile: CpuProfile }>("Profiler.stop")).profile;
}

/** The top entries by self time, then by total time (a function with everything it called). */
export function printProfile(profile: CpuProfile, totals: number): void {
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
  console.log(`${total} samples of the Worker's isolate`);
  const top = (counts: Map<string, number>, n: number) => {
    for (const [name, hits] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  };
  console.log("by self time:");
  top(self, 25);
  console.log("by total time (with callees):");
  top(inclusive, totals);
}
