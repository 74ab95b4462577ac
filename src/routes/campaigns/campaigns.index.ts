// The campaigns router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./campaigns.handlers";
import * as routes from "./campaigns.routes";

export const campaignsRouter = createRouter()
  .openapi(routes.createCampaign, handlers.createCampaign)
  .openapi(routes.listCampaigns, handlers.listCampaigns)
  .openapi(routes.getCampaign, handlers.getCampaign)
  .openapi(routes.updateCampaign, handlers.updateCampaign)
  .openapi(routes.activateCampaign, handlers.activateCampaign)
  .openapi(routes.pauseCampaign, handlers.pauseCampaign)
  .openapi(routes.endCampaign, handlers.endCampaign)
  .openapi(routes.listCampaignVersions, handlers.listCampaignVersions)
  .openapi(routes.getCampaignStats, handlers.getCampaignStats)
  .openapi(routes.previewEarning, handlers.previewEarning);
