// The Worker's entry: wires the HTTP app and exports the Durable Object class.
import { buildApp } from "./app/build-app";

export { MemberLedger } from "./members/member-ledger";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
