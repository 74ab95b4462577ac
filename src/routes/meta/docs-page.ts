// The API reference page: Swagger UI (embedded, see ./reference-assets.generated.ts) rendering this Worker's own /openapi.json, so it works with no internet and "Try it out" calls this origin.
import { SWAGGER_UI_CSS_ETAG, SWAGGER_UI_SCRIPT_ETAG } from "./reference-assets.generated";

// The assets' ETags in their URLs: a new bundle is a new URL, so they can be cached for good.
const version = (etag: string) => etag.replaceAll('"', "").slice(0, 12);
export const REFERENCE_SCRIPT_PATH = `/docs/swagger-ui-bundle.${version(SWAGGER_UI_SCRIPT_ETAG)}.js`;
export const REFERENCE_CSS_PATH = `/docs/swagger-ui.${version(SWAGGER_UI_CSS_ETAG)}.css`;

export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Treue API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${REFERENCE_CSS_PATH}">
<style>body{margin:0}.swagger-ui .topbar{display:none}</style>
</head>
<body><main id="reference" aria-label="Treue API reference"></main>
<script src="${REFERENCE_SCRIPT_PATH}"></script>
<script>
// Keys are kept in this page's memory only (persistAuthorization off: nothing in localStorage).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  filter: true,
  displayOperationId: true,
  displayRequestDuration: true,
  showExtensions: false,
  // The schemas are shown beside each operation; the long list of them at the end is left out.
  defaultModelsExpandDepth: -1,
  persistAuthorization: false,
  tryItOutEnabled: false,
  layout: "BaseLayout",
});
</script>
</body></html>
`;
