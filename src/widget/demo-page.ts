// The widget's demo page: a stand-in shop page that embeds <treue-widget> the way a shop would, from this Worker's /widget.js.
export const demoPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Treue widget demo</title>
<link rel="icon" href="data:,">
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f5f2;color:#1d1d1f}
header{background:#1d1d1f;color:#fff;padding:1rem 2rem}header h1{margin:0;font-size:1.2rem}
main{max-width:60rem;margin:0 auto;padding:1.5rem 2rem;display:grid;gap:2rem;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr))}
form{display:grid;gap:.5rem}label{font-weight:600}textarea{font:13px ui-monospace,monospace;min-height:6rem}
.dark{--treue-accent:#f4b400;--treue-accent-contrast:#1d1d1f;--treue-background:#23232a;--treue-text:#f5f5f7;--treue-muted:#c4c4cc;--treue-border:#44444c;--treue-radius:4px;--treue-font:Georgia,serif}
code{font-family:ui-monospace,monospace}
</style></head>
<body><header><h1>Treue widget demo shop</h1></header>
<main>
<section aria-labelledby="embed"><h2 id="embed">Embedded</h2>
<treue-widget id="default-widget"></treue-widget>
<h2>Themed with CSS custom properties</h2>
<treue-widget id="themed-widget" class="dark" heading="Your rewards"></treue-widget>
</section>
<section aria-labelledby="try"><h2 id="try">Try it</h2>
<form id="token-form"><label for="token">Member token</label>
<textarea id="token" name="token" placeholder="eyJ..."></textarea>
<button type="submit">Show</button></form>
<p>Mint a member token with the server key: <code>POST /v1/members/{memberId}/tokens</code>, then open
<code>/widget/demo?token=&lt;token&gt;</code>. The shop's page needs only:</p>
<pre><code>&lt;script src="/widget.js" defer&gt;&lt;/script&gt;
&lt;treue-widget token="..."&gt;&lt;/treue-widget&gt;</code></pre>
</section>
</main>
<script src="/widget.js"></script>
<script>
const widgets = document.querySelectorAll("treue-widget");
const show = (token) => { for (const w of widgets) w.setAttribute("token", token); };
const fromQuery = new URLSearchParams(location.search).get("token");
// Out of the address bar once read, so the token is not bookmarked or shared with the link.
if (fromQuery) history.replaceState(null, "", location.pathname);
document.getElementById("token").value = fromQuery || "";
show(fromQuery || "");
document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  show(document.getElementById("token").value.trim());
});
</script>
</body></html>
`;
