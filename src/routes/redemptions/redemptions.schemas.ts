// Request schemas of the redemption routes (the redemption itself is shared, in app/schemas).
import { z } from "@hono/zod-openapi";

export const RedemptionIdParam = z.object({
  id: z
    .string()
    .regex(/^red_[0-9A-Z]{26}$/, "a redemption id")
    .openapi({ param: { name: "id", in: "path" }, example: "red_01JDZ8K3M4N5P6Q7R8S9T0V1W2" }),
});
