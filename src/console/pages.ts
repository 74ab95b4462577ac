// The console's pages and the forms they post: each page reads through the API, each form names the API call it makes; nothing here decides a rule.
import { html } from "hono/html";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/events";
import { isMissingRoute, ok, type ApiAnswer, type ConsoleApi } from "./api";
import { barChart, shareChart, type Series } from "./charts";
import { renderForm, type Field, type FormSpec, type FormState, type Html } from "./forms";
import { actionButton, refused, table, unavailable } from "./layout";
import { mayChange, type ConsoleSession } from "./session";

export interface PageContext {
  api: ConsoleApi;
  session: ConsoleSession;
  params: Record<string, string>;
  query: Record<string, string>;
  state?: FormState;
  /** Whether the served OpenAPI document has this operation (features merged later light up by themselves). */
  has(method: string, path: string): Promise<boolean>;
}

export interface ConsolePage {
  path: string;
  /** The navigation entry it belongs to. */
  nav: string;
  title: string | ((ctx: PageContext) => string);
  roles: readonly ConsoleSession["role"][];
  render(ctx: PageContext): Promise<Html>;
}

/** What an action asks of the API. */
export interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface ConsoleAction {
  path: string;
  /** The page shown again, with the API's errors, when the API refuses. */
  page: string;
  form?: (ctx: PageContext) => FormSpec;
  request(params: Record<string, string>, body: Record<string, unknown>, values: Record<string, string>, ctx: PageContext): ApiRequest | Promise<ApiRequest>;
  /** Where to go after it worked; or show the answer at once (a secret shown only once). */
  then: (params: Record<string, string>, answer: ApiAnswer, values: Record<string, string>) => { redirect: string; notice: string } | { show: Html };
  roles?: readonly ConsoleSession["role"][];
}

const enc = encodeURIComponent;
const list = (answer: ApiAnswer): Record<string, unknown>[] => (Array.isArray(answer.body?.data) ? answer.body.data : []);
const thisMonth = () => new Date().toISOString().slice(0, 7);

function previousMonths(count: number, from = new Date()): string[] {
  const months: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - i, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  return months;
}

/** A section whose API may not be in this build: the list, "not available", or the refusal. */
async function section(ctx: PageContext, path: string, what: string, render: (answer: ApiAnswer) => Html): Promise<Html> {
  const answer = await ctx.api.get(path);
  if (isMissingRoute(answer)) return unavailable(what);
  if (!ok(answer)) return refused(answer.status, answer.body);
  return render(answer);
}

const form = (ctx: PageContext, spec: FormSpec): Html => (mayChange(ctx.session) ? renderForm(spec, ctx.session.csrf, ctx.state) : "");
const button = (ctx: PageContext, action: string, label: string, options: Parameters<typeof actionButton>[3] = {}): Html =>
  mayChange(ctx.session) ? actionButton(action, label, ctx.session.csrf, options) : "";

// ---- forms, shared by the pages that show them and the actions that post them

const rewardForm = (): FormSpec => ({
  id: "create-reward",
  action: "/console/rewards",
  submit: "Create reward",
  fields: [
    { name: "name", label: "Name", required: true },
    { name: "type", label: "Type", type: "select", options: ["fixed_discount", "percent_discount", "free_shipping", "free_product", "donation", "custom"] },
    { name: "costPoints", label: "Cost in points", type: "number", required: true },
    { name: "value.amount", label: "Value (minor units, fixed discount or donation)", type: "number" },
    { name: "value.currency", label: "Value currency", hint: "e.g. EUR" },
    { name: "percent", label: "Percent (percent discount)", type: "number" },
    { name: "sku", label: "SKU (free product)" },
    { name: "stock", label: "Stock (empty for no limit)", type: "number" },
    { name: "codeSource", label: "Coupon codes", type: "select", options: ["generated", "pool"] },
    { name: "tiers", label: "Only these tiers (comma-separated)", type: "list" },
  ],
});

const claimForm = (memberId: string, rewards: Record<string, unknown>[]): FormSpec => ({
  id: "claim-reward",
  action: `/console/members/${enc(memberId)}/claims`,
  submit: "Claim for member",
  fields: [
    {
      name: "rewardId",
      label: "Reward",
      type: "select",
      options: rewards.map((r: any) => String(r.reward.id)),
      optionLabels: Object.fromEntries(rewards.map((r: any) => [String(r.reward.id), `${r.reward.name} (${r.reward.costPoints} points)${r.claimable ? "" : " — not claimable now"}`])),
    },
  ],
});

const tierForm = (memberId: string, tiers: string[]): FormSpec => ({
  id: "grant-tier",
  action: `/console/members/${enc(memberId)}/tier`,
  submit: "Set tier",
  fields: [
    { name: "tier", label: "Tier", type: "select", options: [...tiers, "null"], hint: "null removes the granted tier." },
    { name: "until", label: "Until (optional, ISO date)", type: "datetime" },
  ],
});

