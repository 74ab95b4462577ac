// The example receiver's verification against the reference implementation of Standard Webhooks (what the Worker signs with is tested in test/webhooks.test.ts).
import assert from "node:assert/strict";
import { it } from "node:test";
import { Webhook } from "standardwebhooks";
import { verifyWebhook } from "../../../examples/webhook-receiver";

const secret = `whsec_${Buffer.from("a 32 byte secret for the example").toString("base64")}`;
const body = JSON.stringify({ type: "points.earned", timestamp: "2026-11-28T10:15:00.000Z", data: { memberId: "m-1", points: 10 } });

function signed(at: Date) {
  const id = "msg_1";
  const signature = new Webhook(secret).sign(id, at, body);
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature };
}

it("accepts a delivery signed with the secret, among other signatures", () => {
  const headers = signed(new Date());
  const outcome = verifyWebhook(secret, body, { ...headers, "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")} ${headers["webhook-signature"]}` });
  assert.deepEqual(outcome, { id: "msg_1", type: "points.earned", timestamp: "2026-11-28T10:15:00.000Z", data: { memberId: "m-1", points: 10 } });
});

it("refuses a changed body, another secret, and a stale timestamp", () => {
  const headers = signed(new Date());
  assert.ok("refused" in verifyWebhook(secret, body.replace("10", "1000"), headers));
  assert.ok("refused" in verifyWebhook(`whsec_${Buffer.from("another secret of thirty-two b!!").toString("base64")}`, body, headers));
  assert.ok("refused" in verifyWebhook(secret, body, signed(new Date(Date.now() - 10 * 60_000))));
  assert.ok("refused" in verifyWebhook(secret, body, {}));
});
