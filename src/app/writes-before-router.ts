// The ledger writes a storefront and a till make on every order, answered before the router: an accrual,
// a redemption, a refund, a hold's capture or cancel. Skipping the framework's pipeline (the context,
// the middlewares, the validators, the response copy) took about a tenth off an accrual's CPU
// (bench/README.md). Only the plain case is answered here, by the same validators and the same work as
// the route's handler; anything else, and any request these validators refuse, goes on to the app,
// which answers it as it always has.
import type { z } from "@hono/zod-openapi";
import { cachedPrincipal, LEDGER_WRITERS } from "./auth";
import { answerAsRoute, isPlainJsonBody, plainSegment } from "./before-router";
import { requestIdOf } from "./create-app";
import type { WriteContext } from "./ledger-client";
import { IdempotencyHeader, MemberIdParam } from "./openapi";
import { AccrualBody, RefundBody } from "./schemas";
import type { LedgerReply } from "../members/member-ledger";
import { accrueMember, redeemMember, refundMember } from "../routes/members/members.handlers";
import { RedeemBody } from "../routes/members/members.schemas";
import { transitionRedemption } from "../routes/redemptions/redemptions.handlers";
import { RedemptionIdParam } from "../routes/redemptions/redemptions.schemas";

/** A write route's plain case: where its one path segment sits, how it is checked, its body's validator and its work. */
interface PlainWrite<B> {
  prefix: string;
  suffix: string;
  target: (segment: string) => string | null;
  /** The route's body validator; null for a route that takes no body. */
  body: z.ZodType<B> | null;
  work: (w: WriteContext, target: string, body: B) => Promise<LedgerReply>;
}

const memberId = (segment: string) => {
  const parsed = MemberIdParam.safeParse({ memberId: segment });
  return parsed.success ? parsed.data.memberId : null;
};
const redemptionId = (segment: string) => {
  const parsed = RedemptionIdParam.safeParse({ id: segment });
  return parsed.success ? parsed.data.id : null;
};

const write = <B>(plain: PlainWrite<B>) => plain as PlainWrite<unknown>;
const PLAIN_WRITES: readonly PlainWrite<unknown>[] = [
  write({ prefix: "/v1/members/", suffix: "/accruals", target: memberId, body: AccrualBody, work: accrueMember }),
  write({ prefix: "/v1/members/", suffix: "/redemptions", target: memberId, body: RedeemBody, work: redeemMember }),
  write({ prefix: "/v1/members/", suffix: "/refunds", target: memberId, body: RefundBody, work: refundMember }),
  write({ prefix: "/v1/redemptions/", suffix: "/capture", target: redemptionId, body: null, work: (w, id) => transitionRedemption(w, "capture", id) }),
  write({ prefix: "/v1/redemptions/", suffix: "/cancel", target: redemptionId, body: null, work: (w, id) => transitionRedemption(w, "cancel", id) }),
];

/** The plain write a request is, with its target, or null: a POST of one of the routes above whose path segment passes its validator. */
export function plainWriteOf(method: string, url: string): { plain: PlainWrite<unknown>; target: string } | null {
  if (method !== "POST") return null;
  for (const plain of PLAIN_WRITES) {
    const segment = plainSegment(url, plain.prefix, plain.suffix);
    const target = segment === null ? null : plain.target(segment);
    if (target !== null) return { plain, target };
  }
  return null;
}

/**
 * The write's answer without the router, or null when the request is not the plain case: one of the
 * routes above, with a program key this isolate resolved lately (src/app/auth.ts) whose role the
 * routes admit, a valid Idempotency-Key, and a body as the route takes it (plain JSON within the default
 * limit; none for a capture or cancel). A body its validator refuses is handed to the app as it came
 * (`toApp`), so every refusal of a request is the app's own; the work's refusals are answered as the
 * route answers them.
 */
export function writeBeforeRouter(request: Request, env: Env, toApp: (request: Request) => Promise<Response>): Promise<Response> | null {
  const found = plainWriteOf(request.method, request.url);
  if (!found) return null;
  const { plain, target } = found;
  if (plain.body === null ? request.body !== null : !isPlainJsonBody(request)) return null;
  const principal = cachedPrincipal(request.headers.get("authorization"), LEDGER_WRITERS);
  if (!principal) return null;
  const header = IdempotencyHeader.safeParse({ "idempotency-key": request.headers.get("idempotency-key") ?? undefined });
  if (!header.success) return null;
  const w: WriteContext = { env, principal, requestId: requestIdOf(request.headers.get("x-request-id")), idempotencyKey: header.data["idempotency-key"] };
  const path = `${plain.prefix}${target}${plain.suffix}`;
  if (plain.body === null) return answerAsRoute(principal, w.requestId, "POST", path, () => plain.work(w, target, null));
  const validator = plain.body;
  return (async () => {
    const text = await request.text();
    const body = parsedJson(text, validator);
    // The same bytes go on to the app, whose validators then say what is wrong with them.
    if (!body.ok) return toApp(new Request(request, { body: text }));
    return answerAsRoute(principal, w.requestId, "POST", path, () => plain.work(w, target, body.value));
  })();
}

function parsedJson<B>(text: string, validator: z.ZodType<B>): { ok: true; value: B } | { ok: false } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  const parsed = validator.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
}