const adjustForm = (memberId: string): FormSpec => ({
  id: "adjust-points",
  action: `/console/members/${enc(memberId)}/adjustments`,
  submit: "Adjust points",
  fields: [
    { name: "points", label: "Points (negative to take away)", type: "number", required: true },
    { name: "reason", label: "Reason", type: "text", required: true },
    { name: "expiresAt", label: "Credit expires at (optional)", type: "datetime" },
  ],
});

const eraseForm = (memberId: string): FormSpec => ({
  id: "erase-member",
  action: `/console/members/${enc(memberId)}/erase`,
  submit: "Erase member",
  danger: true,
  confirm: `Erase member ${memberId}? Their personal data is removed for good.`,
  fields: [{ name: "confirm", label: `Type the member id (${memberId}) to confirm`, required: true }],
});

const EXAMPLE_RULES = '[{"id": "double", "trigger": {"type": "order"}, "effect": {"type": "multiply", "percent": 200}}]';

/** The campaign definition's fields; an edit posts them as a merge patch, which becomes a new version. */
const campaignForm = (campaign?: Record<string, any>): FormSpec => {
  const d = campaign?.definition ?? {};
  const json = (v: unknown) => (v === undefined || v === null ? "" : JSON.stringify(v, null, 2));
  return {
    id: campaign ? "new-version" : "create-campaign",
    action: campaign ? `/console/campaigns/${enc(String(campaign.id))}/versions` : "/console/campaigns",
    submit: campaign ? "Save as new version" : "Create campaign",
    fields: [
      { name: "name", label: "Campaign name", required: true, value: d.name ?? "" },
      { name: "description", label: "Description", type: "textarea", value: d.description ?? "" },
      { name: "startsAt", label: "Starts at (ISO date and time)", type: "datetime", required: true, value: d.startsAt ?? new Date().toISOString() },
      { name: "endsAt", label: "Ends at (optional)", type: "datetime", value: d.endsAt ?? "" },
      { name: "budget", label: "Budget (JSON, optional)", type: "json", hint: 'e.g. {"points": 100000}', value: json(d.budget) },
      { name: "rules", label: "Rules (JSON)", type: "json", required: true, hint: "Triggers, conditions, effects and limits, as the API's CampaignDefinition takes them (see /docs).", value: campaign ? json(d.rules) : EXAMPLE_RULES },
    ],
  };
};

const previewForm = (): FormSpec => ({
  id: "preview-cart",
  // Not under /console/campaigns/: a static segment there, beside the POSTs to /console/campaigns/:id/..., is a
  // conflict Hono's RegExpRouter refuses, and every request of the API would then take the slower TrieRouter.
  action: "/console/campaign-preview",
  submit: "Preview cart",
  fields: [
    { name: "memberId", label: "Member id (optional)" },
    { name: "amount.amount", label: "Cart amount (minor units)", type: "number", required: true },
    { name: "amount.currency", label: "Currency", required: true, value: "EUR" },
    { name: "channel", label: "Channel", type: "select", options: ["online", "store", "app"] },
    { name: "items", label: "Items (JSON, optional)", type: "json", hint: '[{"sku": "BEANS-1KG", "quantity": 2, "price": {"amount": 1999, "currency": "EUR"}}]' },
  ],
});

const planForm = (): FormSpec => ({
  id: "create-plan",
  action: "/console/plans",
  submit: "Create plan",
  fields: [
    { name: "name", label: "Plan name", required: true },
    { name: "price.amount", label: "Price per term (minor units)", type: "number", required: true },
    { name: "price.currency", label: "Price currency", required: true, value: "EUR" },
    { name: "term", label: "Term", type: "select", options: ["month", "year"] },
    { name: "benefits", label: "Benefits (JSON, optional)", type: "json", hint: '{"earningMultiplierPercent": 150, "freeShipping": true, "earlyAccessDays": 2}' },
  ],
});

const partnerForm = (): FormSpec => ({ id: "create-partner", action: "/console/partners", submit: "Add partner", fields: [{ name: "name", label: "Name", required: true }] });

const termsForm = (partnerId: string): FormSpec => ({
  id: `terms-${partnerId}`,
  action: `/console/partners/${enc(partnerId)}/terms`,
  submit: "Set terms",
  fields: [
    { name: "validFrom", label: "Valid from (period)", required: true, value: thisMonth() },
    { name: "issuePrice", label: "Issue price per point (JSON)", type: "json", value: '{"amount": 1, "currency": "EUR", "per": 100}' },
    { name: "redeemPrice", label: "Redeem price per point (JSON)", type: "json", value: '{"amount": 1, "currency": "EUR", "per": 100}' },
  ],
});

const endpointForm = (): FormSpec => ({
  id: "create-endpoint",
  action: "/console/webhooks",
  submit: "Add endpoint",
  fields: [
    { name: "url", label: "URL", required: true },
    { name: "eventTypes", label: "Event types (comma-separated)", type: "list", hint: WEBHOOK_EVENT_TYPES.join(", ") },
    { name: "description", label: "Description" },
  ],
});

