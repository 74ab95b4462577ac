// Schemas of the key routes that no other folder uses (the key bodies are shared, in app/schemas).
import { z } from "@hono/zod-openapi";

export const KeyIdParam = z.object({ keyId: z.string().regex(/^key_[0-9A-Z]{26}$/).openapi({ param: { name: "keyId", in: "path" } }) });
