// Request and response schemas of the referral routes.
import { z } from "@hono/zod-openapi";
import { FRAUD_FLAGS } from "../../referrals/fraud";

import { ReferralCodeSchema, ReferralStatus } from "../../referrals/schemas";

export { ReferralCodeSchema };

const SideReward = z
  .object({
    rewardId: z.string().openapi({ example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
    claimId: z.string().nullable().openapi({ description: "The claim with its coupon (GET /v1/members/{memberId}/coupons); null until given, or when it could not be." }),
  })
  .nullable();

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
    referrerReward: SideReward.openapi({ description: "The catalog reward the referrer gets instead of points (on completion), and the claim it was given as; null: points." }),
    refereeReward: SideReward.openapi({ description: "The catalog reward the new member gets instead of points, and its claim; null: points." }),
    unfulfilled: z
      .array(
        z.object({
          role: z.enum(["referrer", "referee"]),
          rewardId: z.string(),
          reason: z.enum(["out_of_stock", "archived", "ended", "not_found"]),
          at: z.string(),
        }),
      )
      .openapi({ description: "A side's catalog reward that could not be given when its turn came (no coupon was issued): for the operator to make good.", example: [] }),
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
