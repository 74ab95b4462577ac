// Test-only bindings, declared beside the generated Env.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Property test: runs per property, the seed and the path to replay (set from the shell). */
    FC_RUNS?: string;
    FC_SEED?: string;
    FC_PATH?: string;
  }
}
