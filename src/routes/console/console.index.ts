// The operator console under /console: sign-in and sign-out, the pages, and their form posts; every read and write goes through this Worker's own API with the session's key.
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { eq } from "drizzle-orm";
import { database } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { KEY_PREFIX } from "../../app/auth";
import { sha256Hex } from "../../lib/ids";
import type { AppEnv } from "../../app/types";
import { ConsoleApi, isMissingRoute, ok, type ApiFetch } from "../../console/api";
import { bodyOf, renderForm, type FormState, type Html } from "../../console/forms";
import { page } from "../../console/layout";
import { ACTIONS, PAGES, type ConsoleAction, type ConsolePage, type PageContext } from "../../console/pages";
import { mayChange, newCsrfToken, openSession, sameToken, sealSession, SESSION_COOKIE, SESSION_TTL_SECONDS, type ConsoleSession } from "../../console/session";

type C = Context<AppEnv>;

const SIGN_IN = {
  id: "sign-in",
  action: "/console/session",
  submit: "Sign in",
  fields: [{ name: "key", label: "Program key", type: "password" as const, required: true, hint: "An admin key (trk_...) for the whole console; a server key sees a read-only view; a partner key its settlement." }],
};

/** The operations of the served document, once per isolate: pages light up when their API is merged. */
let operations: Set<string> | undefined;

function secure(c: C): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** A post from another origin is refused before anything else (SameSite=Strict already keeps the cookie from it). */
function sameOrigin(c: C): boolean {
  const origin = c.req.header("origin");
  return origin === undefined || origin === "null" ? c.req.header("sec-fetch-site") !== "cross-site" : origin === new URL(c.req.url).origin;
}

function noStore(c: C) {
  c.header("Cache-Control", "no-store");
  c.header("X-Frame-Options", "DENY");
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  c.header("Referrer-Policy", "same-origin");
}

