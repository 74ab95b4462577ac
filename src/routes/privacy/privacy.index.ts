// The data-protection router: joins route declarations to their handlers.
import { createRouter } from "../../app/create-app";
import * as handlers from "./privacy.handlers";
import * as routes from "./privacy.routes";

export const privacyRouter = createRouter().openapi(routes.exportMember, handlers.exportMember).openapi(routes.eraseMember, handlers.eraseMember);
