// <treue-widget>: the shopper's points, tier, rewards and referral link in a shop's page (shadow DOM, no framework); the Worker serves it as /widget.js.
// Browser code: type-checked by tsconfig.widget.json (DOM), compiled into src/widget/widget-script.generated.ts by scripts/build-widget.ts.

interface Money {
  amount: number;
  currency: string;
}

/** The parts of the API's Balance the widget shows (GET /v1/me/balance). */
interface Balance {
  available: number;
  pending: number;
  qualifyingPoints: number;
  tier: string | null;
  nextTier: { name: string; pointsNeeded: number } | null;
  nextExpiries: { points: number; expiresAt: string }[];
  availableValue: Money;
}

/** A reward as the widget lists it, read from whatever the member's catalog answer names it. */
interface RewardItem {
  id: string;
  name: string;
  description: string | null;
  costPoints: number | null;
  claimable: boolean;
  pointsNeeded: number;
  /** Why it cannot be claimed now, said to the shopper (the API's own detail is written for the shop). */
  why: string | null;
}

const SHOPPER_REASONS: Record<string, string> = {
  archived: "No longer available",
  not_yet_open: "Not open yet",
  ended: "No longer available",
  plan_required: "For members of a membership plan",
  tier_required: "For another tier",
  member_attributes: "Not available for your account",
  limit_reached: "You have claimed this as often as you can",
  out_of_stock: "Out of stock",
}

interface TokenClaims {
  exp: number | null;
  scopes: string[];
}

type Problem = { status: number; code: string | null; detail: string | null };

const SCRIPT_ORIGIN = (() => {
  const script = document.currentScript;
  try {
    if (script instanceof HTMLScriptElement && script.src) return new URL(script.src, location.href).origin;
  } catch {
    // an odd src: fall back to the page's origin
  }
  return location.origin;
})();

const STYLES = `
:host {
  --treue-accent: #2f6f4e;
  --treue-accent-contrast: #ffffff;
  --treue-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --treue-radius: 12px;
  --treue-background: #ffffff;
  --treue-text: #1d1d1f;
  --treue-muted: #5b5b63;
  --treue-border: #d9d9de;
  --treue-error: #a4161a;
  display: block;
  max-width: 24rem;
  font-family: var(--treue-font);
  color: var(--treue-text);
}
[hidden] { display: none !important; }
.card {
  background: var(--treue-background);
  border: 1px solid var(--treue-border);
  border-radius: var(--treue-radius);
  padding: 1rem 1.25rem;
}
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h3 { font-size: .9rem; margin: 1rem 0 .4rem; }
p { margin: .25rem 0; }
.points { font-size: 2rem; font-weight: 700; color: var(--treue-accent); }
.muted { color: var(--treue-muted); font-size: .875rem; }
.bar { height: .5rem; background: var(--treue-border); border-radius: var(--treue-radius); overflow: hidden; margin: .35rem 0; }
.bar > span { display: block; height: 100%; background: var(--treue-accent); }
ul { list-style: none; padding: 0; margin: 0; }
li { display: flex; gap: .5rem; align-items: center; justify-content: space-between; padding: .4rem 0; border-top: 1px solid var(--treue-border); }
li:first-child { border-top: none; }
button {
  font: inherit;
  border: 1px solid var(--treue-accent);
  border-radius: calc(var(--treue-radius) / 2);
  background: var(--treue-accent);
  color: var(--treue-accent-contrast);
  padding: .3rem .8rem;
  cursor: pointer;
}
button.secondary { background: transparent; color: var(--treue-accent); }
button:disabled { opacity: .5; cursor: not-allowed; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--treue-accent); outline-offset: 2px; }
.referral { display: flex; gap: .5rem; }
.referral input { flex: 1; min-width: 0; font: inherit; padding: .3rem; color: var(--treue-text); background: var(--treue-background); border: 1px solid var(--treue-border); border-radius: calc(var(--treue-radius) / 2); }
.error { color: var(--treue-error); font-weight: 600; }
.error:empty, .status:empty { margin: 0; }
`;

/** A small element builder: text always goes in as text, never as markup. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | boolean | undefined> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null) element.append(child);
  return element;
}

/** The token's payload, for display only: the API checks the signature and the scopes on every call. */
function readClaims(token: string): TokenClaims | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof payload !== "object" || payload === null) return null;
    const record = payload as Record<string, unknown>;
    const scope = record.scope ?? record.scopes ?? record.scp;
    const scopes = Array.isArray(scope) ? scope.filter((s): s is string => typeof s === "string") : typeof scope === "string" ? scope.split(/[\s,]+/) : [];
    return { exp: typeof record.exp === "number" ? record.exp : null, scopes };
  } catch {
    return null;
  }
}

