// A partner's end-of-day batch: the day's sales and returns of a store in one call. Re-running it posts nothing
// twice (each item's key comes from the order and refund ids): the items already in are reported as duplicates.
// Members are the program's (the shop enrolls them); with TREUE_SERVER_KEY the example enrolls the file's customers first.
//   TREUE_PARTNER_KEY=trk_... TREUE_SERVER_KEY=trk_... npx tsx --conditions=source examples/partner-batch.ts [day]
import { createTreueClient, data, type paths } from "@treue/client";
import { baseUrl, setting } from "./env";

const api = createTreueClient({ baseUrl: baseUrl(), apiKey: setting("TREUE_PARTNER_KEY") });
const day = process.argv[2] ?? new Date().toISOString().slice(0, 10).replaceAll("-", "");

type Batch = NonNullable<paths["/v1/transactions/batch"]["post"]["requestBody"]>["content"]["application/json"];
type Item = Batch["items"][number];

// The store's file: sales (accruals) and a return (a refund of an earlier sale of the same file).
const items: Item[] = [];
for (let n = 1; n <= 20; n++) {
  items.push({ type: "accrual", memberId: `store-customer-${n % 7}`, orderId: `store7-${day}-${String(n).padStart(4, "0")}`, amount: { amount: 1_000 + n * 137, currency: "EUR" }, channel: "store" });
}
items.push({ type: "refund", memberId: "store-customer-3", orderId: `store7-${day}-0003`, refundId: `rma-${day}-1`, amount: { amount: 500, currency: "EUR" } });

if (process.env.TREUE_SERVER_KEY) {
  const shop = createTreueClient({ baseUrl: baseUrl(), apiKey: process.env.TREUE_SERVER_KEY });
  const members = new Set(items.flatMap((item) => ("memberId" in item ? [item.memberId] : [])));
  for (const memberId of members) data(await shop.PUT("/v1/members/{memberId}", { params: { path: { memberId } }, body: {} }));
}

const { results } = data(await api.POST("/v1/transactions/batch", { body: { items } }));
const tally: Record<string, number> = {};
for (const result of results) tally[result.status] = (tally[result.status] ?? 0) + 1;
console.log(`batch ${day}: ${results.length} items:`, tally);
for (const result of results) if (result.status === "error") console.log(`  item ${result.index}: ${result.error?.code}: ${result.error?.detail}`);
