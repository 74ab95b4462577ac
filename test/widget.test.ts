// The widget's script and demo page as the Worker serves them (the widget's behaviour is tested in Chromium: test/browser/).
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("GET /widget.js", () => {
  it("serves the script as JavaScript, cached briefly and revalidated by its ETag", async () => {
    const res = await call("/widget.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+/);
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.json).toContain('customElements.define("treue-widget"');
    expect(res.json.length).toBeLessThan(40 * 1024);
  });

  it("answers 304 with no body to a matching If-None-Match, weak or in a list", async () => {
    const etag = (await call("/widget.js")).headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await call("/widget.js", { headers: { "if-none-match": header } });
      expect(res.status).toBe(304);
      expect(res.json).toBeNull();
      expect(res.headers.get("etag")).toBe(etag);
    }
    expect((await call("/widget.js", { headers: { "if-none-match": '"other"' } })).status).toBe(200);
  });
});

describe("GET /widget/demo", () => {
  it("serves a page that embeds the widget from this Worker and loads nothing from elsewhere", async () => {
    const res = await call("/widget/demo");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.json).toContain('<script src="/widget.js">');
    expect(res.json).toContain("<treue-widget");
    expect(res.json).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/);
  });
});