const keyForm = (): FormSpec => ({
  id: "create-key",
  action: "/console/keys",
  submit: "Create key",
  fields: [
    { name: "name", label: "Name", required: true },
    { name: "role", label: "Role", type: "select", options: ["admin", "server", "partner"] },
    { name: "partnerId", label: "Partner id (partner keys only)" },
  ],
});

const settingsForm = (settings: unknown): FormSpec => ({
  id: "settings",
  action: "/console/settings",
  submit: "Save settings",
  fields: [{ name: "settings", label: "Settings (JSON: the fields to change)", type: "json", wholeBody: true, value: JSON.stringify(settings ?? {}, null, 2) }],
});

// ---- pages

function sumOf(statement: any, pick: (line: any) => number): number {
  return (statement?.partners ?? []).reduce((sum: number, line: any) => sum + (pick(line) ?? 0), 0);
}

async function dashboard(ctx: PageContext): Promise<Html> {
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1)).toISOString().slice(0, 10);
  const admin = ctx.session.role === "admin";
  const [program, kpis] = await Promise.all([
    ctx.api.get("/v1/program"),
    admin ? ctx.api.get(`/v1/kpis?from=${from}&to=${today.toISOString().slice(0, 10)}&interval=month`) : null,
  ]);
  const parts: Html[] = [];
  if (!kpis) parts.push(html`<p class="unavailable" role="status">The KPIs and ledger figures need an admin key.</p>`);
  else if (ok(kpis)) parts.push(kpiCharts(kpis.body));
  else if (!isMissingRoute(kpis)) parts.push(refused(kpis.status, kpis.body));
  else {
    parts.push(html`<p class="unavailable" role="status">The KPI report is not available in this deployment yet; these are the ledger's own figures from the settlement statements.</p>`);
    {
      const months = previousMonths(6);
      const statements = await Promise.all(months.map((m) => ctx.api.get(`/v1/settlements/${m}`)));
      const series: Series[] = [
        { name: "issued", values: statements.map((s) => sumOf(s.body, (l) => l.issued?.points)) },
        { name: "redeemed", values: statements.map((s) => sumOf(s.body, (l) => l.redeemedAt?.netPoints ?? l.redeemedAt?.points)) },
        { name: "expired", values: statements.map((s) => sumOf(s.body, (l) => l.expired)) },
      ];
      parts.push(barChart("Points issued, redeemed and expired by month", months, series));
    }
  }
  if (ok(program)) {
    const tiers = (program.body.settings?.tiers ?? []) as { name: string; threshold: number }[];
    parts.push(html`<h2>Program</h2><ul class="figures"><li>Name<b>${program.body.name}</b></li><li>Currency<b>${program.body.settings?.currency ?? "—"}</b></li><li>Tiers<b>${tiers.length}</b></li></ul>`);
    if (tiers.length) parts.push(html`<h2>Tier thresholds</h2>${table(tiers as never, ["name", "threshold", "multiplierPercent"])}`);
  }
  return html`${parts}`;
}

/** The KPI report (/v1/kpis) as charts: revenue members vs non-members, retention, points over time, liability and tiers now. */
export function kpiCharts(report: any): Html {
  const periods: any[] = Array.isArray(report?.periods) ? report.periods : [];
  const labels = periods.map((p) => String(p.period));
  const split = (key: string, side: string) => periods.map((p) => Number(p[key]?.[side] ?? 0));
  const rate = (key: string, side: string) => periods.map((p) => Math.round(Number(p[key]?.[side]?.basisPoints ?? 0) / 100));
  const liability = report?.now?.liability ?? {};
  const tiers: any[] = report?.now?.tiers ?? [];
  return html`<ul class="figures">
      <li>Outstanding points<b>${liability.outstandingPoints ?? 0}</b></li>
      <li>Liability (${report?.currency ?? ""}, minor units)<b>${liability.value ?? 0}</b></li>
      <li>Adjusted for breakage<b>${liability.adjustedValue ?? 0}</b></li>
      <li>Pending points<b>${liability.pendingPoints ?? 0}</b></li>
    </ul>
    <div class="grid">
      ${barChart(`Revenue, members vs non-members (${report?.currency ?? ""} minor units)`, labels, [
        { name: "members", values: split("revenue", "members") },
        { name: "non-members", values: split("revenue", "nonMembers") },
      ])}
      ${barChart("Retention rate (%)", labels, [
        { name: "members", values: rate("retentionRate", "members") },
        { name: "non-members", values: rate("retentionRate", "nonMembers") },
      ])}
      ${barChart("Points issued, redeemed and expired", labels, [
        { name: "issued", values: periods.map((p) => Number(p.points?.issued ?? 0)) },
        { name: "redeemed", values: periods.map((p) => Number(p.points?.redeemed ?? 0)) },
        { name: "expired", values: periods.map((p) => Number(p.points?.expired ?? 0)) },
      ])}
      ${shareChart("Members by tier", tiers.map((t) => ({ label: t.tier ?? "no tier", value: Number(t.members ?? 0) })))}
    </div>
    ${Array.isArray(report?.notes) && report.notes.length ? html`<ul>${report.notes.map((n: string) => html`<li><small>${n}</small></li>`)}</ul>` : ""}`;
}

