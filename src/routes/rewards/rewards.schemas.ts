// Request and answer schemas of the reward routes (the shared ones live in src/rewards/schemas).
import { z } from "@hono/zod-openapi";
import { MemberIdParam } from "../../app/openapi";

export {
  ClaimWithBalanceSchema,
  CreateRewardBody,
  MemberRewardListSchema,
  RewardIdParam,
  RewardListSchema,
  RewardSchema,
  UpdateRewardBody,
  UploadCodesBody,
  UploadCodesResultSchema,
} from "../../rewards/schemas";

export const ListRewardsQuery = z.object({
  status: z.enum(["active", "archived"]).optional().openapi({ description: "Only rewards of this status; both when absent." }),
});

export const ClaimParams = MemberIdParam.extend({
  rewardId: z
    .string()
    .regex(/^rwd_[0-9A-Z]{26}$/, "a reward id")
    .openapi({ param: { name: "rewardId", in: "path" }, example: "rwd_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});
