// The balance read answered before the router: a storefront asks for it on every page, and the
// framework's pipeline (the context, the middlewares, the validators, the response copy) added
// 0.03-0.05 ms of CPU to a read whose object call costs about 0.14 (bench/README.md). Only the
// plain case is answered here, exactly as the route answers it; anything else goes on to the app.
import { cachedPrincipal } from "../../app/auth";
import { logFailedRequest, problemHeaders, refusalOf, requestIdOf } from "../../app/create-app";
import { forPrincipal, readCall } from "../../app/ledger-client";
import { MemberIdParam } from "../../app/openapi";
import type { Principal } from "../../app/types";
import { memberLedgerOf } from "../../members/member-ledger";
import { fromDomain, problemBody, type ApiError } from "../../lib/errors";
import { BALANCE_READERS } from "./members.routes";

const PREFIX = "/v1/members/";
const SUFFIX = "/balance";

/**
 * The member a request reads the balance of, when it is a GET of /v1/members/{memberId}/balance
 * whose id needs no decoding and passes the route's own validator; null for anything else.
 */
export function balanceReadTarget(method: string, url: string): string | null {
  if (method !== "GET") return null;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return null;
  const query = url.indexOf("?", start);
  const path = query === -1 ? url.slice(start) : url.slice(start, query);
  if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) return null;
  const memberId = path.slice(PREFIX.length, path.length - SUFFIX.length);
  // A '%' would need the router's decoding, a '/' is another route: the app answers both.
  if (memberId.includes("/") || memberId.includes("%")) return null;
  return MemberIdParam.safeParse({ memberId }).success ? memberId : null;
}

/**
 * The balance read's answer without the router, or null when the request is not the plain case: a
 * GET without a body, with a program key this isolate resolved lately (src/app/auth.ts) and a role
 * the route admits. Its refusals are the route's too: the same problem, headers and log line.
 */
export function balanceReadBeforeRouter(request: Request, env: Env): Promise<Response> | null {
  const memberId = balanceReadTarget(request.method, request.url);
  if (memberId === null || request.body !== null) return null;
  const principal = cachedPrincipal(request.headers.get("authorization"), BALANCE_READERS);
  if (!principal) return null;
  return answer(env, principal, memberId, requestIdOf(request.headers.get("x-request-id")));
}

async function answer(env: Env, principal: Principal, memberId: string, requestId: string): Promise<Response> {
  const started = Date.now();
  const path = `${PREFIX}${memberId}${SUFFIX}`;
  let refusal: ApiError;
  try {
    const reply = await memberLedgerOf(env, principal.programId, memberId).getBalance(readCall(principal, memberId, requestId));
    // The headers the route's c.json sets: its type, and the id the first middleware put on the context.
    if (reply.ok) return new Response(JSON.stringify(forPrincipal(principal, reply).value), { headers: { "Content-Type": "application/json", "X-Request-Id": requestId } });
    refusal = fromDomain(reply.error);
  } catch (error) {
    refusal = refusalOf(error instanceof Error ? error : new Error(String(error)), requestId, path);
  }
  const status = refusal.status;
  if (status >= 500) logFailedRequest(requestId, "GET", path, status, Date.now() - started);
  return new Response(JSON.stringify(problemBody(refusal, requestId)), { status, headers: { ...problemHeaders(status), "X-Request-Id": requestId } });
}
