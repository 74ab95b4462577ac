// @treue/client: the Treue loyalty API from TypeScript. Types come from the API's OpenAPI document (./generated),
// requests go through openapi-fetch; this file adds what a shop needs around it: the key or member token, an
// Idempotency-Key on every POST that requires one, retries that reuse that key, and errors typed by their `code`.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";
import { KEYED_OPERATIONS } from "./generated/operations.js";

export type { components, paths } from "./generated/api.js";

/** An error answer of the API (application/problem+json). */
export type Problem = components["schemas"]["Problem"];
/** Every stable error code the API documents. */
export type ProblemCode = Problem["code"];

/** The paths a member token may call: the shopper's own data under /v1/me. */
export type MemberPaths = { [P in keyof paths as P extends "/v1/me" | `/v1/me/${string}` ? P : never]: paths[P] };

/** Thrown for every error answer: `code` says what went wrong, `status` is its HTTP status. */
export class TreueError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly problem: Problem;
  readonly requestId: string | undefined;
  /** Seconds the API asked to wait (429, 503), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, response: Response) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "TreueError";
    this.code = problem.code;
    this.status = response.status;
    this.problem = problem;
    this.requestId = problem.requestId ?? response.headers.get("x-request-id") ?? undefined;
    this.retryAfterSeconds = retryAfterMs(response) === undefined ? undefined : retryAfterMs(response)! / 1000;
  }

  /** Narrows to one code: `if (error instanceof TreueError && error.is("insufficient_points"))`. */
  is<C extends ProblemCode>(code: C): this is TreueError & { code: C } {
    return this.code === code;
  }
}

interface CommonOptions {
  /** The API's origin, e.g. "https://loyalty.example.com". */
  baseUrl: string;
  /** A fetch to use (a test double, a proxy); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Further attempts after a network error or a 503 (default 2; 0 turns retries off). */
  retries?: number;
  /** The longest wait between attempts, whatever Retry-After says (default 5000 ms). */
  maxDelayMs?: number;
}

export interface ServerClientOptions extends CommonOptions {
  /** A program key (`trk_...`), or the platform token for /v1/programs. Server side only: never ship it to a browser. */
  apiKey: string;
  memberToken?: never;
}

export interface MemberClientOptions extends CommonOptions {
  /** A member token minted by the shop's backend (POST /v1/members/{memberId}/tokens): safe in a browser, /v1/me only. */
  memberToken: string;
  apiKey?: never;
}

export type TreueClient = Client<paths>;
export type TreueMemberClient = Client<MemberPaths>;

const BASE_DELAY_MS = 200;

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter, bounded. */
function backoffMs(attempt: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, BASE_DELAY_MS * 2 ** attempt);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request the API handles at most once however often it arrives: a read, a PUT or DELETE, or anything carrying an Idempotency-Key. */
function safeToRepeat(request: Request): boolean {
  return ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].includes(request.method) || request.headers.has("idempotency-key");
}

/**
 * Sends the request, and again (the very same request: same body, same
 * Idempotency-Key) after a network error or a 503, up to `retries` more times.
 * The API replays the first answer of a key it has seen, so a request that
 * reached it before the connection broke is not applied twice.
 */
function retrying(send: (request: Request) => Promise<Response>, retries: number, maxDelayMs: number) {
  return async (request: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries || !safeToRepeat(request);
      try {
        const response = await send(last ? request : request.clone());
        if (response.status !== 503 || last) return response;
        const asked = retryAfterMs(response);
        await response.body?.cancel();
        await sleep(Math.min(maxDelayMs, asked ?? backoffMs(attempt, maxDelayMs)));
      } catch (error) {
        // An abort is the caller's decision, not a network failure.
        if (last || (error instanceof DOMException && error.name === "AbortError")) throw error;
        await sleep(backoffMs(attempt, maxDelayMs));
      }
    }
  };
}

function newKey(): string {
  return globalThis.crypto.randomUUID();
}

/** The Idempotency-Key of an operation that requires one, when the caller passed none. */
const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (!request.headers.has("idempotency-key") && KEYED_OPERATIONS.has(`${request.method} ${schemaPath}`)) {
      request.headers.set("idempotency-key", newKey());
    }
    return request;
  },
};

/** Error answers become TreueErrors, so a call that returns has its data. */
const typedErrors: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return response;
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("application/problem+json")) throw new TreueError((await response.clone().json()) as Problem, response);
    return response;
  },
};

/** A client for a shop's backend (a program key) or, with a member token, for the shopper's browser (/v1/me only). */
export function createTreueClient(options: ServerClientOptions): TreueClient;
export function createTreueClient(options: MemberClientOptions): TreueMemberClient;
export function createTreueClient(options: ServerClientOptions | MemberClientOptions): TreueClient | TreueMemberClient {
  const credential = options.apiKey ?? options.memberToken;
  if (!credential) throw new TypeError("createTreueClient needs an apiKey or a memberToken");
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { authorization: `Bearer ${credential}` },
    fetch: retrying(send, options.retries ?? 2, options.maxDelayMs ?? 5_000),
  });
  client.use(idempotencyKeys, typedErrors);
  return options.memberToken ? (client as unknown as TreueMemberClient) : client;
}

/** The data of a call that succeeded (every error answer has already thrown a TreueError). */
export function data<T>(answer: { data?: T; response: Response }): T {
  if (answer.data === undefined && answer.response.status !== 204) throw new Error(`no data in a ${answer.response.status} answer`);
  return answer.data as T;
}
