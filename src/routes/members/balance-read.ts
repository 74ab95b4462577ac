// The balance read answered before the router: a storefront asks for it on every page, and the
// framework's pipeline (the context, the middlewares, the validators, the response copy) added
// 0.03-0.05 ms of CPU to a read whose object call costs about 0.14 (bench/README.md). Only the
// plain case is answered here, exactly as the route answers it; anything else goes on to the app.
import { cachedPrincipal } from "../../app/auth";
import { answerAsRoute, asText, plainSegment } from "../../app/before-router";
import { requestIdOf } from "../../app/create-app";
import { readCall } from "../../app/ledger-client";
import { MemberIdParam } from "../../app/openapi";
import { memberLedgerOf } from "../../members/member-ledger";
import { BALANCE_READERS } from "./members.routes";

const PREFIX = "/v1/members/";
const SUFFIX = "/balance";

/**
 * The member a request reads the balance of, when it is a GET of /v1/members/{memberId}/balance
 * whose id needs no decoding and passes the route's own validator; null for anything else.
 */
export function balanceReadTarget(method: string, url: string): string | null {
  if (method !== "GET") return null;
  const memberId = plainSegment(url, PREFIX, SUFFIX);
  return memberId !== null && MemberIdParam.safeParse({ memberId }).success ? memberId : null;
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
  const requestId = requestIdOf(request.headers.get("x-request-id"));
  const view = principal.partnerId ? "partner" : "full";
  return answerAsRoute(
    principal,
    requestId,
    "GET",
    `${PREFIX}${memberId}${SUFFIX}`,
    () => memberLedgerOf(env, principal.programId, memberId).getBalanceText(readCall(principal, memberId, requestId), view),
    asText,
  );
}
