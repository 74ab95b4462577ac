// The benchmark's ceiling route: answers without a key and without touching storage.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app/build-app";
import { REFERENCE_SCRIPT_PATH } from "../src/routes/meta/docs-page";

describe("ping", () => {
  it("answers ok with a request id", async () => {
    const res = await exports.default.fetch("http://treue.test/ping");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("sends the caller's request id back once, on JSON, problem, HTML and script answers alike", async () => {
    for (const path of ["/ping", "/no-such-route", "/docs", REFERENCE_SCRIPT_PATH, "/openapi.json"]) {
      const res = await exports.default.fetch(`http://treue.test${path}`, { headers: { "X-Request-Id": "req-42" } });
      expect([path, res.headers.get("x-request-id")]).toEqual([path, "req-42"]);
      await res.arrayBuffer();
    }
  });

  it("is listed in the OpenAPI document", async () => {
    const doc = (await (await exports.default.fetch("http://treue.test/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/ping"]).toBeDefined();
  });
});

describe("routing", () => {
  // Hono's SmartRouter takes the first router that accepts every route. The RegExpRouter matches a path
  // with one regular expression per method; one conflicting route (a static segment beside a parameter
  // with a longer path) sends every request down the TrieRouter's walk instead, a few percent of a read.
  it("fits every route in the RegExpRouter", async () => {
    const app = buildApp();
    await app.request("/ping", {}, env);
    expect(app.router.name).toBe("SmartRouter + RegExpRouter");
  });
});
