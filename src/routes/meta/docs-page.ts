// The API reference page: plain HTML and a small script that renders
// /openapi.json, served by the Worker itself so it works with no internet.
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Treue API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafafa}
header{background:#1d2330;color:#fff;padding:1rem 2rem}header h1{margin:0;font-size:1.3rem}
main{max-width:980px;margin:0 auto;padding:1rem 2rem}
h2{margin-top:2rem;border-bottom:1px solid #ddd}
details{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:.5rem 0}
summary{cursor:pointer;padding:.6rem .8rem;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:4.5em;font-weight:700}.get{color:#0a7}.post{color:#07c}.put{color:#a60}.patch{color:#a0a}.delete{color:#c33}
.body{padding:0 1rem 1rem}pre{background:#f3f4f6;padding:.6rem;overflow:auto;border-radius:4px;font-size:13px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
code{font-family:ui-monospace,monospace}
</style></head>
<body><header><h1>Treue API reference</h1><div id="meta"></div></header><main id="app">Loading /openapi.json ...</main>
<script>
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
let doc;
function deref(s) { let n = 0; while (s && s.$ref && n++ < 20) s = s.$ref.split("/").slice(1).reduce((o, k) => o[k], doc); return s || {}; }
function example(s, depth = 0) {
  s = deref(s); if (depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf || s.oneOf; if (alt) return example(alt[0], depth + 1);
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  if (t === "object" || s.properties) { const o = {}; for (const [k, v] of Object.entries(s.properties || {})) o[k] = example(v, depth + 1); return o; }
  if (t === "array") return [example(s.items, depth + 1)];
  return t === "integer" || t === "number" ? 0 : t === "boolean" ? false : "string";
}
function render() {
  document.getElementById("meta").textContent = doc.info.title + " " + doc.info.version;
  const groups = {};
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    (groups[(op.tags || ["Other"])[0]] ||= []).push({ path, method, op });
  }
  let html = "<p>" + esc(doc.info.description) + "</p>";
  for (const [tag, list] of Object.entries(groups)) {
    html += "<h2>" + esc(tag) + "</h2>";
    for (const { path, method, op } of list) {
      const params = (op.parameters || []).map((p) => "<tr><td><code>" + esc(p.name) + "</code></td><td>" + esc(p.in) + "</td><td>" + (p.required ? "required" : "") + "</td><td>" + esc(deref(p.schema).description || p.description || "") + "</td></tr>").join("");
      const body = op.requestBody && op.requestBody.content["application/json"];
      const responses = Object.entries(op.responses || {}).map(([code, r]) => "<tr><td>" + code + "</td><td>" + esc(r.description) + "</td></tr>").join("");
      const ok = Object.entries(op.responses || {}).find(([code]) => code.startsWith("2"));
      const okSchema = ok && ok[1].content && ok[1].content["application/json"];
      html += "<details><summary><span class='m " + method + "'>" + method.toUpperCase() + "</span> " + esc(path) + " &nbsp; <small>" + esc(op.summary) + "</small></summary><div class='body'>"
        + "<p><code>" + esc(op.operationId) + "</code> " + esc(op.description || "") + "</p>"
        + (params ? "<h4>Parameters</h4><table>" + params + "</table>" : "")
        + (body ? "<h4>Body</h4><pre>" + esc(JSON.stringify(example(body.schema), null, 2)) + "</pre>" : "")
        + (okSchema ? "<h4>Response</h4><pre>" + esc(JSON.stringify(example(okSchema.schema), null, 2)) + "</pre>" : "")
        + "<h4>Statuses</h4><table>" + responses + "</table></div></details>";
    }
  }
  document.getElementById("app").innerHTML = html;
}
fetch("/openapi.json").then((r) => r.json()).then((d) => { doc = d; render(); })
  .catch((e) => { document.getElementById("app").textContent = "Could not load /openapi.json: " + e; });
</script></body></html>`;
