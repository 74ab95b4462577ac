// Route declarations for data protection: export and erasure of a member (no logic here).
import { AUDITED } from "../../audit/audit";
import { createRoute } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, jsonResponse, MemberIdParam } from "../../app/openapi";
import { ErasureSchema, MemberExportSchema } from "./privacy.schemas";

const tags = ["Members"];

export const exportMember = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/export",
  operationId: "exportMember",
  summary: "Everything held about a member, as one document (data protection)",
  description:
    "Profile, marketing consent, attributes, birthday, lots, ledger entries, orders, redemptions, coupons, referrals (both sides), memberships, activities, bonuses, token revocations and the webhook events about the member. Each section holds at most 1000 rows; `truncated` names the sections that reached it. An erased member exports what is left: the pseudonymous history.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(MemberExportSchema, "The member's data."), ...errorResponses },
});

export const eraseMember = createRoute({
  method: "delete",
  path: "/v1/members/{memberId}",
  operationId: "eraseMember",
  ...AUDITED,
  summary: "Erase a member's personal data (data protection)",
  description:
    "Email, name, birthday, attributes, consent, fingerprints, the referral code and card scans are removed and every member token is revoked, in one batch; the id stays as a pseudonym so every ledger, KPI and settlement sum stays exactly as it was. A `member.erased` webhook names only the id. Afterwards the member answers 404 `member_not_found` (an enrollment of the id is refused unless `privacy.allowReenrollAfterErasure`). Refused with 409 `member_erasure_blocked` while holds are open or coupons unused. Repeating it answers 200 with the first erasure's time.",
  tags,
  security: bearer,
  middleware: [requireKey("admin")] as const,
  request: { params: MemberIdParam },
  responses: { 200: jsonResponse(ErasureSchema, "Erased (now or before)."), ...errorResponses },
});

export type ExportMemberRoute = typeof exportMember;
export type EraseMemberRoute = typeof eraseMember;
