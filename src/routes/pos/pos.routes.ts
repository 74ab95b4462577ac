// Route declarations for the till (no logic here).
import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../../app/auth";
import { bearer, errorResponses, IdempotencyHeader, jsonBody, jsonResponse } from "../../app/openapi";
import { ScanBody, ScanResultSchema } from "./pos.schemas";

export const scanCard = createRoute({
  method: "post",
  path: "/v1/pos/scans",
  operationId: "scanMemberCard",
  summary: "Resolve a scanned member card to the member, and optionally hold points for the basket",
  description:
    "A card code resolves once, within 30 to 60 seconds of being shown: an older one is 422 `card_code_expired`, a second scan of the same code 409 `card_code_replayed`, anything not made by this program's key 422 `card_code_invalid`. A retry with the same Idempotency-Key and body replays the first answer.",
  tags: ["Point of sale"],
  security: bearer,
  middleware: [requireKey("admin", "server")] as const,
  request: { headers: IdempotencyHeader, body: jsonBody(ScanBody) },
  responses: { 200: jsonResponse(ScanResultSchema, "The member (and the hold)."), ...errorResponses },
});

export type ScanCardRoute = typeof scanCard;
export { z };
