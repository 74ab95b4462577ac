// The transactions router: bulk posting, and the item schema the envelope's document refers to.
import { createRouter } from "../../app/create-app";
import * as handlers from "./transactions.handlers";
import * as routes from "./transactions.routes";
import { BatchItemSchema } from "./transactions.schemas";

const router = createRouter();
router.openAPIRegistry.register("BatchItem", BatchItemSchema);

export const transactionsRouter = router.openapi(routes.postTransactionBatch, handlers.postTransactionBatch);
