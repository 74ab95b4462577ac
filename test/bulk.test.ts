// Bulk posting over HTTP: a result per item, member order, re-sent batches, partners, 500 items, envelope limits.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../src/app/create-app";
import { TransactionBatchResultSchema } from "../src/routes/transactions/transactions.schemas";
import { balance, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";
import { armCrash, armD1Error, D1_REFUSALS, databaseFingerprint } from "./reliability/support";

const eur = (amount: number) => ({ amount, currency: "EUR" });
const accrual = (memberId: string, orderId: string, amount: number, extra: object = {}) => ({ type: "accrual", memberId, orderId, amount: eur(amount), ...extra });
const refund = (memberId: string, orderId: string, refundId: string, amount: number) => ({ type: "refund", memberId, orderId, refundId, amount: eur(amount) });

/** Posts a batch (no Idempotency-Key: items carry their own) and checks a 200 answer against the documented schema. */
async function postBatch(key: string, items: unknown[]) {
  const res = await call("/v1/transactions/batch", { key, body: { items }, idempotencyKey: null });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  TransactionBatchResultSchema.parse(res.json);
  expect(res.json.results.map((r: { index: number }) => r.index)).toEqual(items.map((_, i) => i));
  return res.json as { results: any[]; counts: { posted: number; duplicate: number; error: number } };
}

async function count(table: string, programId: string): Promise<number> {
  return (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE program_id = ?`).bind(programId).first<number>("n"))!;
}

describe("bulk posting", () => {
  it("posts the good items of a mixed batch and reports each bad one as that item's problem", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const batch = await postBatch(p.server, [
      accrual("ada", "o-1", 10_000),
      { type: "accrual", memberId: "ada", orderId: "o-2" },
      accrual("nobody", "o-3", 1_000),
      refund("bob", "o-404", "r-1", 100),
      accrual("bob", "o-4", 5_000, { occurredAt: future }),
      "not an item",
      { type: "transfer", memberId: "bob" },
      { ...accrual("bob", "o-5", 2_500), amount: { amount: 2_500, currency: "USD" } },
      accrual("bob", "o-6", 3_000, { channel: "store" }),
    ]);
    const summary = batch.results.map((r) => [r.status, r.error?.code ?? r.result?.points]);
    expect(summary).toEqual([
      ["posted", 100],
      ["error", "validation_failed"],
      ["error", "member_not_found"],
      ["error", "order_not_found"],
      ["error", "occurred_in_future"],
      ["error", "validation_failed"],
      ["error", "validation_failed"],
      ["error", "currency_mismatch"],
      ["posted", 30],
    ]);
    expect(batch.counts).toEqual({ posted: 2, duplicate: 0, error: 7 });
    expect(batch.results[1].error).toMatchObject({ status: 400, errors: [{ path: "amount" }] });
    expect(batch.results[2].error).toMatchObject({ status: 404, detail: expect.stringContaining("nobody") });
    expect(batch.results[0]).toMatchObject({ type: "accrual", memberId: "ada", orderId: "o-1", result: { orderId: "o-1", balance: { available: 100 } } });
    expect((await balance(p.server, "ada")).available).toBe(100);
    expect((await balance(p.server, "bob")).available).toBe(30);
    expect(await count("orders", p.programId)).toBe(2);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("applies a member's items in the order given: a refund after its accrual, never before", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const batch = await postBatch(p.server, [
      accrual("ada", "o-1", 10_000),
      refund("bob", "o-9", "r-1", 1_000),
      refund("ada", "o-1", "r-1", 4_000),
      accrual("bob", "o-9", 2_000),
      accrual("ada", "o-2", 5_000),
      refund("ada", "o-2", "r-1", 5_000),
      refund("bob", "o-9", "r-2", 1_000),
    ]);
    expect(batch.results.map((r) => r.status)).toEqual(["posted", "error", "posted", "posted", "posted", "posted", "posted"]);
    expect(batch.results[1].error.code).toBe("order_not_found");
    expect(batch.results[2].result).toMatchObject({ pointsClawedBack: 40, balance: { available: 60 } });
    expect(batch.results[4].result.balance.available).toBe(110);
    expect(batch.results[5].result).toMatchObject({ pointsClawedBack: 50, balance: { available: 60 } });
    expect(batch.results[6].result).toMatchObject({ pointsClawedBack: 10, balance: { available: 10 } });
    expect((await balance(p.server, "ada")).available).toBe(60);
    expect((await balance(p.server, "bob")).available).toBe(10);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("posts nothing twice when the whole batch is sent again, one after the other or at the same time", async () => {
    const p = await createProgram();
    for (const m of ["ada", "bob", "cy"]) await enroll(p.server, m);
    const items = [
      accrual("ada", "o-1", 10_000),
      accrual("bob", "o-2", 20_000),
      refund("ada", "o-1", "r-1", 2_500),
      accrual("cy", "o-3", 3_000),
      refund("bob", "o-2", "r-1", 5_000),
      refund("bob", "o-2", "r-2", 5_000),
    ];
    const first = await postBatch(p.server, items);
    expect(first.counts).toEqual({ posted: 6, duplicate: 0, error: 0 });
    const before = await databaseFingerprint();

    const again = await postBatch(p.server, items);
    expect(again.counts).toEqual({ posted: 0, duplicate: 6, error: 0 });
    again.results.forEach((r, i) => expect(r).toEqual({ ...first.results[i], status: "duplicate", matched: "same_item" }));
    expect(await databaseFingerprint()).toEqual(before);

    // A retry that overtakes a batch still in flight: each item posts once between the two.
    const more = [accrual("ada", "o-4", 1_000), refund("ada", "o-4", "r-1", 1_000), accrual("cy", "o-5", 1_000)];
    const racing = await Promise.all([postBatch(p.server, more), postBatch(p.server, more)]);
    more.forEach((_, i) => expect(racing.map((b) => b.results[i].status).sort()).toEqual(["duplicate", "posted"]));
    expect((await balance(p.server, "ada")).available).toBe(75);
    expect((await balance(p.server, "bob")).available).toBe(100);
    expect((await balance(p.server, "cy")).available).toBe(40);
    expect(await count("orders", p.programId)).toBe(5);
    const clawbacks = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE program_id = ? AND type = 'clawback'").bind(p.programId).first("n");
    expect(clawbacks).toBe(4);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it.each([
    { stage: "before", when: "before its write" },
    { stage: "landed", when: "just after its write committed" },
  ] as const)("posts each item once when a member's object dies $when and the batch is sent again", async ({ stage }) => {
    const p = await createProgram();
    for (const m of ["ada", "bob", "cy"]) await enroll(p.server, m);
    const items = [accrual("ada", "o-1", 1_000), accrual("bob", "o-2", 2_000), accrual("bob", "o-3", 3_000), accrual("cy", "o-4", 4_000)];
    await armCrash(p.programId, "bob", stage);
    const first = await postBatch(p.server, items);
    expect(first.results.map((r) => r.status)).toEqual(["posted", "error", "posted", "posted"]);
    expect(first.results[1].error).toMatchObject({ status: 503, code: "temporarily_unavailable" });
    const again = await postBatch(p.server, items);
    // Committed before the object died: the retry finds it. Never sent: the retry posts it.
    expect(again.results.map((r) => r.status)).toEqual(["duplicate", stage === "landed" ? "duplicate" : "posted", "duplicate", "duplicate"]);
    expect((await balance(p.server, "bob")).available).toBe(50);
    expect(await count("orders", p.programId)).toBe(4);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it.each(["before", "after"] as const)("posts each item once when D1 refuses a member's batch %s it runs and the batch is sent again", async (stage) => {
    const p = await createProgram();
    for (const m of ["ada", "bob"]) await enroll(p.server, m);
    const items = [accrual("ada", "o-1", 1_000), accrual("bob", "o-2", 2_000), accrual("bob", "o-3", 3_000)];
    await armD1Error(p.programId, "bob", stage, D1_REFUSALS[0]);
    const first = await postBatch(p.server, items);
    expect(first.results.map((r) => r.status)).toEqual(["posted", "error", "posted"]);
    expect(first.results[1].error).toMatchObject({ status: 503, code: "temporarily_unavailable" });
    const again = await postBatch(p.server, items);
    expect(again.results.map((r) => r.status)).toEqual(["duplicate", stage === "after" ? "duplicate" : "posted", "duplicate"]);
    expect((await balance(p.server, "bob")).available).toBe(50);
    expect(await count("orders", p.programId)).toBe(3);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("recognises an item repeated in the batch, an order posted alone, and refuses a changed item", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    await enroll(p.server, "bob");
    const single = await call("/v1/members/ada/accruals", { key: p.server, body: { orderId: "o-pos", amount: eur(7_000) } });
    expect(single.status).toBe(201);
    await postBatch(p.server, [accrual("ada", "o-1", 10_000), refund("ada", "o-1", "r-1", 1_000)]);

    const batch = await postBatch(p.server, [
      accrual("ada", "o-2", 2_000),
      accrual("ada", "o-2", 2_000),
      accrual("ada", "o-pos", 7_000),
      accrual("ada", "o-1", 99_999),
      accrual("bob", "o-1", 10_000),
      refund("ada", "o-1", "r-1", 2_000),
      accrual("bob", "o-pos", 7_000),
    ]);
    expect(batch.results.map((r) => [r.status, r.matched ?? r.error?.code ?? null])).toEqual([
      ["posted", null],
      ["duplicate", "same_item"],
      ["duplicate", "order"],
      ["error", "idempotency_key_reused"],
      ["error", "idempotency_key_reused"],
      ["error", "idempotency_key_reused"],
      ["error", "order_already_accrued"],
    ]);
    expect(batch.results[2].result).toEqual({ accrualId: single.json.accrualId, orderId: "o-pos", points: 70 });
    expect(batch.results[3].error.detail).toContain("order 'o-1'");
    // Another member's order reveals nothing of what it earned.
    expect(batch.results[6].error).not.toHaveProperty("accrualId");
    expect((await balance(p.server, "ada")).available).toBe(70 + 100 - 10 + 20);
    expect((await balance(p.server, "bob")).available).toBe(0);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("attributes a partner's accruals to it, and lets it refund only its own orders", async () => {
    const p = await createProgram();
    await enroll(p.server, "ada");
    const storefront = await call("/v1/members/ada/accruals", { key: p.server, body: { orderId: "o-shop", amount: eur(10_000) } });
    expect(storefront.status).toBe(201);

    const batch = await postBatch(p.partner, [
      accrual("ada", "o-brand", 5_000),
      refund("ada", "o-shop", "r-1", 10_000),
      refund("ada", "o-brand", "r-1", 1_000),
    ]);
    expect(batch.results.map((r) => r.status)).toEqual(["posted", "error", "posted"]);
    expect(batch.results[1].error).toMatchObject({ status: 404, code: "order_not_found" });
    const issuers = await env.DB.prepare("SELECT type, order_id, partner_id FROM entries WHERE program_id = ? AND member_id = 'ada' AND order_id IS NOT NULL ORDER BY type, order_id")
      .bind(p.programId)
      .all();
    expect(issuers.results).toEqual([
      { type: "clawback", order_id: "o-brand", partner_id: p.partnerId },
      { type: "earn", order_id: "o-brand", partner_id: p.partnerId },
      { type: "earn", order_id: "o-shop", partner_id: null },
    ]);
    const lot = await env.DB.prepare("SELECT partner_id FROM lots WHERE program_id = ? AND order_id = 'o-brand'").bind(p.programId).first("partner_id");
    expect(lot).toBe(p.partnerId);
    // The storefront's own key does not see the partner's order either.
    const shop = await postBatch(p.server, [refund("ada", "o-brand", "r-9", 1_000)]);
    expect(shop.results[0].error.code).toBe("order_not_found");
    expect((await balance(p.server, "ada")).available).toBe(100 + 50 - 10);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("posts 500 items over 250 members in one request larger than other routes accept", async () => {
    const p = await createProgram({ enrollOnAccrual: true });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const members = Array.from({ length: 250 }, (_, i) => `member-${String(i).padStart(4, "0")}`);
    const items = members.flatMap((m, i) => [
      accrual(m, `end-of-day-${yesterday}-store-0042-${m}-a`, 1_000 + i, { channel: "store", occurredAt: `${yesterday}T17:00:00Z` }),
      accrual(m, `end-of-day-${yesterday}-store-0042-${m}-b`, 2_000, { channel: "store", occurredAt: `${yesterday}T18:00:00Z` }),
    ]);
    expect(JSON.stringify({ items }).length).toBeGreaterThan(MAX_BODY_BYTES);
    const batch = await postBatch(p.server, items);
    expect(batch.counts, JSON.stringify(batch.results.find((r) => r.error))).toEqual({ posted: 500, duplicate: 0, error: 0 });
    // The second item of each member saw the first one's points.
    members.forEach((_, i) => expect(batch.results[2 * i + 1].result.balance.available).toBe(Math.floor((1_000 + i) / 100) + 20));
    expect(await count("members", p.programId)).toBe(250);
    expect(await count("entries", p.programId)).toBe(500);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("refuses a malformed envelope as a whole with a 400", async () => {
    const p = await createProgram();
    const send = (body: unknown) => call("/v1/transactions/batch", { key: p.server, body, idempotencyKey: null });
    for (const body of [[accrual("ada", "o-1", 100)], { items: "o-1" }, { items: [] }, { items: [accrual("ada", "o-1", 100)], extra: 1 }, {}]) {
      const res = await send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.code).toBe("validation_failed");
    }
    const tooMany = await send({ items: Array.from({ length: 501 }, (_, i) => accrual("ada", `o-${i}`, 100)) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors[0].path).toBe("items");
    expect((await call("/v1/transactions/batch", { body: { items: [] }, idempotencyKey: null })).status).toBe(401);
    expect(await count("orders", p.programId)).toBe(0);
    await expectLedgerConsistent(p.programId);
  });

  it("raises the body limit for this route only", async () => {
    const p = await createProgram();
    const padding = "x".repeat(1024 * 1024);
    const huge = await call("/v1/transactions/batch", { key: p.server, body: { items: [{ type: "refund", reason: padding }] }, idempotencyKey: null });
    expect(huge.status).toBe(413);
    expect(huge.json.code).toBe("payload_too_large");
    const single = await call("/v1/members/ada/refunds", { key: p.server, body: { orderId: "o-1", amount: eur(1), reason: "x".repeat(MAX_BODY_BYTES) } });
    expect(single.status).toBe(413);
  });

  it("is in the OpenAPI document with its item schema", async () => {
    const res = await call("/openapi.json");
    const operation = res.json.paths["/v1/transactions/batch"].post;
    expect(operation.operationId).toBe("postTransactionBatch");
    expect(operation.tags).toEqual(["Transactions"]);
    // Items hold defaults (an accrual's channel), so the body is published as a request body, written out in place.
    expect(operation.requestBody).toEqual({ $ref: "#/components/requestBodies/TransactionBatch" });
    const body = res.json.components.requestBodies.TransactionBatch.content["application/json"].schema;
    const resolve = (schema: any) => (schema.$ref ? res.json.components.schemas[schema.$ref.split("/").pop()] : schema);
    expect(body.properties.items.items.oneOf.map((item: any) => resolve(item).properties.type.enum)).toEqual([["accrual"], ["refund"], ["order"]]);
    expect(Object.keys(res.json.components.schemas)).toEqual(expect.arrayContaining(["TransactionBatchResult", "BatchItemResult"]));
    expect(body.example.items).toHaveLength(2);
  });
});