/** Integer minor units as the locale writes them, without passing through a float. */
function formatMoney(money: Money, locale: string | undefined): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    const sign = money.amount < 0 ? "-" : "";
    const units = String(Math.abs(money.amount)).padStart(digits + 1, "0");
    const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
    return format.format(`${sign}${decimal}` as Intl.StringNumericLiteral);
  } catch {
    return `${money.amount} ${money.currency} (minor units)`;
  }
}

function formatPoints(points: number, locale: string | undefined): string {
  return new Intl.NumberFormat(locale).format(points);
}

/** "1 point", "1,250 points". */
function pointsText(points: number, locale: string | undefined): string {
  return `${formatPoints(points, locale)} ${points === 1 ? "point" : "points"}`;
}

function formatDate(iso: string, locale: string | undefined): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

/** One entry of the member's reward catalog, flat or nested under `reward`/`definition`. */
function toReward(raw: unknown): RewardItem | null {
  if (typeof raw !== "object" || raw === null) return null;
  const item = raw as Record<string, unknown>;
  const reward = (typeof item.reward === "object" && item.reward !== null ? item.reward : {}) as Record<string, unknown>;
  const definition = (typeof item.definition === "object" && item.definition !== null ? item.definition : {}) as Record<string, unknown>;
  const pick = (name: string) => item[name] ?? reward[name] ?? definition[name];
  const id = text(item.rewardId) ?? text(item.id) ?? text(reward.id);
  if (id === null) return null;
  const unavailable = Array.isArray(item.unavailable) ? item.unavailable : Array.isArray(item.reasons) ? item.reasons : [];
  const firstWhy = unavailable[0] as Record<string, unknown> | undefined;
  const flag = item.claimable ?? item.available ?? item.canClaim;
  const reason = firstWhy ? text(firstWhy.reason) : null;
  return {
    id,
    name: text(pick("name")) ?? id,
    description: text(pick("description")),
    costPoints: integer(pick("costPoints")) ?? integer(pick("points")),
    claimable: typeof flag === "boolean" ? flag : unavailable.length === 0,
    pointsNeeded: integer(item.pointsNeeded) ?? 0,
    why: reason === null ? null : (SHOPPER_REASONS[reason] ?? null),
  };
}

function listOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    for (const key of ["data", "rewards", "items"]) if (Array.isArray(record[key])) return record[key] as unknown[];
  }
  return [];
}

const EXPIRED = "Your session has expired. Please reload the page or sign in again.";
const NOT_VALID = "The member token is not valid. Please reload the page or sign in again.";
/** A browser's clock may run ahead of the API's: only a token this far past its expiry is refused without asking. */
const CLOCK_LEEWAY_MS = 60_000;

function problemMessage(problem: Problem): string {
  if (problem.code === "token_expired") return EXPIRED;
  if (problem.code === "token_revoked") return "Your session has ended. Please reload the page or sign in again.";
  if (problem.status === 401) return NOT_VALID;
  if (problem.status === 403) return "This session may not do that.";
  if (problem.status === 429) return "Too many requests. Please wait a moment and try again.";
  if (problem.status === 0) return "Treue could not be reached. Check your connection and try again.";
  return problem.detail ?? `Something went wrong (${problem.code ?? problem.status}).`;
}

class TreueWidget extends HTMLElement {
  static observedAttributes = ["token", "api", "locale", "heading"];

  readonly #shadow: ShadowRoot;
  readonly #content: HTMLElement;
  readonly #status: HTMLElement;
  readonly #alert: HTMLElement;
  readonly #title: HTMLElement;
  #generation = 0;
  /** Says the session is over once the token expires while the page stays open (a new `token` attribute starts again). */
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** One Idempotency-Key per reward until its claim is answered, so a retry after a lost answer cannot claim twice. */
  readonly #claimKeys = new Map<string, string>();

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLES;
    this.#content = h("div", { class: "content" });
    // The live regions exist from the start, so screen readers announce what is later written into them.
    this.#status = h("p", { class: "status muted", role: "status", "aria-live": "polite", part: "status" });
    this.#alert = h("p", { class: "error", role: "alert", "aria-live": "assertive", part: "error" });
    this.#title = h("h2", { id: "treue-title" }, "Your points");
    const card = h("section", { class: "card", part: "card", "aria-labelledby": "treue-title" }, this.#title, this.#alert, this.#content, this.#status);
    this.#shadow.append(style, card);
  }

  connectedCallback() {
    void this.refresh();
  }

