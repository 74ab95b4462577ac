// Bindings that wrangler.toml does not declare: set only by local development (scripts/dev.ts) and the tests.
interface LocalOnlyBindings {
  /** "true" lets webhooks go to this machine (localhost), plain http included; never set in production. */
  WEBHOOKS_ALLOW_LOCAL?: string;
  /** "off" leaves the KPI rollups out of members' batches: only the KPI bench sets it, to price them. */
  KPI_ROLLUPS?: string;
}
interface Env extends LocalOnlyBindings {}
declare namespace Cloudflare {
  interface Env extends LocalOnlyBindings {}
}
