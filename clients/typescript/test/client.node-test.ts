// The client against the real Worker (served by the contract check, which passes TREUE_BASE_URL and TREUE_ADMIN_TOKEN).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createTreueClient, data, TreueError, type TreueClient } from "@treue/client";

const baseUrl = process.env.TREUE_BASE_URL!;
const adminToken = process.env.TREUE_ADMIN_TOKEN!;
if (!baseUrl || !adminToken) throw new Error("TREUE_BASE_URL and TREUE_ADMIN_TOKEN must be set (npx tsx scripts/contract-check.ts sets them)");

let serverKey: string;
let server: TreueClient;
const memberId = `client-${Date.now()}`;

before(async () => {
  const platform = createTreueClient({ baseUrl, apiKey: adminToken });
  const program = data(await platform.POST("/v1/programs", { body: { name: "Client tests" } }));
  serverKey = data(await platform.POST("/v1/programs/{programId}/keys", { params: { path: { programId: program.id } }, body: { role: "server" } })).key;
  server = createTreueClient({ baseUrl, apiKey: serverKey });
  data(await server.PUT("/v1/members/{memberId}", { params: { path: { memberId } }, body: { email: "ada@example.com" } }));
});

/** A fetch that records what it sent, and can break the connection after the API answered. */
function recordingFetch(breakAfterAnswer: (request: Request, attempt: number) => boolean) {
  const sent: { method: string; url: string; key: string | null; status?: number }[] = [];
  const send = async (request: Request) => {
    const entry: { method: string; url: string; key: string | null; status?: number } = { method: request.method, url: request.url, key: request.headers.get("idempotency-key") };
    sent.push(entry);
    const response = await fetch(request);
    entry.status = response.status;
    if (breakAfterAnswer(request, sent.length)) {
      await response.body?.cancel();
      // The API has applied the request; only its answer is lost.
      throw new TypeError("fetch failed: connection reset");
    }
    return response;
  };
  return { sent, send };
}

describe("@treue/client against the Worker", () => {
  it("sends an Idempotency-Key on a POST that requires one, and types the answer", async () => {
    const { sent, send } = recordingFetch(() => false);
    const client = createTreueClient({ baseUrl, apiKey: serverKey, fetch: send });
    const accrual = data(
      await client.POST("/v1/members/{memberId}/accruals", {
        params: { path: { memberId } },
        body: { orderId: `${memberId}-o1`, amount: { amount: 10_000, currency: "EUR" } },
      }),
    );
    assert.ok(accrual.points > 0);
    assert.match(sent[0]!.key ?? "", /^[0-9a-f-]{36}$/);
    const balance = data(await client.GET("/v1/members/{memberId}/balance", { params: { path: { memberId } } }));
    assert.equal(balance.available, accrual.points);
    // A read carries no key.
    assert.equal(sent[1]!.key, null);
  });

  it("throws a TreueError typed by code for an error answer", async () => {
    const error = await server
      .POST("/v1/members/{memberId}/redemptions", { params: { path: { memberId } }, body: { points: 1_000_000, mode: "hold" } })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TreueError, `expected a TreueError, got ${String(error)}`);
    assert.equal(error.status, 422);
    assert.ok(error.is("insufficient_points"));
    assert.equal(error.code, "insufficient_points");
  });

  it("retries a POST whose answer was lost with the same Idempotency-Key: the API replays, nothing posts twice", async () => {
    const before = data(await server.GET("/v1/members/{memberId}/balance", { params: { path: { memberId } } }));
    const { sent, send } = recordingFetch((request, attempt) => request.method === "POST" && attempt === 1);
    const client = createTreueClient({ baseUrl, apiKey: serverKey, fetch: send, retries: 3, maxDelayMs: 50 });
    const answer = await client.POST("/v1/members/{memberId}/accruals", {
      params: { path: { memberId } },
      body: { orderId: `${memberId}-o2`, amount: { amount: 5_000, currency: "EUR" } },
    });
    const accrual = data(answer);
    assert.equal(sent.length, 2);
    // The first attempt reached the API and was applied (201); the retry carried the same key and got the replay.
    assert.equal(sent[0]!.status, 201);
    assert.equal(sent[1]!.key, sent[0]!.key);
    assert.equal(answer.response.headers.get("idempotent-replayed"), "true");
    const after = data(await server.GET("/v1/members/{memberId}/balance", { params: { path: { memberId } } }));
    assert.equal(after.available, before.available + accrual.points);
    const page = data(await server.GET("/v1/members/{memberId}/transactions", { params: { path: { memberId } } }));
    assert.equal(page.data.filter((entry) => JSON.stringify(entry).includes(`${memberId}-o2`)).length, 1);
  });

  it("waits out a 503 (Retry-After) and sends the same request again", async () => {
    const keys: (string | null)[] = [];
    let first = true;
    const client = createTreueClient({
      baseUrl,
      apiKey: serverKey,
      maxDelayMs: 50,
      fetch: async (request) => {
        keys.push(request.headers.get("idempotency-key"));
        if (first) {
          first = false;
          return new Response(JSON.stringify({ type: "about:blank", title: "Unavailable", status: 503, detail: "busy", code: "temporarily_unavailable" }), {
            status: 503,
            headers: { "content-type": "application/problem+json", "retry-after": "0" },
          });
        }
        return fetch(request);
      },
    });
    const hold = data(await client.POST("/v1/members/{memberId}/redemptions", { params: { path: { memberId } }, body: { points: 10, mode: "hold" } }));
    assert.equal(hold.status, "held");
    assert.equal(keys.length, 2);
    assert.equal(keys[1], keys[0]);
    data(await client.POST("/v1/redemptions/{id}/cancel", { params: { path: { id: hold.id } } }));
  });

  it("does not repeat a POST that carries no key", async () => {
    let calls = 0;
    const client = createTreueClient({
      baseUrl,
      apiKey: adminToken,
      maxDelayMs: 10,
      fetch: async () => {
        calls++;
        throw new TypeError("fetch failed");
      },
    });
    await assert.rejects(client.POST("/v1/programs", { body: { name: "never" } }), TypeError);
    assert.equal(calls, 1);
  });

  it("in member-token mode calls /v1/me with the shopper's token", async () => {
    const minted = data(await server.POST("/v1/members/{memberId}/tokens", { params: { path: { memberId } }, body: {} }));
    const member = createTreueClient({ baseUrl, memberToken: minted.token });
    const balance = data(await member.GET("/v1/me/balance"));
    assert.ok(balance.available >= 0);
    // A program key's route is refused with a member token.
    const sneaky = createTreueClient({ baseUrl, apiKey: minted.token });
    await assert.rejects(sneaky.GET("/v1/members/{memberId}/balance", { params: { path: { memberId } } }), (e: unknown) => e instanceof TreueError && e.status === 401);
  });
});
