// Till handlers: a scanned member card resolves to the member once, with an optional hold through the member's object.
import { ledgerCall, memberLedger, respond } from "../../app/ledger-client";
import { verifyingSecrets } from "../../app/member-auth";
import type { AppRouteHandler } from "../../app/types";
import { ApiError } from "../../lib/errors";
import { cardCodeSigned, cardCodeTiming, parseCardCode } from "../../tokens/card";
import { recordScan } from "./pos.queries";
import type { ScanCardRoute } from "./pos.routes";

export const scanCard: AppRouteHandler<ScanCardRoute> = async (c) => {
  const body = c.req.valid("json");
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const principal = c.get("principal");
  const { programId } = principal;
  const nowMs = Date.now();
  const code = parseCardCode(body.code);
  const invalid = new ApiError("card_code_invalid", "This is not a member card code of this program.");
  if (!code || !(await cardCodeSigned(await verifyingSecrets(c.env.DB, programId, nowMs), programId, code))) throw invalid;
  const timing = cardCodeTiming(code.step, nowMs);
  if (timing === "future") throw invalid;
  const claim = { programId, memberId: code.memberId, step: code.step, nonce: code.nonce, scope: `${principal.role}:${principal.partnerId ?? ""}`, idempotencyKey };
  const scannedAt = new Date(nowMs).toISOString();
  const record = await recordScan(c.env.DB, claim, scannedAt, timing === "current");
  // A retry of this very request goes on, so the member's object replays its answer; anyone else is refused.
  if (record === "reused") throw new ApiError("idempotency_key_reused", "This Idempotency-Key resolved another card code.");
  if (record === "taken" && timing === "expired") throw new ApiError("card_code_expired", "The card code has expired; ask the member to show the card again.");
  if (record === "taken") throw new ApiError("card_code_replayed", "This card code was scanned already; ask the member to show the card again.");
  const ledger = memberLedger(c, code.memberId);
  const member = await ledger.getMember(await ledgerCall(c, code.memberId));
  if (!member.ok) return respond(c, member);
  const answer = { memberId: code.memberId, name: member.value.name, tier: member.value.tier, scannedAt };
  if (!body.hold) return c.json({ ...answer, balance: member.value.balance, hold: null }, 200);
  const call = await ledgerCall(c, code.memberId, { idempotencyKey, target: code.memberId, body });
  const reply = await ledger.redeem(call, { mode: "hold", channel: "store", ...body.hold });
  if (!reply.ok) return respond(c, reply);
  if (reply.replayed) c.header("Idempotent-Replayed", "true");
  const { balance, ...hold } = reply.value;
  return c.json({ ...answer, balance, hold }, 200);
};
