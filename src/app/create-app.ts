// One router factory and one app factory, so every router shares the
// validation hook, request ids, logging, notFound and onError.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { BeyondSafeIntegers } from "../ledger/money";
import { databaseUnavailable, errorMessages, isTransientD1Error } from "../db/transient";
import { DomainError, fieldErrors } from "../ledger/errors";
import { ApiError, fromDomain, problemBody, type ErrorCode, type ErrorStatus, type ProblemBody } from "../lib/errors";
import { jsonBodyVerdict } from "./content-type";
import type { AppEnv } from "./types";

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * An import file: 16 MiB holds 100,000 members with a lot each as CSV or
 * JSONL, and parsing it stays well inside a Worker's 128 MB. A larger file is
 * split by the client into several imports (each line is its own unit).
 */
export const IMPORT_MAX_BYTES = 16 * 1024 * 1024;

/** Routes that take a file, not JSON, by exact path and method: the media types each accepts. */
export const FILE_BODY_ROUTES: Record<string, readonly string[]> = { "POST /v1/imports": ["application/x-ndjson", "text/csv"] };

function isFileBody(method: string, path: string, type: string | undefined): boolean {
  const accepted = FILE_BODY_ROUTES[`${method} ${path}`];
  return accepted !== undefined && accepted.includes((type ?? "").split(";")[0]!.trim().toLowerCase());
}

/**
 * Routes that take a larger body, by exact path: a bulk file of 500 items
 * needs more than 64 KiB (1 MiB leaves ~2 KiB per item, an order with a
 * dozen line items). The limit runs before routing (it must refuse
 * before the body is read), so a route cannot raise it for itself.
 */
export const LARGE_BODY_ROUTES: Record<string, number> = { "/v1/transactions/batch": 1024 * 1024, "/v1/imports": IMPORT_MAX_BYTES };

/** Our codes for the refusals Hono and zod-openapi raise themselves (HTTPException), so they keep their status. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: "invalid_json",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};
const FRAMEWORK_DETAILS: Partial<Record<ErrorCode, string>> = {
  invalid_json: "The body is not valid JSON.",
  unsupported_media_type: "Send the body as application/json.",
};

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) {
        const errors = fieldErrors(result.error.issues, "(body)");
        throw new ApiError("validation_failed", `${errors.length} field(s) failed validation.`, { errors });
      }
    },
  });
}

export function problem(c: Context<AppEnv>, refusal: ApiError | DomainError) {
  const error = refusal instanceof DomainError ? fromDomain(refusal) : refusal;
  return problemResponse(c, error.status, problemBody(error, c.get("requestId")));
}

/** A problem+json response, typed as the routes declare their errors. */
export function problemResponse<S extends ErrorStatus>(c: Context<AppEnv>, status: S, body: ProblemBody) {
  return c.json(body, status, problemHeaders(status));
}

/** A problem's headers: its type, and for a 503 when to come back. */
export function problemHeaders(status: number): Record<string, string> {
  return { "Content-Type": "application/problem+json", ...(status === 503 ? { "Retry-After": "1" } : {}) };
}

/** The caller's X-Request-Id (its first 64 characters), or a new one. */
export function requestIdOf(header: string | null | undefined): string {
  return header?.slice(0, 64) || crypto.randomUUID();
}

function log(fields: Record<string, unknown>) {
  console.log(JSON.stringify(fields));
}

/** The one line a failed request leaves in the log, however it was answered. */
export function logFailedRequest(requestId: string, method: string, path: string, status: number, ms: number): void {
  log({ level: "error", requestId, method, path, status, ms });
}

/**
 * What an error thrown while answering a request tells the caller, logged as it goes: our own
 * refusals as they are, the framework's with our codes, D1 or the member's object failing as a 503
 * to retry, anything else as a 500 to quote the requestId of.
 */
