// What a browser test case gets: the running Worker, a fresh page that records console errors, and small helpers to set a program up through the API.
import type { Browser, Page } from "playwright-core";

export interface BrowserWorld {
  /** The Worker, served by miniflare from the bundle `wrangler deploy` would ship. */
  baseUrl: string;
  /** The platform token of this run (creates programs). */
  adminToken: string;
  browser: Browser;
  /** The shop's own origin: another port of 127.0.0.1 (Chromium refuses a public page's calls to loopback). */
  shopOrigin: string;
  /** Serves a page on the shop's origin; answers its URL. */
  shopPage(html: string): string;
}

export interface PageError {
  text: string;
  /** Where it came from: the resource of a failed load, else the page. */
  url: string;
}

export interface CasePage {
  page: Page;
  /** Console errors and uncaught exceptions of the page so far. */
  errors: PageError[];
}

export interface BrowserCase {
  name: string;
  run(world: BrowserWorld, open: () => Promise<CasePage>): Promise<void>;
}

/** Thrown by a case whose feature this build does not have yet: reported as pending, not as passed. */
export class Pending extends Error {}

export function browserCase(name: string, run: BrowserCase["run"]): BrowserCase {
  return { name, run };
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export interface ApiAnswer {
  status: number;
  body: any;
}

/** A JSON call to the Worker; POSTs get an Idempotency-Key. */
export async function api(world: BrowserWorld, method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method === "POST") headers["idempotency-key"] = crypto.randomUUID();
  const res = await fetch(`${world.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function must(answer: Promise<ApiAnswer>, step: string, ...statuses: number[]): Promise<any> {
  const { status, body } = await answer;
  if (!(statuses.length ? statuses : [200, 201]).includes(status)) throw new Error(`${step}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export interface ShopProgram {
  programId: string;
  admin: string;
  server: string;
}

/** A program with tiers and an admin and a server key, as a shop's operator sets one up. */
export async function createProgram(world: BrowserWorld, settings: Record<string, unknown> = {}): Promise<ShopProgram> {
  const program = await must(api(world, "POST", "/v1/programs", world.adminToken, { name: `Widget shop ${Date.now()}`, settings }), "create program");
  const key = async (role: string) => (await must(api(world, "POST", `/v1/programs/${program.id}/keys`, world.adminToken, { role, name: role }), `create ${role} key`)).key as string;
  return { programId: program.id, admin: await key("admin"), server: await key("server") };
}

/**
 * A member token, minted by the shop's backend with its server key. A build
 * without the token route answers 404: the case is then pending.
 */
export async function memberToken(world: BrowserWorld, server: string, memberId: string, body: { scopes?: ("read" | "claim")[]; ttlSeconds?: number } = {}): Promise<string> {
  const answer = await api(world, "POST", `/v1/members/${encodeURIComponent(memberId)}/tokens`, server, body);
  if (answer.status === 404 && answer.body?.code === "not_found" && /No route/.test(answer.body?.detail ?? "")) throw new Pending("POST /v1/members/{memberId}/tokens is not in this build");
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`mint token: ${answer.status} ${JSON.stringify(answer.body)}`);
  const token = answer.body?.token;
  check(typeof token === "string", `mint token: no token in ${JSON.stringify(answer.body)}`);
  return token;
}

/** A JWT-shaped token with the given payload and a signature no key made: for what the widget reads before it asks the API. */
export function unsignedToken(payload: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(payload)}.${Buffer.from("not a signature").toString("base64url")}`;
}
