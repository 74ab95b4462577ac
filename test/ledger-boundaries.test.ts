// The pure ledger's seams: it (and the campaign rules it values orders by) imports nothing from Hono, the HTTP layer, storage or the platform.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["../src/ledger/**/*.ts", "../src/campaigns/**/*.ts", "../src/rewards/types.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/**
 * A type-only import costs nothing at run time: the shapes another capability's
 * plan fields carry may come from its folder, never from the HTTP, storage or
 * platform layers.
 */
const LAYERS = ["../src/app/", "../src/routes/", "../src/db/", "../src/members/", "../src/jobs/", "../src/webhooks/"];

/** What the pure domain may import from: the ledger, the campaign rules the accrual evaluates, and the shape of a reward claim a plan writes. */
const PURE = ["../src/ledger/", "../src/campaigns/", "../src/rewards/types"];

/** Where a relative import lands, as a path like the glob's keys. */
function resolve(file: string, from: string): string {
  const parts = file.split("/").slice(0, -1);
  for (const part of from.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

describe("the pure ledger", () => {
  it("is found", () => {
    expect(Object.keys(sources)).toContain("../src/ledger/ops/accrue.ts");
  });

  it.each(Object.entries(sources))("imports only the ledger, the campaign rules and plain zod: %s", (file, source) => {
    const imports = [...source.matchAll(/^import( type)?[^;]*?from "([^"]+)";/gms)].map((m) => ({ typeOnly: m[1] !== undefined, from: m[2]! }));
    const outside = imports
      .filter(({ typeOnly, from }) => !(typeOnly && from.startsWith(".") && !LAYERS.some((layer) => resolve(file, from).startsWith(layer))))
      .map(({ from }) => from)
      .filter((from) => from !== "zod" && !(from.startsWith(".") && PURE.some((folder) => resolve(file, from).startsWith(folder))));
    expect(outside).toEqual([]);
  });
});
