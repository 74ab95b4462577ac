// Shared steps of the import tests: posting a file, and running the import queue's consumer on its pending chunks.
import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../src/index";
import type { ImportChunkMessage } from "../../src/imports/store";
import { call } from "../helpers";

export function postImport(key: string, body: string, format: "jsonl" | "csv", idempotencyKey: string | null = null) {
  return call("/v1/imports", {
    key,
    rawBody: body,
    headers: { "content-type": format === "jsonl" ? "application/x-ndjson" : "text/csv" },
    idempotencyKey,
  });
}

let delivery = 0;

/** Hands the import's pending chunks to the consumer, as the queue does (the local queue may deliver them too: either way each posts once). */
export async function deliverPending(programId: string, importId: string, attempts = 1): Promise<void> {
  const { results } = await env.DB.prepare("SELECT chunk FROM import_chunks WHERE import_id = ? AND status = 'pending' ORDER BY chunk")
    .bind(importId)
    .all<{ chunk: number }>();
  if (results.length === 0) return;
  const messages = results.map(({ chunk }) => ({
    id: `delivery-${++delivery}`,
    timestamp: new Date(),
    attempts,
    body: { kind: "import-chunk", programId, importId, chunk } satisfies ImportChunkMessage,
  }));
  await worker.queue(createMessageBatch<ImportChunkMessage>("treue-imports", messages), env);
}

/** Runs the import to its end and returns its answer. */
export async function finished(key: string, programId: string, id: string) {
  for (let i = 0; i < 20; i++) {
    const res = await call(`/v1/imports/${id}?limit=200`, { key });
    expect(res.status).toBe(200);
    if (res.json.status === "completed" || res.json.status === "failed") return res.json;
    await deliverPending(programId, id);
  }
  throw new Error(`import ${id} did not finish`);
}

export const jsonl = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