async function membersSearch(ctx: PageContext): Promise<Html> {
  return html`<form method="get" action="/console/members" class="card inline" role="search">
    <div class="field"><label for="member-q">Member id${(await ctx.has("get", "/v1/members")) ? " or email" : ""}</label><input id="member-q" name="q" value="${ctx.query.q ?? ""}" autocomplete="off"></div>
    <button type="submit">Find</button></form>
    ${(await ctx.has("get", "/v1/members")) ? "" : html`<p><small>This deployment finds members by id; search by email arrives with the API's member search.</small></p>`}`;
}

async function memberPage(ctx: PageContext): Promise<Html> {
  const id = ctx.params.memberId!;
  const base = `/v1/members/${enc(id)}`;
  const [member, balance, history, rewards, program] = await Promise.all([
    ctx.api.get(base),
    ctx.api.get(`${base}/balance`),
    ctx.api.get(`${base}/transactions?limit=20`),
    ctx.api.get(`${base}/rewards`),
    ctx.api.get("/v1/program"),
  ]);
  if (member.status === 404) return html`${await membersSearch(ctx)}<p class="problem" role="alert">No member <code>${id}</code>.</p>`;
  if (!ok(member)) return refused(member.status, member.body);
  const b = balance.body ?? {};
  const tiers = ((program.body?.settings?.tiers ?? []) as { name: string }[]).map((t) => t.name);
  const claimable = list(rewards);
  const parts: Html[] = [
    html`<ul class="figures"><li>Available<b>${b.available ?? 0}</b></li><li>Pending<b>${b.pending ?? 0}</b></li><li>Held<b>${b.held ?? 0}</b></li><li>Tier<b>${b.tier ?? "none"}</b></li><li>Lifetime earned<b>${b.lifetimeEarned ?? 0}</b></li></ul>`,
    html`<h2>Profile</h2>${table([member.body], ["memberId", "email", "status", "createdAt"].filter((k) => k in member.body))}`,
    html`<h2>Lots by expiry</h2>${table(b.nextExpiries ?? [], ["points", "expiresAt"])}`,
    html`<h2>Ledger</h2>${ok(history) ? table(list(history), ["createdAt", "type", "points", "orderId", "partnerId"]) : refused(history.status, history.body)}`,
    html`<h2>Rewards</h2>${ok(rewards) ? table(claimable, ["reward.id", "reward.name", "reward.costPoints", "claimable", "pointsNeeded"]) : refused(rewards.status, rewards.body)}`,
  ];
  for (const [path, what] of [
    ["coupons", "Coupons"],
    ["referrals", "Referrals"],
    ["memberships", "Memberships"],
    ["segments", "Segments"],
  ] as const) {
    if (await ctx.has("get", `/v1/members/{memberId}/${path}`)) parts.push(html`<h2>${what}</h2>${await section(ctx, `${base}/${path}`, what, (a) => table(list(a), Object.keys(list(a)[0] ?? { id: 1 }).slice(0, 6)))}`);
  }
  if (mayChange(ctx.session)) {
    parts.push(html`<h2>Actions</h2><div class="grid">`);
    if (claimable.length) parts.push(form(ctx, claimForm(id, claimable)));
    if (tiers.length) parts.push(form(ctx, tierForm(id, tiers)));
    if (await ctx.has("post", "/v1/members/{memberId}/adjustments")) parts.push(form(ctx, adjustForm(id)));
    else parts.push(unavailable("Adjusting points"));
    if (await ctx.has("get", "/v1/members/{memberId}/export")) parts.push(html`<p class="card"><a href="/console/members/${enc(id)}/export">Export this member's data (JSON)</a></p>`);
    else parts.push(unavailable("Export"));
    if ((await ctx.has("post", "/v1/members/{memberId}/erase")) || (await ctx.has("delete", "/v1/members/{memberId}"))) parts.push(form(ctx, eraseForm(id)));
    else parts.push(unavailable("Erasure"));
    parts.push(html`</div>`);
  }
  return html`${await membersSearch(ctx)}${parts}`;
}

