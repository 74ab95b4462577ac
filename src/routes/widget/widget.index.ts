// The widget router: GET /widget.js (the embeddable script) and GET /widget/demo (a page that embeds it).
import { createRouter } from "../../app/create-app";
import * as handlers from "./widget.handlers";

export const widgetRouter = createRouter().get("/widget.js", handlers.script).get("/widget/demo", handlers.demo);
