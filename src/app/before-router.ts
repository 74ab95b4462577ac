// What the requests answered before the router share (src/routes/members/balance-read.ts, src/app/writes-before-router.ts):
// finding their one path segment without the router, and answering a ledger reply exactly as a route does,
// headers, problem and log line included, without the framework's context.
import { fromDomain, problemBody, type ApiError } from "../lib/errors";
import type { LedgerReply } from "../members/member-ledger";
import { logFailedRequest, MAX_BODY_BYTES, problemHeaders, refusalOf } from "./create-app";
import { forPrincipal } from "./ledger-client";
import type { Principal } from "./types";

/**
 * The one path segment between `prefix` and `suffix` of a URL's path (its query aside), when it is
 * a single segment that needs no decoding; null for anything else. A '%' would need the router's
 * decoding and a '/' is another route: the app answers both.
 */
export function plainSegment(url: string, prefix: string, suffix: string): string | null {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return null;
  const query = url.indexOf("?", start);
  const path = query === -1 ? url.slice(start) : url.slice(start, query);
  if (path.length < prefix.length + suffix.length || !path.startsWith(prefix) || !path.endsWith(suffix)) return null;
  const segment = path.slice(prefix.length, path.length - suffix.length);
  return segment.includes("/") || segment.includes("%") ? null : segment;
}

/**
 * Whether a request's body is JSON as the route's validator takes it without the app's help: the
 * plain media type, and a declared length within the default limit. Any other spelling, a streamed
 * body or a larger one is the app's to accept or refuse.
 */
export function isPlainJsonBody(request: Request): boolean {
  if (request.headers.get("content-type") !== "application/json") return false;
  const length = Number(request.headers.get("content-length") ?? "0");
  return Number.isInteger(length) && length > 0 && length <= MAX_BODY_BYTES;
}

/**
 * A ledger operation's outcome answered as its route answers it: the value as the caller's key may
 * see it (201 when it created something), a replay marked as one, a refusal as the problem the app's
 * error handler makes of it, and a failure of 500 or more logged as the app logs one.
 */
export async function answerAsRoute<T>(
  principal: Principal,
  requestId: string,
  method: string,
  path: string,
  work: () => Promise<LedgerReply<T>>,
  // The body of a value: as the caller's key may see it, written out; a reply that is already that text passes `asText`.
  bodyOf: (principal: Principal, reply: LedgerReply<T> & { ok: true }) => string = (p, reply) => JSON.stringify(forPrincipal(p, reply).value),
): Promise<Response> {
  const started = Date.now();
  const headers: Record<string, string> = { "X-Request-Id": requestId };
  let refusal: ApiError;
  let refusalId: string | undefined = requestId;
  try {
    const reply = await work();
    if (reply.replayed) headers["Idempotent-Replayed"] = "true";
    if (reply.ok) {
      const status = reply.created ? 201 : 200;
      return new Response(bodyOf(principal, reply), { status, headers: { "Content-Type": "application/json", ...headers } });
    }
    refusal = fromDomain(reply.error);
    // A replayed refusal is the first answer as it was sent, its requestId included.
    if (reply.replayed) refusalId = reply.requestId;
  } catch (error) {
    refusal = refusalOf(error instanceof Error ? error : new Error(String(error)), requestId, path);
  }
  const status = refusal.status;
  if (status >= 500) logFailedRequest(requestId, method, path, status, Date.now() - started);
  return new Response(JSON.stringify(problemBody(refusal, refusalId)), { status, headers: { ...problemHeaders(status), ...headers } });
}

/** A reply whose value is already the answer's JSON text, for the caller's key (MemberLedger.getBalanceText). */
export const asText = (_principal: Principal, reply: LedgerReply<string> & { ok: true }): string => reply.value;
