// The console's session: the cookie's flags and sealing, CSRF refusals, wrong keys, and the read-only view of a server key.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openSession, sealSession, type ConsoleSession } from "../../src/console/session";
import { BASE, createProgram, enroll } from "../helpers";

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return exports.default.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: "manual",
  });
}

async function get(path: string, cookie?: string) {
  return exports.default.fetch(`${BASE}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

/** Signs in; answers the cookie to send back and the session's CSRF token (read from a page's form). */
async function signIn(key: string) {
  const res = await post("/console/session", { key });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get("set-cookie")!;
  const cookie = setCookie.split(";")[0]!;
  const page = await (await get("/console/settings", cookie)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  return { setCookie, cookie, csrf };
}

describe("console sign-in", () => {
  it("sets an HttpOnly, SameSite=Strict cookie scoped to /console that holds no readable key", async () => {
    const program = await createProgram();
    const { setCookie } = await signIn(program.admin);
    expect(setCookie).toMatch(/^treue_console=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/console/);
    // Plain http here: Secure only when the console is served over https.
    expect(setCookie).not.toMatch(/Secure/i);
    expect(setCookie).not.toContain(program.admin);
    expect(setCookie).not.toContain(program.admin.slice(4, 20));
  });

  it("marks the cookie Secure over https", async () => {
    const program = await createProgram();
    const res = await exports.default.fetch("https://treue.test/console/session", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ key: program.admin }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/i);
  });

  it("refuses a wrong key, a revoked-looking key and a non-key, setting no cookie", async () => {
    for (const key of ["trk_not-a-real-key", "hello", ""]) {
      const res = await post("/console/session", { key });
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      const text = await res.text();
      expect(text).toMatch(/class="field-error"/);
    }
  });

  it("refuses a sign-in posted from another site", async () => {
    const program = await createProgram();
    const res = await post("/console/session", { key: program.admin }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("sends a visitor without a session to the sign-in page", async () => {
    const res = await get("/console/keys");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/session");
  });

  it("refuses a cookie that was altered or sealed with another secret", async () => {
    const program = await createProgram();
    const { cookie } = await signIn(program.admin);
    const value = cookie.split("=")[1]!;
    const altered = `treue_console=${value.slice(0, -2)}${value.endsWith("A") ? "B" : "A"}A`;
    expect((await get("/console", altered)).status).toBe(303);
    const session: ConsoleSession = { key: program.admin, keyId: "key_x", role: "admin", programId: program.programId, partnerId: null, csrf: "x", expiresAt: Math.floor(Date.now() / 1000) + 60 };
    const forged = await sealSession("another secret", session);
    expect((await get("/console", `treue_console=${forged}`)).status).toBe(303);
  });

  it("ends a session at its expiry", async () => {
    const session: ConsoleSession = { key: "trk_x", keyId: "key_x", role: "admin", programId: "p", partnerId: null, csrf: "x", expiresAt: 1_000 };
    const sealed = await sealSession("secret", session);
    expect(await openSession("secret", sealed, 999)).toEqual(session);
    expect(await openSession("secret", sealed, 1_000)).toBeNull();
  });
});

describe("console CSRF", () => {
  it("refuses a form post without the session's token, and changes nothing", async () => {
    const program = await createProgram();
    const { cookie, csrf } = await signIn(program.admin);
    for (const token of ["", "wrong", `${csrf}x`]) {
      const res = await post("/console/partners", { _csrf: token, name: "Sneaky" }, { cookie });
      expect(res.status).toBe(403);
    }
    const partners = await (await get("/console/partners", cookie)).text();
    expect(partners).not.toContain("Sneaky");
  });

  it("refuses a post with the right token from another origin", async () => {
    const program = await createProgram();
    const { cookie, csrf } = await signIn(program.admin);
    const res = await post("/console/partners", { _csrf: csrf, name: "Cross" }, { cookie, origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("accepts a post with the token and shows the API's field errors beside the field", async () => {
    const program = await createProgram();
    const { cookie, csrf } = await signIn(program.admin);
    const created = await post("/console/partners", { _csrf: csrf, _form: "create-partner", name: "Rail" }, { cookie });
    expect(created.status).toBe(303);
    expect(await (await get("/console/partners", cookie)).text()).toContain("Rail");
    const refused = await post("/console/rewards", { _csrf: csrf, _form: "create-reward", name: "Bag", type: "fixed_discount", costPoints: "-5" }, { cookie });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toMatch(/id="create-reward-costPoints"[^>]*aria-invalid="true"/);
    expect(page).toMatch(/id="create-reward-costPoints-error"/);
  });

  it("signs out only with the token, and the cookie is cleared", async () => {
    const program = await createProgram();
    const { cookie, csrf } = await signIn(program.admin);
    expect((await post("/console/session/end", { _csrf: "nope" }, { cookie })).status).toBe(403);
    const out = await post("/console/session/end", { _csrf: csrf }, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/treue_console=;.*Max-Age=0/i);
  });
});

describe("console roles", () => {
  it("gives a server key a read-only view: pages without forms, posts refused", async () => {
    const program = await createProgram();
    await enroll(program.server, "reader-1");
    const { cookie, csrf } = await signIn(program.server);
    const member = await get("/console/members/reader-1", cookie);
    expect(member.status).toBe(200);
    const text = await member.text();
    expect(text).toContain("read-only");
    expect(text).not.toContain('id="grant-tier"');
    expect((await get("/console/keys", cookie)).status).toBe(403);
    const res = await post("/console/settings", { _csrf: csrf, _form: "settings", settings: '{"name":"Renamed"}' }, { cookie });
    expect(res.status).toBe(403);
  });

  it("shows a partner key its settlement only", async () => {
    const program = await createProgram();
    const res = await post("/console/session", { key: program.partner });
    expect(res.headers.get("location")).toBe("/console/settlements");
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    expect((await get("/console/settlements", cookie)).status).toBe(200);
    expect((await get("/console", cookie)).status).toBe(403);
    expect((await get("/console/members/x", cookie)).status).toBe(403);
  });
});
