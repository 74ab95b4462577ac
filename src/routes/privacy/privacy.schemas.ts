// Request and response schemas of the data-protection routes.
import { z } from "@hono/zod-openapi";
import { EXPORT_SECTION_LIMIT } from "../../privacy/export";

const Rows = (description: string) =>
  z.array(z.record(z.string(), z.unknown())).openapi({ description: `${description} Stored rows, camelCase, at most ${EXPORT_SECTION_LIMIT}.` });

export const MarketingConsentSchema = z
  .object({
    granted: z.boolean(),
    at: z.string().nullable().openapi({ example: "2026-03-01T10:00:00.000Z" }),
    source: z.string().nullable().openapi({ example: "checkout" }),
  })
  .openapi("MarketingConsent", { description: "Whether the member agreed to marketing, when and how it was said." });

export const MemberExportSchema = z
  .object({
    memberId: z.string().openapi({ example: "cust_1042" }),
    exportedAt: z.string().openapi({ example: "2026-03-01T10:00:00.000Z" }),
    profile: z
      .object({
        email: z.string().nullable(),
        name: z.string().nullable(),
        attributes: z.record(z.string(), z.unknown()),
        birthday: z.object({ month: z.number().int(), day: z.number().int(), year: z.number().int().nullable() }).nullable(),
        tier: z.string().nullable(),
        qualifyingPoints: z.number().int(),
        lifetimeEarned: z.number().int(),
        debt: z.number().int(),
        enrolledAt: z.string(),
        updatedAt: z.string(),
        lastActivityAt: z.string().nullable(),
        erasedAt: z.string().nullable(),
      })
      .openapi({ example: { email: "ada@example.com", name: "Ada Lovelace", attributes: {}, birthday: null, tier: null, qualifyingPoints: 0, lifetimeEarned: 0, debt: 0, enrolledAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z", lastActivityAt: null, erasedAt: null } }),
    marketingConsent: MarketingConsentSchema.nullable(),
    lots: Rows("Points lots."),
    entries: Rows("Ledger entries."),
    orders: Rows("Orders accrued."),
    redemptions: Rows("Redemptions."),
    coupons: Rows("Reward claims and their coupons."),
    referralsAsReferrer: Rows("Referrals this member made."),
    referralsAsReferee: Rows("The referral that brought this member."),
    referralCode: Rows("The member's referral code."),
    fingerprints: Rows("Hashes of device and payment fingerprints."),
    memberships: Rows("Paid memberships."),
    activities: Rows("Activities recorded."),
    bonuses: Rows("Sign-up and birthday bonuses given."),
    tokenRevocations: Rows("Member-token revocations."),
    webhookEvents: Rows("Webhook events about the member (the outbox)."),
    segmentMemberships: Rows("The segments the member is in, with their names and since when."),
    statistics: Rows("What segments are evaluated over: spend, order counts per channel, spend per category."),
    auditEntries: Rows("Operator changes to this member (adjustments, tier grants, erasure) from the audit log."),
    importLines: Rows("Lines of imports that created or credited the member: the line as sent (scrubbed on erasure), its status and error."),
    segments: z.array(z.string()).openapi({ description: "The ids of the segments the member is in (as segmentMemberships)." }),
    truncated: z.array(z.string()).openapi({ description: `Sections that reached ${EXPORT_SECTION_LIMIT} rows; read the rest from their paged routes.` }),
  })
  .openapi("MemberExport");

export const ErasureSchema = z
  .object({
    memberId: z.string().openapi({ example: "cust_1042" }),
    erasedAt: z.string().openapi({ example: "2026-03-01T10:00:00.000Z" }),
  })
  .openapi("MemberErasure");
