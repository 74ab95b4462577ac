// Bad keys: unknown and revoked keys get the same answer by the same path, and each costs one D1 lookup per isolate
// and cache period, not one per request.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index";
import { BASE, call, createProgram, type TestProgram } from "./helpers";

/** The Worker with a D1 handle that counts the statements reading api_keys. */
function countingWorker() {
  let keyLookups = 0;
  const DB = new Proxy(env.DB, {
    get: (target, prop) => {
      if (prop === "prepare") {
        return (sql: string) => {
          if (/\bapi_keys\b/.test(sql)) keyLookups++;
          return target.prepare(sql);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const fetch = async (key: string) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${BASE}/v1/members/ada/balance`, { headers: { authorization: `Bearer ${key}` } }), { ...env, DB }, ctx);
    await waitOnExecutionContext(ctx);
    const { requestId: _r, ...body } = (await res.json()) as Record<string, unknown>;
    return { status: res.status, contentType: res.headers.get("content-type"), body };
  };
  return { fetch, lookups: () => keyLookups };
}

const randomKey = () => `trk_${Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

let p: TestProgram;
let revokedKey: string;

beforeAll(async () => {
  p = await createProgram();
  const issued = await call("/v1/keys", { key: p.admin, body: { role: "server", name: "old pos" } });
  revokedKey = issued.json.key;
  expect((await call(`/v1/keys/${issued.json.id}`, { method: "DELETE", key: p.admin })).status).toBe(200);
});

describe("bad keys", () => {
  it("looks an unknown key up once, then answers it from memory", async () => {
    const w = countingWorker();
    const key = randomKey();
    for (let i = 0; i < 5; i++) expect((await w.fetch(key)).status).toBe(401);
    expect(w.lookups()).toBe(1);
  });

  it("answers unknown and revoked keys alike: same status, body and cost", async () => {
    const unknown = countingWorker();
    const revoked = countingWorker();
    const unknownKey = randomKey();
    const answers = [await unknown.fetch(unknownKey), await unknown.fetch(unknownKey)];
    const revokedAnswers = [await revoked.fetch(revokedKey), await revoked.fetch(revokedKey)];
    expect(revokedAnswers).toEqual(answers);
    expect(answers[0]).toMatchObject({ status: 401, contentType: "application/problem+json", body: { code: "unauthorized" } });
    expect(revoked.lookups()).toBe(unknown.lookups());
  });

  it("costs one lookup for a flood of requests with the same bad key", async () => {
    const w = countingWorker();
    const key = randomKey();
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await w.fetch(key));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect(w.lookups()).toBe(1);
  });

  it("still serves a good key after a run of bad ones", async () => {
    const w = countingWorker();
    for (let i = 0; i < 50; i++) await w.fetch(randomKey());
    expect((await w.fetch(p.server)).status).toBe(404);
  });
});