export function consoleRouter(apiFetch: (c: C) => ApiFetch) {
  const router = new Hono<AppEnv>();

  async function sessionOf(c: C): Promise<ConsoleSession | null> {
    const secret = c.env.ADMIN_TOKEN;
    return secret ? openSession(secret, getCookie(c, SESSION_COOKIE)) : null;
  }

  function contextOf(c: C, session: ConsoleSession, state?: FormState): PageContext {
    const api = new ConsoleApi(apiFetch(c), new URL(c.req.url).origin, session.key);
    return {
      api,
      session,
      params: c.req.param() as Record<string, string>,
      query: c.req.query(),
      state,
      async has(method, path) {
        if (!operations) {
          const doc = await api.get("/openapi.json");
          if (!ok(doc)) return false;
          operations = new Set(Object.entries(doc.body.paths ?? {}).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`)));
        }
        return operations.has(`${method.toLowerCase()} ${path}`);
      },
    };
  }

  async function show(c: C, target: ConsolePage, session: ConsoleSession, options: { state?: FormState; notice?: string; status?: number; prefix?: Html } = {}) {
    noStore(c);
    if (!target.roles.includes(session.role)) {
      return c.html(page({ title: "Not for this key", session, body: html`<p class="problem" role="alert">A ${session.role} key cannot open this page.</p>` }), 403);
    }
    const ctx = contextOf(c, session, options.state);
    const body = await target.render(ctx);
    const title = typeof target.title === "string" ? target.title : target.title(ctx);
    const notice = options.notice ?? c.req.query("notice");
    return c.html(page({ title, session, current: target.nav, notice, body: html`${options.prefix ?? ""}${body}` }), (options.status ?? 200) as 200);
  }

  function signInPage(c: C, state?: FormState, status = 200) {
    noStore(c);
    return c.html(
      page({ title: "Sign in", body: html`<div class="signin">${renderForm(SIGN_IN, "", state)}<p><small>The key stays on the server, sealed in a cookie for this console only.</small></p></div>` }),
      status as 200,
    );
  }

  router.get("/console/session", (c) => signInPage(c));

  router.post("/console/session", async (c) => {
    if (!sameOrigin(c)) return c.text("Cross-site sign-in refused.", 403);
    const secret = c.env.ADMIN_TOKEN;
    const form = await c.req.parseBody();
    const key = String(form.key ?? "").trim();
    const refuse = (message: string, status: number) => signInPage(c, { formId: SIGN_IN.id, values: {}, errors: [{ path: "key", message }], detail: "Sign-in failed." }, status);
    if (!secret) return refuse("The console is not set up on this deployment (no platform secret).", 503);
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return refuse("This is not a program key.", 401);
    const [row] = await database(c.env.DB).select().from(apiKeys).where(eq(apiKeys.keyHash, await sha256Hex(key)));
    if (!row || row.revokedAt !== null) return refuse("The key is not valid.", 401);
    const session: ConsoleSession = {
      key,
      keyId: row.id,
      role: row.role,
      programId: row.programId,
      partnerId: row.partnerId,
      csrf: newCsrfToken(),
      expiresAt: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS,
    };
    setCookie(c, SESSION_COOKIE, await sealSession(secret, session), {
      httpOnly: true,
      secure: secure(c),
      sameSite: "Strict",
      path: "/console",
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.redirect(row.role === "partner" ? "/console/settlements" : "/console", 303);
  });

  router.post("/console/session/end", async (c) => {
    const session = await sessionOf(c);
    const form = await c.req.parseBody();
    if (session && (!sameOrigin(c) || !sameToken(String(form._csrf ?? ""), session.csrf))) return c.text("The form's token does not match this session.", 403);
    deleteCookie(c, SESSION_COOKIE, { path: "/console", secure: secure(c), httpOnly: true, sameSite: "Strict" });
    return c.redirect("/console/session", 303);
  });

  // The settlement CSV, as the API writes it.
  router.get("/console/settlements/:period/csv", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/console/session", 303);
    const answer = await contextOf(c, session).api.call("GET", `/v1/settlements/${encodeURIComponent(c.req.param("period"))}`, { accept: "text/csv" });
    noStore(c);
    if (!ok(answer)) return c.text(answer.text, answer.status as 400);
    c.header("Content-Disposition", `attachment; filename="settlement-${c.req.param("period").replace(/[^0-9A-Za-z-]/g, "")}.csv"`);
    return c.body(answer.text, 200, { "Content-Type": "text/csv; charset=utf-8" });
  });

  router.get("/console/members/:memberId/export", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/console/session", 303);
    if (!mayChange(session)) return c.text("A read-only key cannot export member data.", 403);
    const answer = await contextOf(c, session).api.get(`/v1/members/${encodeURIComponent(c.req.param("memberId"))}/export`);
    noStore(c);
    if (isMissingRoute(answer)) return c.text("Export is not available in this deployment yet.", 404);
    c.header("Content-Disposition", `attachment; filename="member-${c.req.param("memberId").replace(/[^0-9A-Za-z_-]/g, "")}.json"`);
    return c.body(answer.text, answer.status as 200, { "Content-Type": answer.contentType || "application/json" });
  });

  router.get("/console/members", async (c, next) => {
    const q = c.req.query("q")?.trim();
    if (q) return c.redirect(`/console/members/${encodeURIComponent(q)}`, 303);
    return next();
  });

  for (const target of PAGES) {
    router.get(target.path, async (c) => {
      const session = await sessionOf(c);
      if (!session) return c.redirect("/console/session", 303);
      return show(c, target, session);
    });
  }

  const byPath = new Map(PAGES.map((p) => [p.path, p]));
  for (const action of ACTIONS) router.post(action.path, (c) => runAction(c, action));

  async function runAction(c: C, action: ConsoleAction) {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/console/session", 303);
    const form = await c.req.parseBody();
    if (!sameOrigin(c) || !sameToken(String(form._csrf ?? ""), session.csrf)) {
      noStore(c);
      return c.html(page({ title: "Refused", session, body: html`<p class="problem" role="alert">The form's token does not match this session. Reload the page and try again.</p>` }), 403);
    }
    const target = byPath.get(action.page)!;
    const roles = action.roles ?? ["admin"];
    if (!roles.includes(session.role) || !mayChange(session)) {
      return show(c, target, session, { status: 403, prefix: html`<p class="problem" role="alert">A ${session.role} key has a read-only view here.</p>` });
    }
    const values = Object.fromEntries(Object.entries(form).filter(([k, v]) => !k.startsWith("_") && typeof v === "string")) as Record<string, string>;
    const formId = String(form._form ?? "");
    const ctx = contextOf(c, session);
    const spec = action.form?.(ctx);
    const { body, errors } = spec ? bodyOf(spec.fields, values) : { body: {}, errors: [] };
    const params = c.req.param() as Record<string, string>;
    if (errors.length) return show(c, target, session, { status: 400, state: { formId, values, errors, detail: "Some fields need a fix." } });
    const request = await action.request(params, body, values, ctx);
    if (request.method === "LOCAL") {
      return show(c, target, session, { status: 400, state: { formId, values, errors: [{ path: request.path, message: String(request.body) }], detail: "Not confirmed." } });
    }
    const answer = await ctx.api.call(request.method, request.path, { body: request.body, idempotencyKey: typeof form._idem === "string" && form._idem ? form._idem : undefined });
    if (!ok(answer)) {
      if (answer.status === 401) return c.redirect("/console/session", 303);
      const problem = isMissingRoute(answer) ? { detail: "This feature is not available in this deployment yet.", errors: [] } : answer.body ?? {};
      const fieldErrors = Array.isArray(problem.errors) ? problem.errors.filter((e: any) => typeof e?.path === "string").map((e: any) => ({ path: e.path, message: String(e.message ?? "invalid") })) : [];
      return show(c, target, session, {
        status: answer.status >= 400 && answer.status < 600 ? answer.status : 422,
        state: { formId, values, errors: fieldErrors, detail: `${problem.detail ?? problem.title ?? "The API refused this."}${problem.code ? ` (${problem.code})` : ""}` },
        prefix: formId ? "" : html`<p class="problem" role="alert">${problem.detail ?? "The API refused this."}${problem.code ? html` (<code>${problem.code}</code>)` : ""}</p>`,
      });
    }
    const next = action.then(params, answer, values);
    if ("show" in next) return show(c, target, session, { prefix: next.show });
    return c.redirect(`${next.redirect}${next.redirect.includes("?") ? "&" : "?"}notice=${encodeURIComponent(next.notice)}`, 303);
  }

  router.get("/console/*", async (c) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect("/console/session", 303);
    noStore(c);
    return c.html(page({ title: "Not found", session, body: html`<p>There is no such console page.</p>` }), 404);
  });

  return router;
}
