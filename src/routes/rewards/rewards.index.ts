// The rewards router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./rewards.handlers";
import * as routes from "./rewards.routes";

export const rewardsRouter = createRouter()
  .openapi(routes.createReward, handlers.createReward)
  .openapi(routes.listRewards, handlers.listRewards)
  .openapi(routes.getReward, handlers.getReward)
  .openapi(routes.updateReward, handlers.updateReward)
  .openapi(routes.archiveReward, handlers.archiveReward)
  .openapi(routes.uploadRewardCodes, handlers.uploadRewardCodes)
  .openapi(routes.listMemberRewards, handlers.listMemberRewards)
  .openapi(routes.claimReward, handlers.claimReward);