async function campaignsPage(ctx: PageContext): Promise<Html> {
  return section(ctx, "/v1/campaigns", "Campaigns", async (answer) => {
    const rows = list(answer);
    const id = (row: Record<string, unknown>) => enc(String(row.id));
    return html`${table(rows, ["id", "definition.name", "status", "version", "definition.startsAt"], (row) =>
      html`<a href="/console/campaigns/${id(row)}">Open</a> ${row.status === "active" ? button(ctx, `/console/campaigns/${id(row)}/pause`, "Pause") : row.status === "ended" ? "" : button(ctx, `/console/campaigns/${id(row)}/activate`, "Activate")}`,
    )}
    <div class="grid">${form(ctx, campaignForm())}${(await ctx.has("post", "/v1/earning/preview")) ? form(ctx, previewForm()) : unavailable("Cart preview")}</div>
    ${ctx.query.preview ? html`<h2>Preview</h2><pre class="card" role="status">${ctx.query.preview}</pre>` : ""}`;
  });
}

async function campaignPage(ctx: PageContext): Promise<Html> {
  const id = enc(ctx.params.id!);
  return section(ctx, `/v1/campaigns/${id}`, "Campaigns", async (answer) => {
    const c = answer.body;
    const [stats, versions] = await Promise.all([ctx.api.get(`/v1/campaigns/${id}/stats`), ctx.api.get(`/v1/campaigns/${id}/versions`)]);
    return html`<p>Status <strong>${c.status}</strong> · version ${c.version}
      ${c.status === "active" ? button(ctx, `/console/campaigns/${id}/pause`, "Pause") : c.status === "ended" ? "" : button(ctx, `/console/campaigns/${id}/activate`, "Activate")}
      ${c.status !== "ended" ? button(ctx, `/console/campaigns/${id}/end`, "End", { confirm: "End this campaign for good?", danger: true }) : ""}</p>
      ${ok(stats) ? html`<h2>Stats</h2><ul class="figures"><li>Points issued<b>${stats.body.pointsIssued}</b></li><li>Members reached<b>${stats.body.membersReached}</b></li><li>Orders<b>${stats.body.orders}</b></li><li>Budget left<b>${stats.body.budgetLeft ?? "no budget"}</b></li></ul>` : ""}
      <h2>Rules of version ${c.version}</h2><pre class="card">${JSON.stringify(c.definition?.rules ?? [], null, 2)}</pre>
      ${ok(versions) ? html`<h2>Versions</h2>${table(list(versions), ["version", "createdAt", "inForce"])}` : ""}
      <h2>Edit as a new version</h2>${form(ctx, campaignForm(c))}`;
  });
}

const codesForm = (reward: Record<string, unknown>): FormSpec => ({
  id: `codes-${reward.id}`,
  action: `/console/rewards/${enc(String(reward.id))}/codes`,
  submit: `Upload codes for ${reward.name}`,
  fields: [{ name: "codes", label: `Codes for ${reward.name} (comma-separated)`, type: "list", required: true }],
});

async function rewardsPage(ctx: PageContext): Promise<Html> {
  return section(ctx, "/v1/rewards", "Rewards", (answer) => {
    const rewards = list(answer);
    const pools = rewards.filter((r) => r.codeSource === "pool" && r.status !== "archived");
    return html`${table(rewards, ["id", "name", "type", "costPoints", "stock", "inventory", "status"], (row) =>
      row.status === "archived" ? "" : button(ctx, `/console/rewards/${enc(String(row.id))}/archive`, "Archive", { confirm: `Archive ${row.name}?` }),
    )}${pools.length && mayChange(ctx.session) ? html`<h2>Code pools</h2><div class="grid">${pools.map((r) => form(ctx, codesForm(r)))}</div>` : ""}
    <h2>New reward</h2>${form(ctx, rewardForm())}`;
  });
}

async function plansPage(ctx: PageContext): Promise<Html> {
  return section(ctx, "/v1/membership-plans", "Membership plans", (answer) => html`${table(list(answer), ["id", "name", "term", "price", "benefits", "archivedAt"], (row) =>
      row.archivedAt ? "" : button(ctx, `/console/plans/${enc(String(row.id))}/archive`, "Archive", { confirm: `Archive ${row.name}?` }),
    )}${form(ctx, planForm())}`);
}

async function segmentsPage(ctx: PageContext): Promise<Html> {
  return section(ctx, "/v1/segments", "Segments", (answer) => table(list(answer), ["id", "name", "count", "updatedAt"]));
}

async function auditPage(ctx: PageContext): Promise<Html> {
  const path = (await ctx.has("get", "/v1/audit-log")) ? "/v1/audit-log" : "/v1/audit";
  return section(ctx, path, "The audit log", (answer) => table(list(answer), ["at", "actor", "action", "target"]));
}

async function partnersPage(ctx: PageContext): Promise<Html> {
  const answer = await ctx.api.get("/v1/partners");
  if (!ok(answer)) return refused(answer.status, answer.body);
  const partners = list(answer);
  const terms = await Promise.all(partners.map((p) => ctx.api.get(`/v1/partners/${enc(String(p.id))}/terms`)));
  return html`${table(partners, ["id", "name", "createdAt"])}
    ${partners.map((p, i) => html`<h2>Terms of ${p.name}</h2>${table(list(terms[i]!), ["validFrom", "issuePrice", "redeemPrice", "createdAt"])}${form(ctx, termsForm(String(p.id)))}`)}
    <h2>New partner</h2>${form(ctx, partnerForm())}`;
}

