// npm run client:generate: serves the Worker, reads its OpenAPI document and writes the typed client's generated files (clients/typescript/src/generated).
import { cleanUp, prepare, startMiniflare } from "../bench/runtime";
import { clientFiles, writeClientFiles } from "./lib/client-types";

const prepared = await prepare();
const worker = await startMiniflare(prepared);
try {
  const res = await fetch(`${worker.url}/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const files = clientFiles(await res.text());
  writeClientFiles(files);
  console.log(`client: wrote ${Object.keys(files).join(", ")}`);
} finally {
  await worker.stop();
  await cleanUp(prepared);
}
