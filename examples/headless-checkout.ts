// A headless checkout on a shop's backend: points are held when the shopper applies them in the cart, captured
// when the payment succeeds and released when it fails; the paid order then earns points.
//   TREUE_SERVER_KEY=trk_... npx tsx --conditions=source examples/headless-checkout.ts [--fail-payment]
import { createTreueClient, data, TreueError } from "@treue/client";
import { baseUrl, setting } from "./env";

const api = createTreueClient({ baseUrl: baseUrl(), apiKey: setting("TREUE_SERVER_KEY") });
const memberId = process.env.MEMBER_ID ?? `checkout-${Date.now()}`;
const path = { memberId };
const cartId = `cart-${Date.now()}`;

/** Stands in for the payment provider. */
async function chargeCard(amount: number): Promise<boolean> {
  console.log(`  charging ${amount / 100} EUR ...`);
  return !process.argv.includes("--fail-payment");
}

// The shopper has an account and some points from an earlier order.
data(await api.PUT("/v1/members/{memberId}", { params: { path }, body: { email: "ada@example.com" } }));
data(await api.POST("/v1/members/{memberId}/accruals", { params: { path }, body: { orderId: `${cartId}-earlier`, amount: { amount: 20_000, currency: "EUR" } } }));
const balance = data(await api.GET("/v1/members/{memberId}/balance", { params: { path } }));
console.log(`${memberId} has ${balance.available} points`);

// Cart: the shopper applies points. The hold keeps them from being spent twice until the payment settles
// (it lapses by itself after the program's hold TTL if the shop never comes back). The client sends the
// Idempotency-Key and reuses it if the call has to be retried, so a flaky network never holds twice.
const points = Math.min(balance.available, 100);
let hold;
try {
  hold = data(await api.POST("/v1/members/{memberId}/redemptions", { params: { path }, body: { points, mode: "hold", orderId: cartId } }));
} catch (error) {
  if (error instanceof TreueError && error.is("insufficient_points")) {
    console.log("Not enough points: checkout goes on without a discount.");
    process.exit(0);
  }
  throw error;
}
console.log(`cart ${cartId}: held ${hold.points} points (${hold.id}, ${hold.status})`);

// Payment: capture the hold when the charge goes through; cancel it when it does not, giving the points back.
const total = 4_999;
if (await chargeCard(total)) {
  const captured = data(await api.POST("/v1/redemptions/{id}/capture", { params: { path: { id: hold.id } } }));
  console.log(`paid: redemption ${captured.status}`);
  const earned = data(await api.POST("/v1/members/{memberId}/accruals", { params: { path }, body: { orderId: cartId, amount: { amount: total, currency: "EUR" } } }));
  console.log(`order ${cartId} earned ${earned.points} points`);
} else {
  const cancelled = data(await api.POST("/v1/redemptions/{id}/cancel", { params: { path: { id: hold.id } } }));
  console.log(`payment failed: redemption ${cancelled.status}, points returned`);
}
const after = data(await api.GET("/v1/members/{memberId}/balance", { params: { path } }));
console.log(`${memberId} now has ${after.available} points available, ${after.held} held`);
