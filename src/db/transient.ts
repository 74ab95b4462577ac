// Tells D1's passing refusals (overloaded, timed out, restarting) from real failures.
import { DomainError } from "../ledger/errors";
import { ApiError } from "../lib/errors";

/**
 * D1's own messages for work it refused or lost, from Cloudflare's list of
 * D1 errors: whatever was asked may or may not have happened, and the same
 * request later can succeed. D1 never retries a write itself.
 */
const TRANSIENT_D1_MESSAGES = [
  /D1 DB is overloaded/i, // "Too many requests queued." / "Requests queued for too long."
  /\btimed out\b/i, // a statement that ran past its time
  /exceeded timeout/i, // "D1 DB storage operation exceeded timeout which caused object to be reset."
  /caused object to be reset/i,
  /D1 DB reset because its code was updated/i,
  /exceeded its (CPU time|memory) limit and was reset/i,
  /transient issue on remote node/i,
  /Network connection lost/i,
];

/** drizzle wraps D1's error ("Failed query: ..."); D1's own words are further down the causes. */
export function errorMessages(error: unknown): string[] {
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    messages.push(String((e as Error).message ?? e));
  }
  return messages;
}

export function isTransientD1Error(error: unknown): boolean {
  if (error instanceof DomainError || error instanceof ApiError) return false;
  return errorMessages(error).some((message) => TRANSIENT_D1_MESSAGES.some((pattern) => pattern.test(message)));
}

/** The answer to such an error, wherever it came from: a 503 the caller may retry (create-app adds Retry-After). */
export function databaseUnavailable(): DomainError {
  return new DomainError(
    "temporarily_unavailable",
    "The database is overloaded or timed out; retry shortly. A ledger write retried with the same Idempotency-Key takes effect exactly once.",
  );
}
