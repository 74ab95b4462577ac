// A webhook receiver that verifies Treue's signatures (Standard Webhooks: HMAC-SHA256 over `${id}.${timestamp}.${body}`
// with the secret's base64 bytes, sent as `webhook-signature: v1,<base64>`), refuses stale or replayed deliveries,
// and answers 2xx only for what it accepted. With TREUE_ADMIN_KEY it registers itself and prints the secret it got.
//   TREUE_ADMIN_KEY=trk_... npx tsx --conditions=source examples/webhook-receiver.ts
//   (or TREUE_WEBHOOK_SECRET=whsec_... to verify against an endpoint you made already)
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { createTreueClient, data } from "@treue/client";

/** How far a delivery's timestamp may be from now (seconds): older ones may be replays. */
const TOLERANCE_SECONDS = 5 * 60;

export interface VerifiedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The event, if the headers sign exactly this body with the secret; otherwise a reason to refuse it. */
export function verifyWebhook(secret: string, body: string, headers: Record<string, string | undefined>, now = Date.now()): VerifiedEvent | { refused: string } {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) return { refused: "missing webhook-id, webhook-timestamp or webhook-signature" };
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) return { refused: "timestamp outside the tolerance" };
  if (!secret.startsWith("whsec_")) return { refused: "not a whsec_ secret" };
  const expected = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${body}`).digest();
  // Several signatures may be sent at once (while a secret is being rotated): any one valid is enough.
  const valid = signatures.split(" ").some((entry) => {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return { refused: "no valid signature" };
  const event = JSON.parse(body) as Omit<VerifiedEvent, "id">;
  return { id, ...event };
}

async function main() {
  const port = Number(process.env.PORT ?? 8788);
  let secret = process.env.TREUE_WEBHOOK_SECRET;
  if (!secret) {
    const adminKey = process.env.TREUE_ADMIN_KEY;
    if (!adminKey) {
      console.error("Set TREUE_ADMIN_KEY (to register this receiver) or TREUE_WEBHOOK_SECRET.");
      process.exit(2);
    }
    const api = createTreueClient({ baseUrl: process.env.TREUE_URL ?? "http://localhost:8787", apiKey: adminKey });
    const endpoint = data(await api.POST("/v1/webhook-endpoints", { body: { url: `http://127.0.0.1:${port}/hooks/treue`, description: "examples/webhook-receiver.ts" } }));
    secret = endpoint.secret;
    console.log(`registered ${endpoint.id} for ${endpoint.url}; its secret: ${secret}`);
  }
  // A delivery may arrive more than once (a retry after a lost answer): handle each webhook-id once.
  const seen = new Set<string>();
  createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(" ") : value]));
      const outcome = verifyWebhook(secret!, body, headers);
      if ("refused" in outcome) {
        console.log(`refused a delivery: ${outcome.refused}`);
        res.writeHead(401).end();
        return;
      }
      if (!seen.has(outcome.id)) {
        seen.add(outcome.id);
        console.log(`${outcome.type} (${outcome.id}):`, JSON.stringify(outcome.data));
      }
      res.writeHead(204).end();
    });
  }).listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}/hooks/treue`));
}

if (import.meta.filename === process.argv[1]) await main();
