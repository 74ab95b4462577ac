// The benchmark's ceiling route: answers without a key and without touching storage.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("ping", () => {
  it("answers ok with a request id", async () => {
    const res = await exports.default.fetch("http://treue.test/ping");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("is listed in the OpenAPI document", async () => {
    const doc = (await (await exports.default.fetch("http://treue.test/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/ping"]).toBeDefined();
  });
});