export function refusalOf(error: Error, requestId: string, path: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return fromDomain(error);
  // A sum or value that would no longer be exact (a settlement over a whole program, say) is refused, never rounded.
  if (error instanceof BeyondSafeIntegers) return new ApiError("amount_out_of_range", "The amounts involved exceed the numbers the ledger can hold exactly.");
  const frameworkCode = error instanceof HTTPException ? HTTP_EXCEPTION_CODES[error.status] : undefined;
  if (frameworkCode) return new ApiError(frameworkCode, FRAMEWORK_DETAILS[frameworkCode] ?? error.message);
  if (error instanceof SyntaxError) return new ApiError("invalid_json", "The body is not valid JSON.");
  // D1 refused or lost a query of the Worker's own (auth, reads, routes that write directly).
  if (isTransientD1Error(error)) {
    log({ level: "warn", requestId, path, error: errorMessages(error).at(-1) });
    return fromDomain(databaseUnavailable());
  }
  // The member's object was reset or overloaded mid-call: the outcome is unknown, and a retry
  // with the same Idempotency-Key is safe, so say exactly that.
  const flags = error as { retryable?: boolean; overloaded?: boolean; durableObjectReset?: boolean };
  if (flags.retryable || flags.overloaded || flags.durableObjectReset) {
    log({ level: "warn", requestId, path, error: `${error.name}: ${error.message}` });
    return new ApiError("temporarily_unavailable", "The member's ledger restarted during the call; retry with the same Idempotency-Key.");
  }
  log({ level: "error", requestId, path, error: `${error.name}: ${error.message}` });
  return new ApiError("internal_error", "An unexpected error occurred. Quote the requestId when you report it.");
}

/**
 * What every request is checked for before routing: a path whose percent-encoding is not UTF-8
 * names nothing, and is refused rather than guessed at; bodies are JSON (the console's pages post
 * HTML forms, and the file routes their files), refused in any other type before they are parsed.
 */
function refuseUnreadable(c: Context<AppEnv>): void {
  // A URL without a '%' has no percent-encoding to check, and most requests skip the URL parse.
  if (c.req.url.includes("%")) {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw new ApiError("validation_failed", "The path's percent-encoding is not UTF-8.", { errors: [{ path: "(path)", message: "malformed percent-encoding" }] });
    }
  }
  const method = c.req.method;
  if ((method !== "POST" && method !== "PUT" && method !== "PATCH") || c.req.path.startsWith("/console/")) return;
  const length = c.req.header("content-length");
  const hasBody = length !== undefined ? length !== "0" : c.req.raw.body !== null;
  const type = c.req.header("content-type");
  if (!hasBody || isFileBody(method, c.req.path, type)) return;
  const verdict = jsonBodyVerdict(type);
  if (!verdict.ok) throw new ApiError("unsupported_media_type", verdict.detail);
  // The validators only know a narrower spelling (no empty or spaced parameters): hand them the plain type.
  if (type !== "application/json") {
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    c.req.raw = new Request(c.req.raw, { headers });
  }
}

export function createApp() {
  const app = createRouter();
  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError("payload_too_large", `Bodies are limited to ${maxSize} bytes.`);
      },
    });
  const defaultLimit = limitTo(MAX_BODY_BYTES);
  const largeLimits = new Map(Object.entries(LARGE_BODY_ROUTES).map(([path, maxSize]) => [path, limitTo(maxSize)]));

  // One middleware before every route, not one per concern: each is another async step on every request, a read's included.
  app.use("*", async (c, next) => {
    const requestId = requestIdOf(c.req.header("x-request-id"));
    c.set("requestId", requestId);
    const started = Date.now();
    // Set before the handler, so the response c.json builds carries it; set after a finished response,
    // Hono copies the whole Response to add one header.
    c.header("X-Request-Id", requestId);
    refuseUnreadable(c);
    // The size limit runs before routing (it must refuse before the body is read); without a body there is nothing to measure.
    await (c.req.raw.body === null ? next() : (largeLimits.get(c.req.path) ?? defaultLimit)(c, next));
    // A handler's own Response (a page, a file) does not take prepared headers: it gets a copy that does.
    if (c.res.headers.get("X-Request-Id") !== requestId) c.header("X-Request-Id", requestId);
    if (c.res.status >= 500) {
      logFailedRequest(requestId, c.req.method, c.req.path, c.res.status, Date.now() - started);
    }
  });

  app.notFound((c) => problem(c, new ApiError("not_found", `No route ${c.req.method} ${c.req.path}.`)));

  app.onError((error, c) => problem(c, refusalOf(error, c.get("requestId"), c.req.path)));

  return app;
}