async function settlementsPage(ctx: PageContext): Promise<Html> {
  const period = /^\d{4}-(\d{2}|Q[1-4])$/.test(ctx.query.period ?? "") ? ctx.query.period! : thisMonth();
  const answer = await ctx.api.get(`/v1/settlements/${enc(period)}`);
  const picker = html`<form method="get" action="/console/settlements" class="card inline"><div class="field"><label for="period">Period (YYYY-MM or YYYY-Qn)</label><input id="period" name="period" value="${period}"></div><button type="submit">Show</button></form>`;
  if (!ok(answer)) return html`${picker}${refused(answer.status, answer.body)}`;
  const s = answer.body;
  return html`${picker}
    <p>Status: <strong>${s.status}</strong>${s.closedAt ? ` (closed ${s.closedAt})` : ""} · Currency ${s.currency} · <a href="/console/settlements/${enc(period)}/csv" download="settlement-${period}.csv">Download CSV</a></p>
    ${table(s.partners ?? [], ["name", "issued.points", "issued.value", "clawedBack.points", "redeemedAt.netPoints", "expired", "net"])}
    ${s.status === "open" && ctx.session.role === "admin" ? actionButton(`/console/settlements/${enc(period)}/close`, `Close ${period}`, ctx.session.csrf, { confirm: `Close period ${period}? Its statement is frozen.`, danger: true }) : ""}`;
}

async function webhooksPage(ctx: PageContext): Promise<Html> {
  const answer = await ctx.api.get("/v1/webhook-endpoints");
  if (!ok(answer)) return refused(answer.status, answer.body);
  const endpoints = list(answer);
  const deliveries = await Promise.all(endpoints.map((e) => ctx.api.get(`/v1/webhook-endpoints/${enc(String(e.id))}/deliveries`)));
  return html`${table(endpoints, ["id", "url", "eventTypes", "createdAt"], (row) => button(ctx, `/console/webhooks/${enc(String(row.id))}/delete`, "Delete", { confirm: `Delete ${row.url}?`, danger: true }))}
    ${endpoints.map((e, i) => html`<h2>Deliveries to ${e.url}</h2>${table(list(deliveries[i]!), ["attemptedAt", "eventType", "status", "responseStatus", "attempt"], (row) => button(ctx, `/console/events/${enc(String(row.eventId))}/resend`, "Resend", { hidden: { endpointId: String(e.id) } }))}`)}
    <h2>New endpoint</h2>${form(ctx, endpointForm())}`;
}

async function jobsPage(ctx: PageContext): Promise<Html> {
  const answer = await ctx.api.get("/v1/jobs");
  if (!ok(answer)) return refused(answer.status, answer.body);
  return html`${list(answer).map((job: any) => html`<section class="card" aria-labelledby="job-${job.job}"><h2 id="job-${job.job}">${job.job}</h2><p>${job.description} <small>(${(job.schedules ?? []).join(", ")})</small></p>
    ${button(ctx, `/console/jobs/${enc(job.job)}/run`, "Run now")}${table(job.runs ?? [], Object.keys(job.runs?.[0] ?? { startedAt: 1, status: 1 }).slice(0, 6))}</section>`)}`;
}

async function keysPage(ctx: PageContext): Promise<Html> {
  const answer = await ctx.api.get("/v1/keys");
  if (!ok(answer)) return refused(answer.status, answer.body);
  return html`${table(list(answer), ["id", "name", "role", "keyPrefix", "partnerId", "createdAt", "revokedAt"], (row) =>
    row.revokedAt || row.id === ctx.session.keyId ? html`<small>${row.revokedAt ? "revoked" : "this session's key"}</small>` : button(ctx, `/console/keys/${enc(String(row.id))}/revoke`, "Revoke", { confirm: `Revoke ${row.name}?`, danger: true }),
  )}<h2>New key</h2>${form(ctx, keyForm())}`;
}

async function settingsPage(ctx: PageContext): Promise<Html> {
  const answer = await ctx.api.get("/v1/program");
  if (!ok(answer)) return refused(answer.status, answer.body);
  return html`${table([answer.body], ["id", "name", "createdAt"].filter((k) => k in answer.body))}
    ${mayChange(ctx.session) ? form(ctx, settingsForm(answer.body.settings)) : html`<pre class="card">${JSON.stringify(answer.body.settings, null, 2)}</pre>`}`;
}

