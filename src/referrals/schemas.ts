// The referral code answer, shared by /v1/members/{memberId}/referral and /v1/me/referral.
import { z } from "@hono/zod-openapi";

export const ReferralStatus = z.enum(["pending", "qualified", "completed", "cancelled", "rejected"]).openapi({
  description:
    "pending: waiting for its trigger; qualified: the referrer's points are credited and pending until the referee's order is past its return window; completed; cancelled: the order was refunded within the window and the referrer's points taken back; rejected: refused by the fraud rules or the cap, never rewarded.",
  example: "pending",
});

export const ReferralCodeSchema = z
  .object({
    memberId: z.string(),
    code: z.string().openapi({ example: "7KQ3M9XW2T" }),
    shareLink: z.string().openapi({ example: "https://shop.example/r/7KQ3M9XW2T" }),
    referredBy: z
      .object({ referralId: z.string(), referrerId: z.string(), status: ReferralStatus })
      .nullable()
      .openapi({ description: "The referral that brought this member in, if one counts." }),
  })
  .openapi("ReferralCode");
