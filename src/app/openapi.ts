// Shared OpenAPI pieces: the problem schema, the error responses every route
// lists, and the schemas for money and ids.
import { z } from "@hono/zod-openapi";
import { CurrencyCode } from "../ledger/settings";
import { errorStatuses, type ErrorCode } from "../lib/errors";

const ERROR_CODES = Object.keys(errorStatuses) as [ErrorCode, ...ErrorCode[]];

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://treue.dev/problems/insufficient-points" }),
    title: z.string().openapi({ example: "Not enough points" }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().openapi({ example: "The member has 120 points available; 500 were asked." }),
    code: z.enum(ERROR_CODES).openapi({ example: "insufficient_points", description: "Stable machine code; the status belongs to it." }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

// Not `as const`: spread from an `as const` object into a route's responses, the numeric keys
// come out typed as strings ("404"), which the handlers' typed responses do not count, and the
// handlers that answer a replayed refusal (respond() in ./ledger-client.ts) would not compile.
export const errorResponses = {
  400: problem("The request is malformed or fails validation (`validation_failed`, `invalid_json`, `invalid_cursor`)."),
  401: problem("Missing or invalid key (`unauthorized`)."),
  403: problem("The key's role may not do this (`forbidden`)."),
  404: problem("Nothing of that id in the key's program."),
  409: problem("Conflicts with the current state (e.g. `order_already_accrued`)."),
  413: problem("Body larger than allowed (`payload_too_large`)."),
  415: problem("Body is not JSON (`unsupported_media_type`)."),
  422: problem("Understood but refused by a business rule (e.g. `insufficient_points`)."),
  429: problem("Too many calls (`rate_limited`, member tokens; `too_many_coupon_lookups`, unknown coupon codes by one key): retry after `Retry-After` seconds."),
  500: problem("Something failed on our side; quote the requestId."),
  503: problem("Briefly unable to serve (`temporarily_unavailable`): retry after `Retry-After` seconds with the same Idempotency-Key."),
};

export const MAX_SAFE_AMOUNT = 1_000_000_000_000_000;

/** The one shape of money: integer minor units and an ISO 4217 currency; each use picks the range of the amount. */
function moneySchema(amount: z.ZodNumber) {
  return z.object({ amount: amount.openapi({ example: 4999, description: "Integer minor units." }), currency: CurrencyCode });
}

export const MoneySchema = moneySchema(z.number().int().min(0).max(MAX_SAFE_AMOUNT)).openapi("Money");
export const PositiveMoneySchema = moneySchema(z.number().int().min(1).max(MAX_SAFE_AMOUNT)).openapi("PositiveMoney");
/** A signed sum in answers only (a statement's net: either side may owe). */
export const SignedMoneySchema = moneySchema(z.number().int());

/** The storefront's own ids: printable, no spaces, no markup or SQL metacharacters. */
export const ExternalId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@+\-]*$/, "letters, digits and . _ : @ + - only");

export const MEMBER_ID_MAX_CHARACTERS = 255;
/** Characters that print nothing, or that break a line or the direction of text around them. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * The storefront's own customer id, compared exactly as given (no case
 * folding, trimming or Unicode normalization: it is the storefront's key,
 * and what it sends is what comes back). Any printable Unicode, `/`, `:` and
 * spaces included, percent-encoded in paths. `.` and `..` are refused: a URL
 * path cannot carry them as a segment.
 */
export const MemberId = z
  .string()
  .min(1)
  .refine((id) => [...id].length <= MEMBER_ID_MAX_CHARACTERS, `at most ${MEMBER_ID_MAX_CHARACTERS} characters`)
  .refine((id) => !INVISIBLE.test(id), "no control, format or line separator characters")
  .refine((id) => id !== "." && id !== "..", "'.' and '..' cannot be a path segment")
  .openapi({
    description: `The storefront's own customer id: printable Unicode, up to ${MEMBER_ID_MAX_CHARACTERS} characters, compared exactly as given; percent-encode it in paths.`,
    maxLength: MEMBER_ID_MAX_CHARACTERS,
    example: "gid://shopify/Customer/1042",
  });

export const MemberIdParam = z.object({
  memberId: MemberId.openapi({ param: { name: "memberId", in: "path" } }),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
    .openapi({ param: { name: "idempotency-key", in: "header", description: "Unique per intended change; retries reuse it. Kept 48 hours." }, example: "3f1c8a9e-checkout-77" }),
});

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  // No length or shape here: every cursor this API did not give out is the same 400 invalid_cursor.
  cursor: z.string().optional().openapi({ description: "nextCursor from the previous page of the same list; opaque. Empty means the first page." }),
});

export const ChannelSchema = z.enum(["online", "store", "app"]).default("online");

export const bearer = [{ bearerAuth: [] }];
/** Operations a shopper's browser calls with a member token (POST /v1/members/{memberId}/tokens), never a program key. */
export const memberTokenSecurity = [{ memberToken: [] }];

export function jsonBody<T extends z.ZodType>(schema: T, description = "JSON body") {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}