export const PAGES: ConsolePage[] = [
  { path: "/console", nav: "/console", title: "Dashboard", roles: ["admin", "server"], render: dashboard },
  { path: "/console/members", nav: "/console/members", title: "Members", roles: ["admin", "server"], render: membersSearch },
  { path: "/console/members/:memberId", nav: "/console/members", title: (ctx) => `Member ${ctx.params.memberId}`, roles: ["admin", "server"], render: memberPage },
  { path: "/console/campaigns", nav: "/console/campaigns", title: "Campaigns and rules", roles: ["admin"], render: campaignsPage },
  { path: "/console/campaigns/:id", nav: "/console/campaigns", title: (ctx) => `Campaign ${ctx.params.id}`, roles: ["admin"], render: campaignPage },
  { path: "/console/rewards", nav: "/console/rewards", title: "Rewards and stock", roles: ["admin", "server"], render: rewardsPage },
  { path: "/console/plans", nav: "/console/plans", title: "Membership plans", roles: ["admin"], render: plansPage },
  { path: "/console/segments", nav: "/console/segments", title: "Segments", roles: ["admin"], render: segmentsPage },
  { path: "/console/partners", nav: "/console/partners", title: "Partners and terms", roles: ["admin"], render: partnersPage },
  { path: "/console/settlements", nav: "/console/settlements", title: "Settlement statements", roles: ["admin", "partner"], render: settlementsPage },
  { path: "/console/webhooks", nav: "/console/webhooks", title: "Webhooks", roles: ["admin"], render: webhooksPage },
  { path: "/console/jobs", nav: "/console/jobs", title: "Jobs", roles: ["admin"], render: jobsPage },
  { path: "/console/keys", nav: "/console/keys", title: "Keys", roles: ["admin"], render: keysPage },
  { path: "/console/audit", nav: "/console/audit", title: "Audit log", roles: ["admin"], render: auditPage },
  { path: "/console/settings", nav: "/console/settings", title: "Settings", roles: ["admin", "server"], render: settingsPage },
];

const done = (redirect: string, notice: string) => () => ({ redirect, notice });

