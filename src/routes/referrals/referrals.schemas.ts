// Request and response schemas of the referral routes.
import { z } from "@hono/zod-openapi";
import { FRAUD_FLAGS } from "../../referrals/fraud";

import { ReferralCodeSchema, ReferralStatus } from "../../referrals/schemas";

export { ReferralCodeSchema };

export const ReferralSchema = z
  .object({
    id: z.string().openapi({ example: "ref_01JEXAMPLE0000000000000000" }),
    referrerId: z.string(),
    refereeId: z.string(),
    status: ReferralStatus,
    fraudFlags: z.array(z.enum(FRAUD_FLAGS)).openapi({ description: "Why it was refused; empty unless rejected.", example: [] }),
    trigger: z.enum(["enrollment", "first_order"]),
    referrerPoints: z.number().int(),
    refereePoints: z.number().int(),
    orderId: z.string().nullable().openapi({ description: "The referee's qualifying order, once there is one." }),
    rewardAvailableAt: z.string().nullable().openapi({ description: "When the referrer's points become available." }),
    refereeRewarded: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Referral");

export const ReferralPageSchema = z.object({ data: z.array(ReferralSchema), nextCursor: z.string().nullable() }).openapi("ReferralPage");

export const ReferralListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z.string().optional().openapi({ description: "nextCursor from the previous page of the same list; opaque." }),
  status: ReferralStatus.optional().openapi({ description: "Only referrals in this status (e.g. rejected, to review them)." }),
});
