// How a handler talks to a member's Durable Object and turns its reply into a response.
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import type { LedgerReply, MemberLedger, SentCall } from "../members/member-ledger";
import { memberLedgerOf } from "../members/member-ledger";
import { answerForPartner } from "../members/partner-view";
import { fromDomain, problemBody, type ErrorStatus } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import { problemResponse } from "./create-app";
import type { AppEnv, Principal } from "./types";

/** The member's object in the caller's program. */
export function memberLedger(c: Context<AppEnv>, memberId: string): MemberLedger {
  return memberLedgerOf(c.env, c.get("principal").programId, memberId);
}

/**
 * The call every ledger operation sends. The Idempotency-Key is scoped to the
 * program and the caller (role, and partner for partner keys); its request
 * hash covers the route, the target and the validated body. The settings go
 * as the text of the validated settings (see SentCall).
 */
export async function ledgerCall(
  c: Context<AppEnv>,
  memberId: string,
  write?: { idempotencyKey: string; target: string; body: unknown; storeRefusals?: boolean },
): Promise<SentCall> {
  const principal = c.get("principal");
  return {
    ...readCall(principal, memberId, c.get("requestId")),
    idempotency: write
      ? {
          // A member token's keys are the member's own: two shoppers' "checkout-1" never meet.
          scope: principal.role === "member" ? `member:${memberId}` : `${principal.role}:${principal.partnerId ?? ""}`,
          key: write.idempotencyKey,
          requestHash: await sha256Hex(`${c.req.method} ${c.req.routePath} ${write.target}\n${JSON.stringify(write.body)}`),
          storeRefusals: write.storeRefusals,
        }
      : null,
  };
}

/** The call a read sends: who asks, on which program, with no Idempotency-Key. */
export function readCall(principal: Principal, memberId: string, requestId: string): SentCall {
  return {
    programId: principal.programId,
    memberId,
    settingsText: principal.settingsText,
    cacheEpoch: principal.cacheEpoch,
    listening: principal.listening,
    partnerId: principal.partnerId,
    requestId,
    idempotency: null,
  };
}

type Refused = Extract<LedgerReply, { ok: false }>;
/** A refusal as a problem response, its status one that every route declares. */
type RefusalResponse = ReturnType<typeof problemResponse<ErrorStatus>>;
/** The object's value as the JSON answer the route declares for it. */
type Answer<T, S extends 200 | 201> = TypedResponse<JSONParsed<T>, S, "json">;

/**
 * A reply of the object as an HTTP response: the one place a ledger outcome
 * gets its status (201 when it created something, 200 otherwise; a refusal's
 * from its code). Replays say so in a header. Typed by what the method can
 * say of `created`, so a handler's route checks the value against its
 * declared 200 or 201 body.
 */
export function respond(c: Context<AppEnv>, reply: Refused): RefusalResponse;
export function respond<T>(c: Context<AppEnv>, reply: LedgerReply<T, true>): Answer<T, 201> | RefusalResponse;
export function respond<T>(c: Context<AppEnv>, reply: LedgerReply<T, false>): Answer<T, 200> | RefusalResponse;
export function respond<T>(c: Context<AppEnv>, reply: LedgerReply<T, boolean>): Answer<T, 200> | Answer<T, 201> | RefusalResponse;
export function respond<T>(c: Context<AppEnv>, reply: LedgerReply<T, boolean>): Answer<T, 200> | Answer<T, 201> | RefusalResponse {
  if (!reply.ok && !reply.replayed) throw fromDomain(reply.error);
  if (reply.replayed) c.header("Idempotent-Replayed", "true");
  if (!reply.ok) {
    // A replayed refusal is the first answer as it was sent, its requestId included.
    const refusal = fromDomain(reply.error);
    return problemResponse(c, refusal.status, problemBody(refusal, reply.requestId));
  }
  const { value } = forCaller(c, reply);
  return reply.created ? c.json(value, 201) : c.json(value, 200);
}

/** The reply as the calling key may see it: a partner key gets what src/members/partner-view.ts leaves it. */
export function forCaller<R extends LedgerReply>(c: Context<AppEnv>, reply: R): R {
  return forPrincipal(c.get("principal"), reply);
}

export function forPrincipal<R extends LedgerReply>(principal: Principal, reply: R): R {
  return reply.ok && principal.partnerId ? { ...reply, value: answerForPartner(reply.value) } : reply;
}
