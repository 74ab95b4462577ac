// The console's page frame: landmarks, a skip link, the navigation a role may use, and the one stylesheet and script (inline, so it works offline).
import { html, raw } from "hono/html";
import type { Html } from "./forms";
import type { ConsoleSession } from "./session";

export interface NavItem {
  path: string;
  label: string;
  roles: readonly ConsoleSession["role"][];
}

export const NAV: NavItem[] = [
  { path: "/console", label: "Dashboard", roles: ["admin", "server"] },
  { path: "/console/members", label: "Members", roles: ["admin", "server"] },
  { path: "/console/campaigns", label: "Campaigns", roles: ["admin"] },
  { path: "/console/rewards", label: "Rewards", roles: ["admin", "server"] },
  { path: "/console/plans", label: "Plans", roles: ["admin"] },
  { path: "/console/segments", label: "Segments", roles: ["admin"] },
  { path: "/console/partners", label: "Partners", roles: ["admin"] },
  { path: "/console/settlements", label: "Settlement", roles: ["admin", "partner"] },
  { path: "/console/webhooks", label: "Webhooks", roles: ["admin"] },
  { path: "/console/jobs", label: "Jobs", roles: ["admin"] },
  { path: "/console/keys", label: "Keys", roles: ["admin"] },
  { path: "/console/audit", label: "Audit log", roles: ["admin"] },
  { path: "/console/settings", label: "Settings", roles: ["admin", "server"] },
];

const STYLE = `
:root{--fg:#1b1b1b;--muted:#4a4a4a;--bg:#fff;--panel:#f4f5f7;--line:#c9ccd1;--accent:#1f5fbf;--danger:#a4251b;--ok:#1e6b2a;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}body{margin:0;line-height:1.45}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f2b600;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:.5rem;z-index:9}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#13294b;color:#fff}
header.top a,header.top button{color:#fff}header.top .who{font-size:.9rem}
header.top form{display:inline}header.top button{background:transparent;border:1px solid #fff;padding:.25rem .6rem}
nav.main{background:var(--panel);border-bottom:1px solid var(--line)}nav.main ul{list-style:none;margin:0;padding:.25rem .5rem;display:flex;flex-wrap:wrap;gap:.1rem}
nav.main a{display:block;padding:.4rem .6rem;text-decoration:none;border-radius:4px}nav.main a[aria-current=page]{background:var(--accent);color:#fff}
main{padding:1rem;max-width:1100px;margin:0 auto}h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.grid{margin-top:1rem;display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:1rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.8rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem;margin:0;padding:0;list-style:none}.figures li{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.6rem}.figures b{display:block;font-size:1.4rem}
.field{margin:0 0 .7rem}.field label{display:block;font-weight:600;margin-bottom:.15rem}.field small{display:block;color:var(--muted)}
input,select,textarea{font:inherit;width:100%;max-width:32rem;padding:.4rem;border:1px solid #6b6f76;border-radius:4px;background:#fff;color:var(--fg)}
.invalid input,.invalid select,.invalid textarea{border:2px solid var(--danger)}.field-error{color:var(--danger);margin:.2rem 0 0;font-weight:600}
button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}button.danger{background:var(--danger);border-color:var(--danger)}
.problem{border-left:4px solid var(--danger);background:#fdecea;padding:.5rem .8rem;margin-bottom:.8rem}.notice{border-left:4px solid var(--ok);background:#e8f4ea;padding:.5rem .8rem;margin-bottom:1rem}
.unavailable{border-left:4px solid #6b6f76;background:var(--panel);padding:.5rem .8rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}thead th{background:var(--panel)}
td code,.secret{word-break:break-all}.chart svg{width:100%;height:auto;max-height:260px}.chart figcaption{font-weight:600}.chart{margin:0}
.legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap;font-size:.9rem}.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}.inline .field{margin:0}
.signin{max-width:26rem;margin:3rem auto}pre{overflow:auto;white-space:pre-wrap;word-break:break-word}form.action{display:inline}
@media (max-width:480px){main{padding:.6rem}h1{font-size:1.25rem}nav.main a{padding:.35rem .45rem}}
`;

// Progressive enhancement only: a confirmation before destructive posts, and focus on the first problem.
const SCRIPT = `
document.addEventListener("submit",function(e){var m=e.target.getAttribute("data-confirm");if(m&&!confirm(m))e.preventDefault();});
var p=document.querySelector(".problem,[aria-invalid=true]");if(p)p.focus();
`;

export function page(options: { title: string; session?: ConsoleSession; current?: string; notice?: string; body: Html }): Html {
  const { title, session, current, notice, body } = options;
  const items = session ? NAV.filter((item) => item.roles.includes(session.role)) : [];
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Treue console</title><link rel="icon" href="data:,"><style>${raw(STYLE)}</style></head><body>
<a class="skip" href="#content">Skip to content</a>
<header class="top"><strong>Treue console</strong>${session
    ? html`<span class="who">Program <code>${session.programId}</code> · ${session.role} key${session.role === "server" ? " (read-only)" : ""}</span>
<form method="post" action="/console/session/end"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit">Sign out</button></form>`
    : ""}</header>
${items.length ? html`<nav class="main" aria-label="Console"><ul>${items.map((item) => html`<li><a href="${item.path}"${item.path === current ? raw(' aria-current="page"') : ""}>${item.label}</a></li>`)}</ul></nav>` : ""}
<main id="content" tabindex="-1"><h1>${title}</h1>${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}${body}</main>
<script>${raw(SCRIPT)}</script></body></html>`;
}

/** A table of records: the given columns, objects shown as compact JSON. */
export function table(rows: Record<string, unknown>[], columns: string[], actions?: (row: Record<string, unknown>) => Html): Html {
  if (rows.length === 0) return html`<p>None yet.</p>`;
  return html`<div class="scroll"><table><thead><tr>${columns.map((c) => html`<th scope="col">${c.replace(/^definition\./, "").replace(/\./g, " ")}</th>`)}${actions ? html`<th scope="col">Actions</th>` : ""}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${columns.map((c) => html`<td>${cell(pick(row, c))}</td>`)}${actions ? html`<td>${actions(row)}</td>` : ""}</tr>`)}</tbody></table></div>`;
}

function pick(row: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), row);
}

function cell(value: unknown): Html | string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") {
    const money = value as { amount?: unknown; currency?: unknown };
    if (typeof money.amount === "number" && typeof money.currency === "string" && Object.keys(value).length === 2) return `${money.amount} ${money.currency}`;
    return html`<code>${JSON.stringify(value)}</code>`;
  }
  return String(value);
}

export function unavailable(what: string): Html {
  return html`<p class="unavailable" role="status">${what} is not available in this deployment yet.</p>`;
}

export function refused(status: number, body: any): Html {
  return html`<div class="problem" role="alert"><p>The API answered ${status}${body?.code ? html` (<code>${body.code}</code>)` : ""}: ${body?.detail ?? body?.title ?? "no detail"}</p></div>`;
}

/** A small action button: a form of one hidden CSRF field. */
export function actionButton(action: string, label: string, csrf: string, options: { confirm?: string; danger?: boolean; hidden?: Record<string, string> } = {}): Html {
  return html`<form method="post" action="${action}" class="action"${options.confirm ? html` data-confirm="${options.confirm}"` : ""}><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="_idem" value="${crypto.randomUUID()}">${Object.entries(options.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit"${options.danger ? raw(' class="danger"') : ""}>${label}</button></form>`;
}
