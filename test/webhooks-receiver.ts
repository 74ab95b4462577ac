// The webhook receiver as a test double. The queue consumer runs in the same
// isolate as the tests, so its outbound fetch to https://receiver.test/... is
// answered here; everything else (Queues, D1, the objects) stays real.
import { afterAll, beforeAll, vi } from "vitest";
import { Webhook } from "standardwebhooks";

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const HOST = "receiver.test";

export function webhookReceiver() {
  const received: Received[] = [];
  /** Statuses each path answers with, in turn; 200 once they run out. */
  const scripts = new Map<string, number[]>();

  beforeAll(() => {
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init as RequestInit);
      const url = new URL(request.url);
      if (url.hostname !== HOST) return real(input as RequestInfo, init as RequestInit);
      const path = url.pathname.slice(1);
      received.push({ path, headers: Object.fromEntries(request.headers), body: await request.text() });
      return new Response(null, { status: scripts.get(path)?.shift() ?? 200 });
    });
  });
  afterAll(() => vi.restoreAllMocks());

  const at = (path: string) => received.filter((r) => r.path === path);
  return {
    url: (path: string) => `https://${HOST}/${path}`,
    /** The next answers of `path`, e.g. answer("x", 500) fails its next request once. */
    answer(path: string, ...statuses: number[]) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...statuses]);
    },
    at,
    /** Waits (at most 30 s) until `path` has received `count` requests. */
    async waitFor(path: string, count: number): Promise<Received[]> {
      await eventually(`${count} request(s) at ${path}`, () => at(path).length >= count, () => at(path).map((r) => r.headers["webhook-id"]));
      return at(path);
    },
  };
}

/** Polls `done` until it holds; fails after 30 s saying what was awaited and what there was. */
export async function eventually(what: string, done: () => boolean | Promise<boolean>, got: () => unknown = () => undefined): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (await done()) return;
    await scheduler.wait(50);
  }
  throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(got())}`);
}

/** Verifies a request the way a receiver would, with the reference implementation; returns the parsed payload. */
export function verified(secret: string, request: Received): { type: string; timestamp: string; data: Record<string, any> } {
  return new Webhook(secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, any> };
}
