// How a handler talks to a member's Durable Object and turns its reply into a response.
import type { Context } from "hono";
import type { LedgerCall, LedgerReply, MemberLedger } from "../members/member-ledger";
import { memberObjectName } from "../members/member-ledger";
import { answerForPartner } from "../members/partner-view";
import { ApiError, deserializeError } from "../lib/errors";
import { sha256Hex } from "../lib/ids";
import type { AppEnv } from "./types";

/** The member's object. Its RPC methods mirror the class; the cast keeps their plain reply types. */
export function memberLedger(c: Context<AppEnv>, memberId: string): MemberLedger {
  const { programId } = c.get("principal");
  return c.env.MEMBER_LEDGER.getByName(memberObjectName(programId, memberId)) as unknown as MemberLedger;
}

/**
 * The call every ledger operation sends. The Idempotency-Key is scoped to the
 * program and the caller (role, and partner for partner keys); its request
 * hash covers the route, the target and the validated body.
 */
export async function ledgerCall(
  c: Context<AppEnv>,
  memberId: string,
  write?: { idempotencyKey: string; target: string; body: unknown },
): Promise<LedgerCall> {
  const principal = c.get("principal");
  return {
    programId: principal.programId,
    memberId,
    settings: principal.settings,
    partnerId: principal.partnerId,
    idempotency: write
      ? {
          scope: `${principal.role}:${principal.partnerId ?? ""}`,
          key: write.idempotencyKey,
          requestHash: await sha256Hex(`${c.req.method} ${c.req.routePath} ${write.target}\n${JSON.stringify(write.body)}`),
        }
      : null,
  };
}

/**
 * A reply of the object as an HTTP response; replays say so in a header.
 * Typed `never` because the status and body are the object's, checked by
 * the route's schema in tests rather than by the compiler here.
 */
export function respond(c: Context<AppEnv>, reply: LedgerReply): never {
  if (!reply.ok) throw deserializeError(reply.error);
  if (reply.replayed) c.header("Idempotent-Replayed", "true");
  return c.json(forCaller(c, reply).body as object, reply.status as 200) as never;
}

/** The reply as the calling key may see it: a partner key gets what src/members/partner-view.ts leaves it. */
export function forCaller<R extends LedgerReply>(c: Context<AppEnv>, reply: R): R {
  return reply.ok && c.get("principal").partnerId ? { ...reply, body: answerForPartner(reply.body) } : reply;
}

export function notFound(code: "member_not_found" | "redemption_not_found", id: string): ApiError {
  return new ApiError(code, `No ${code === "member_not_found" ? "member" : "redemption"} '${id}' in this program.`);
}
