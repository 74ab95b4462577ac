// The console's only way to read or change anything: a call to this Worker's own API with the session's key, so every rule stays in the API.
export type ApiFetch = (request: Request) => Promise<Response>;

export interface ApiAnswer {
  status: number;
  body: any;
  text: string;
  contentType: string;
}

export class ConsoleApi {
  constructor(
    private readonly fetcher: ApiFetch,
    private readonly origin: string,
    private readonly key: string,
  ) {}

  async call(method: string, path: string, options: { body?: unknown; idempotencyKey?: string; accept?: string } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: options.accept ?? "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && method !== "DELETE") headers["idempotency-key"] = options.idempotencyKey ?? crypto.randomUUID();
    const res = await this.fetcher(
      new Request(`${this.origin}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }),
    );
    const text = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    let body: any = null;
    if (contentType.includes("json") && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    return { status: res.status, body, text, contentType };
  }

  get(path: string) {
    return this.call("GET", path);
  }
}

/** A route this build does not have (the API's 404 for an unknown path), as opposed to a missing record. */
export function isMissingRoute(answer: ApiAnswer): boolean {
  return answer.status === 404 && /No route/i.test(String(answer.body?.detail ?? ""));
}

export function ok(answer: ApiAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}
