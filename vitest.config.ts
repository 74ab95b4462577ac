// Tests run inside the Workers runtime against real local D1 and Durable Objects.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Knobs of the property test, passed from the shell into the runtime as bindings. */
const PROPERTY_KNOBS = ["FC_RUNS", "FC_SEED", "FC_PATH"] as const;

export default defineConfig(async () => {
  const knobs = Object.fromEntries(PROPERTY_KNOBS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // WEBHOOKS_ALLOW_LOCAL: the tests are local development, so endpoints on localhost are allowed.
          // LEDGER_LOT_WINDOW: a member's object loads 3 open lots at a time, so every test crosses windows.
          bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token", WEBHOOKS_ALLOW_LOCAL: "true", LEDGER_LOT_WINDOW: "3", ...knobs },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      // Two files at a time even on two cores (vitest's default is one fewer than the cores): a file mostly waits on
      // workerd, so a second one fills that wait (a quarter less wall time for the suite here).
      maxWorkers: 2,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
});