export const ACTIONS: ConsoleAction[] = [
  { path: "/console/rewards", page: "/console/rewards", form: rewardForm, request: (_, body) => ({ method: "POST", path: "/v1/rewards", body }), then: done("/console/rewards", "Reward created.") },
  {
    path: "/console/rewards/:id/codes",
    page: "/console/rewards",
    form: (ctx) => codesForm({ id: ctx.params.id, name: "" }),
    request: (p, body) => ({ method: "POST", path: `/v1/rewards/${enc(p.id!)}/codes`, body }),
    then: done("/console/rewards", "Codes uploaded."),
  },
  { path: "/console/rewards/:id/archive", page: "/console/rewards", request: (p) => ({ method: "POST", path: `/v1/rewards/${enc(p.id!)}/archive` }), then: done("/console/rewards", "Reward archived.") },
  {
    path: "/console/members/:memberId/claims",
    page: "/console/members/:memberId",
    form: () => claimForm("", []),
    request: (p, body) => ({ method: "POST", path: `/v1/members/${enc(p.memberId!)}/rewards/${enc(String(body.rewardId ?? ""))}/claims` }),
    then: (p, a) => ({ redirect: `/console/members/${enc(p.memberId!)}`, notice: `Claimed: coupon ${a.body?.code ?? a.body?.id ?? ""}.` }),
  },
  {
    path: "/console/members/:memberId/tier",
    page: "/console/members/:memberId",
    form: () => tierForm("", []),
    request: (p, body) => ({ method: "POST", path: `/v1/members/${enc(p.memberId!)}/tier`, body: { tier: body.tier === "null" ? null : body.tier, ...(body.until ? { until: body.until } : {}) } }),
    then: (p) => ({ redirect: `/console/members/${enc(p.memberId!)}`, notice: "Tier set." }),
  },
  {
    path: "/console/members/:memberId/adjustments",
    page: "/console/members/:memberId",
    form: () => adjustForm(""),
    request: (p, body) => ({ method: "POST", path: `/v1/members/${enc(p.memberId!)}/adjustments`, body }),
    then: (p) => ({ redirect: `/console/members/${enc(p.memberId!)}`, notice: "Points adjusted." }),
  },
  {
    path: "/console/members/:memberId/erase",
    page: "/console/members/:memberId",
    form: () => eraseForm(""),
    // Erasure is whichever of the two shapes the API publishes.
    request: async (p, _body, values, ctx) =>
      values.confirm?.trim() !== p.memberId
        ? { method: "LOCAL", path: "confirm", body: "Type the member id exactly to confirm." }
        : (await ctx.has("post", "/v1/members/{memberId}/erase"))
          ? { method: "POST", path: `/v1/members/${enc(p.memberId!)}/erase` }
          : { method: "DELETE", path: `/v1/members/${enc(p.memberId!)}` },
    then: (p) => ({ redirect: "/console/members", notice: `Member ${p.memberId} erased.` }),
  },
  { path: "/console/campaigns", page: "/console/campaigns", form: () => campaignForm(), request: (_, body) => ({ method: "POST", path: "/v1/campaigns", body }), then: (_, a) => ({ redirect: `/console/campaigns/${enc(String(a.body?.id ?? ""))}`, notice: "Campaign created as a draft." }) },
  {
    path: "/console/campaign-preview",
    page: "/console/campaigns",
    form: previewForm,
    request: (_, body) => ({ method: "POST", path: "/v1/earning/preview", body }),
    then: (_, a) => ({ redirect: `/console/campaigns?preview=${enc(JSON.stringify(a.body, null, 2))}`, notice: "Preview computed." }),
  },
  {
    path: "/console/campaigns/:id/versions",
    page: "/console/campaigns/:id",
    form: () => campaignForm({ id: "" }),
    // A merge patch of the whole form: an emptied optional field goes back to its default.
    request: (p, body) => ({ method: "PATCH", path: `/v1/campaigns/${enc(p.id!)}`, body: { endsAt: null, budget: null, ...body } }),
    then: (p) => ({ redirect: `/console/campaigns/${enc(p.id!)}`, notice: "New version saved." }),
  },
  ...(["activate", "pause", "end"] as const).map(
    (step): ConsoleAction => ({
      path: `/console/campaigns/:id/${step}`,
      page: "/console/campaigns/:id",
      request: (p) => ({ method: "POST", path: `/v1/campaigns/${enc(p.id!)}/${step}` }),
      then: (p) => ({ redirect: `/console/campaigns/${enc(p.id!)}`, notice: { activate: "Campaign activated.", pause: "Campaign paused.", end: "Campaign ended." }[step] }),
    }),
  ),
  {
    path: "/console/plans",
    page: "/console/plans",
    form: planForm,
    request: (_, body) => ({ method: "POST", path: "/v1/membership-plans", body }),
    then: done("/console/plans", "Plan created."),
  },
  { path: "/console/plans/:id/archive", page: "/console/plans", request: (p) => ({ method: "POST", path: `/v1/membership-plans/${enc(p.id!)}/archive` }), then: done("/console/plans", "Plan archived.") },
  { path: "/console/partners", page: "/console/partners", form: partnerForm, request: (_, body) => ({ method: "POST", path: "/v1/partners", body }), then: done("/console/partners", "Partner added.") },
  {
    path: "/console/partners/:partnerId/terms",
    page: "/console/partners",
    form: (ctx) => termsForm(ctx.params.partnerId ?? ""),
    request: (p, body) => ({ method: "PUT", path: `/v1/partners/${enc(p.partnerId!)}/terms`, body }),
    then: done("/console/partners", "Terms set."),
  },
  {
    path: "/console/settlements/:period/close",
    page: "/console/settlements",
    request: (p) => ({ method: "POST", path: `/v1/settlements/${enc(p.period!)}/close` }),
    then: (p) => ({ redirect: `/console/settlements?period=${enc(p.period!)}`, notice: `Period ${p.period} closed.` }),
  },
  {
    path: "/console/webhooks",
    page: "/console/webhooks",
    form: endpointForm,
    request: (_, body) => ({ method: "POST", path: "/v1/webhook-endpoints", body }),
    then: (_, a) => ({ show: html`<p class="notice" role="status">Endpoint added. Its signing secret, shown only now: <code class="secret">${a.body?.secret}</code></p>` }),
  },
  { path: "/console/webhooks/:id/delete", page: "/console/webhooks", request: (p) => ({ method: "DELETE", path: `/v1/webhook-endpoints/${enc(p.id!)}` }), then: done("/console/webhooks", "Endpoint deleted.") },
  {
    path: "/console/events/:id/resend",
    page: "/console/webhooks",
    request: (p, _b, values) => ({ method: "POST", path: `/v1/events/${enc(p.id!)}/resend`, body: values.endpointId ? { endpointId: values.endpointId } : {} }),
    then: done("/console/webhooks", "Event sent again."),
  },
  { path: "/console/jobs/:job/run", page: "/console/jobs", request: (p) => ({ method: "POST", path: `/v1/jobs/${enc(p.job!)}/run` }), then: (p) => ({ redirect: "/console/jobs", notice: `Ran ${p.job}.` }) },
  {
    path: "/console/keys",
    page: "/console/keys",
    form: keyForm,
    request: (_, body) => ({ method: "POST", path: "/v1/keys", body }),
    then: (_, a) => ({ show: html`<p class="notice" role="status">Key created. Its secret, shown only now: <code class="secret">${a.body?.key}</code></p>` }),
  },
  { path: "/console/keys/:id/revoke", page: "/console/keys", request: (p) => ({ method: "DELETE", path: `/v1/keys/${enc(p.id!)}` }), then: done("/console/keys", "Key revoked.") },
  {
    path: "/console/settings",
    page: "/console/settings",
    form: () => settingsForm({}),
    request: (_, body) => ({ method: "PATCH", path: "/v1/program", body: body.settings }),
    then: done("/console/settings", "Settings saved."),
  },
];