  disconnectedCallback() {
    clearTimeout(this.#expiryTimer);
  }

  attributeChangedCallback(_name: string, previous: string | null, next: string | null) {
    if (this.isConnected && previous !== next) void this.refresh();
  }

  get #token(): string {
    return (this.getAttribute("token") ?? "").trim();
  }

  get #api(): string {
    return (this.getAttribute("api") ?? SCRIPT_ORIGIN).replace(/\/+$/, "");
  }

  get #locale(): string | undefined {
    return this.getAttribute("locale") ?? (document.documentElement.lang || undefined);
  }

  async #call(method: "GET" | "POST", path: string, headers: Record<string, string> = {}, body?: string): Promise<{ ok: true; body: unknown } | { ok: false; problem: Problem }> {
    let response: Response;
    try {
      response = await fetch(`${this.#api}${path}`, { method, headers: { Accept: "application/json", Authorization: `Bearer ${this.#token}`, ...headers }, body });
    } catch {
      return { ok: false, problem: { status: 0, code: null, detail: null } };
    }
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      // an empty or non-JSON body: the status says enough
    }
    if (response.ok) return { ok: true, body: parsed };
    const record = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    return { ok: false, problem: { status: response.status, code: text(record.code), detail: text(record.detail) } };
  }

  #showError(message: string) {
    this.#alert.textContent = message;
  }

  /** Loads everything again; answers of an earlier load that arrive late are dropped. */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    clearTimeout(this.#expiryTimer);
    const card = this.#shadow.querySelector(".card")!;
    this.#title.textContent = this.getAttribute("heading") ?? "Your points";
    this.#alert.textContent = "";
    const token = this.#token;
    if (!token) {
      this.#content.replaceChildren();
      this.#showError("No member token was given to the widget.");
      return;
    }
    const claims = readClaims(token);
    if (claims === null) {
      this.#content.replaceChildren();
      this.#showError(NOT_VALID);
      return;
    }
    if (claims.exp !== null && claims.exp * 1000 + CLOCK_LEEWAY_MS <= Date.now()) {
      this.#content.replaceChildren();
      this.#showError(EXPIRED);
      return;
    }
    if (claims.exp !== null) {
      // Timers take at most 2^31-1 ms; a token lives a day at most.
      const wait = Math.min(claims.exp * 1000 + CLOCK_LEEWAY_MS - Date.now() + 1000, 2 ** 31 - 1);
      this.#expiryTimer = setTimeout(() => void this.refresh(), wait);
    }
    card.setAttribute("aria-busy", "true");
    this.#content.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    const [balance, rewards, referral] = await Promise.all([this.#call("GET", "/v1/me/balance"), this.#call("GET", "/v1/me/rewards"), this.#call("GET", "/v1/me/referral")]);
    if (generation !== this.#generation) return;
    card.removeAttribute("aria-busy");
    if (!balance.ok) {
      this.#content.replaceChildren();
      this.#showError(problemMessage(balance.problem));
      return;
    }
    const parts = [this.#balanceView(balance.body as Balance)];
    // A section whose endpoint this deployment does not have (404), or referrals a program does not run, is left out; other failures are said.
    if (rewards.ok) parts.push(this.#rewardsView(listOf(rewards.body).flatMap((r) => toReward(r) ?? []), claims));
    else if (rewards.problem.status !== 404) this.#showError(problemMessage(rewards.problem));
    if (referral.ok) {
      const view = this.#referralView(referral.body);
      if (view) parts.push(view);
    } else if (referral.problem.status !== 404 && referral.problem.code !== "referrals_disabled") this.#showError(problemMessage(referral.problem));
    this.#content.replaceChildren(...parts);
  }

  #balanceView(balance: Balance): HTMLElement {
    const locale = this.#locale;
    const section = h(
      "div",
      { class: "balance", part: "balance" },
      h("p", {}, h("span", { class: "points", "data-points": String(balance.available) }, formatPoints(balance.available, locale)), balance.available === 1 ? " point" : " points"),
      h("p", { class: "muted value" }, `Worth ${formatMoney(balance.availableValue, locale)}`),
    );
    if (balance.pending > 0) section.append(h("p", { class: "muted" }, `${pointsText(balance.pending, locale)} more on the way.`));
    // A program without tiers has neither a tier nor a next one: no tier section then.
    if (balance.tier !== null || balance.nextTier !== null) section.append(h("h3", {}, "Tier"), h("p", { class: "tier" }, balance.tier ?? "No tier yet"));
    if (balance.nextTier) {
      const { name, pointsNeeded } = balance.nextTier;
      const reached = balance.qualifyingPoints;
      const total = reached + pointsNeeded;
      const percent = total > 0 ? Math.min(100, Math.floor((reached * 100) / total)) : 100;
      const bar = h("div", {
        class: "bar",
        role: "progressbar",
        "aria-label": `Progress to ${name}`,
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": String(percent),
        "aria-valuetext": `${percent}%: ${pointsText(pointsNeeded, locale)} to ${name}`,
      });
      const fill = h("span");
      fill.style.width = `${percent}%`;
      bar.append(fill);
      section.append(bar, h("p", { class: "muted next-tier" }, `${pointsText(pointsNeeded, locale)} to ${name}`));
    }
    const expiry = balance.nextExpiries[0];
    if (expiry) section.append(h("p", { class: "muted expiry" }, `${pointsText(expiry.points, locale)} ${expiry.points === 1 ? "expires" : "expire"} on ${formatDate(expiry.expiresAt, locale)}`));
    return section;
  }

  #rewardsView(rewards: RewardItem[], claims: TokenClaims): HTMLElement {
    const locale = this.#locale;
    const mayClaim = claims.scopes.includes("claim");
    const list = h("ul", { "aria-label": "Rewards" });
    for (const reward of rewards) {
      const cost = reward.costPoints === null ? null : pointsText(reward.costPoints, locale);
      const label = h("div", {}, h("strong", {}, reward.name), cost ? h("p", { class: "muted" }, cost) : null, !reward.claimable ? this.#whyNot(reward) : null);
      const row = h("li", { "data-reward-id": reward.id }, label);
      if (mayClaim) {
        const button = h("button", { type: "button", disabled: !reward.claimable, "aria-label": `Claim ${reward.name}` }, "Claim");
        button.addEventListener("click", () => void this.#claim(reward, button));
        row.append(button);
      }
      list.append(row);
    }
    if (rewards.length === 0) list.append(h("li", { class: "muted" }, "No rewards yet."));
    return h("div", { class: "rewards", part: "rewards" }, h("h3", {}, "Rewards"), list);
  }

  #whyNot(reward: RewardItem): HTMLElement | null {
    const why = reward.pointsNeeded > 0 ? `${pointsText(reward.pointsNeeded, this.#locale)} more needed` : reward.why;
    return why ? h("p", { class: "muted why" }, why) : null;
  }

  async #claim(reward: RewardItem, button: HTMLButtonElement) {
    button.disabled = true;
    this.#alert.textContent = "";
    this.#status.textContent = `Claiming ${reward.name}…`;
    const key = this.#claimKeys.get(reward.id) ?? crypto.randomUUID();
    this.#claimKeys.set(reward.id, key);
    const answer = await this.#call("POST", `/v1/me/rewards/${encodeURIComponent(reward.id)}/claims`, { "Content-Type": "application/json", "Idempotency-Key": key }, "{}");
    // Any answer settles this attempt; only a lost one (status 0) keeps the key for the retry.
    if (answer.ok || answer.problem.status !== 0) this.#claimKeys.delete(reward.id);
    if (!answer.ok) {
      this.#status.textContent = "";
      button.disabled = false;
      this.#showError(problemMessage(answer.problem));
      return;
    }
    const body = (answer.body ?? {}) as Record<string, unknown>;
    const coupon = (typeof body.coupon === "object" && body.coupon !== null ? body.coupon : {}) as Record<string, unknown>;
    const code = text(coupon.code) ?? text(body.code) ?? text(body.couponCode);
    await this.refresh();
    this.#status.textContent = code ? `Claimed ${reward.name}. Your code: ${code}` : `Claimed ${reward.name}.`;
    // The list was drawn again: keep a keyboard user where they were.
    this.#shadow.querySelector<HTMLButtonElement>(`li[data-reward-id="${CSS.escape(reward.id)}"] button`)?.focus();
  }

  #referralView(body: unknown): HTMLElement | null {
    if (typeof body !== "object" || body === null) return null;
    const record = body as Record<string, unknown>;
    const link = text(record.shareLink) ?? text(record.link) ?? text(record.url);
    const code = text(record.code) ?? text(record.referralCode);
    const value = link ?? code;
    if (value === null) return null;
    const input = h("input", { type: "text", readonly: true, value, "aria-label": link ? "Your referral link" : "Your referral code" });
    const copy = h("button", { type: "button", class: "secondary" }, "Copy");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(value);
        this.#status.textContent = "Copied.";
      } catch {
        input.select();
        this.#status.textContent = "Select the text and copy it.";
      }
    });
    return h("div", { class: "referral-section", part: "referral" }, h("h3", {}, "Invite a friend"), h("div", { class: "referral" }, input, copy));
  }
}

if (!customElements.get("treue-widget")) customElements.define("treue-widget", TreueWidget);
