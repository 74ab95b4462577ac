// Widget handlers: the script a shop embeds, and a demo page. Neither is an API operation, so neither is in the document.
import type { Context } from "hono";
import type { AppEnv } from "../../app/types";
import { demoPage } from "../../widget/demo-page";
import { WIDGET_ETAG, WIDGET_SCRIPT } from "../../widget/widget-script.generated";

/**
 * Shops embed the script at a fixed URL, so it is cached briefly and
 * revalidated by its ETag (a 304 is a few bytes), not marked immutable.
 * CORP cross-origin lets a shop whose pages are cross-origin isolated load it.
 */
const SCRIPT_HEADERS = {
  "Content-Type": "application/javascript; charset=utf-8",
  "Cache-Control": "public, max-age=300, stale-while-revalidate=86400",
  ETag: WIDGET_ETAG,
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

function matches(ifNoneMatch: string | undefined): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === WIDGET_ETAG;
  });
}

export const script = (c: Context<AppEnv>) => {
  if (matches(c.req.header("if-none-match"))) return c.body(null, 304, SCRIPT_HEADERS);
  return c.body(WIDGET_SCRIPT, 200, SCRIPT_HEADERS);
};

export const demo = (c: Context<AppEnv>) => {
  // The page reads the token from its own query string; it must not leak it to other sites.
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  return c.html(demoPage);
};
