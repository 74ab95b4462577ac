// The served OpenAPI document as a contract: what the test client checks every answer against, and how requests and answers are described.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accrue, BASE, call, createProgram, enroll, expectLedgerConsistent } from "./helpers";
import { contractViolations } from "./openapi-check";

async function servedDocument() {
  const res = await exports.default.fetch(`${BASE}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

const accrualAnswer = {
  accrualId: "acc_1",
  orderId: "o-1",
  points: 10,
  breakdown: [{ rule: "base", points: 10 }],
  debtPaid: 0,
  lot: { id: "lot_1", availableAt: "2026-11-28T10:15:00.000Z", expiresAt: null },
  tierChange: null,
  settlement: { period: "2026-11", movedFrom: null },
  balance: {
    available: 10,
    pending: 0,
    held: 0,
    debt: 0,
    lifetimeEarned: 10,
    qualifyingPoints: 10,
    tier: null,
    nextTier: null,
    nextExpiries: [],
    availableValue: { amount: 10, currency: "EUR" },
  },
};

function answer(status: number, json: unknown, contentType = "application/json") {
  return { method: "POST", path: "/v1/members/m-1/accruals", status, contentType, text: JSON.stringify(json), json };
}

describe("the response check of the test client", () => {
  it("accepts an answer the document describes", async () => {
    expect(await contractViolations(answer(201, accrualAnswer))).toEqual([]);
  });

  it("refuses a property the document does not declare, at any depth", async () => {
    const top = await contractViolations(answer(201, { ...accrualAnswer, surprise: 1 }));
    expect(top.join("\n")).toMatch(/surprise/);
    const nested = await contractViolations(answer(201, { ...accrualAnswer, balance: { ...accrualAnswer.balance, surprise: 1 } }));
    expect(nested.join("\n")).toMatch(/balance.*surprise/);
  });

  it("refuses a missing required property and a wrong type", async () => {
    const { accrualId: _dropped, ...missing } = accrualAnswer;
    expect(await contractViolations(answer(201, missing))).not.toEqual([]);
    expect(await contractViolations(answer(201, { ...accrualAnswer, points: "10" }))).not.toEqual([]);
  });

  it("refuses a status or a content type the route does not document", async () => {
    expect((await contractViolations(answer(202, accrualAnswer))).join("\n")).toMatch(/status 202 is not documented/);
    expect((await contractViolations(answer(201, accrualAnswer, "text/plain"))).join("\n")).toMatch(/text\/plain/);
  });

  it("checks error bodies against the problem schema, their status and their code", async () => {
    const problem = { type: "https://treue.dev/problems/insufficient-points", title: "Not enough points", status: 422, detail: "x", code: "insufficient_points" };
    expect(await contractViolations(answer(422, problem, "application/problem+json"))).toEqual([]);
    const { code: _code, ...codeless } = problem;
    expect(await contractViolations(answer(422, codeless, "application/problem+json"))).not.toEqual([]);
    expect((await contractViolations(answer(422, { ...problem, status: 409 }, "application/problem+json"))).join("\n")).toMatch(/not the HTTP status/);
    expect((await contractViolations(answer(422, { ...problem, code: "made_up" }, "application/problem+json"))).join("\n")).toMatch(/made_up/);
    // Unknown routes answer problems too, and those are checked as well.
    expect(await contractViolations({ method: "GET", path: "/nowhere", status: 404, contentType: "text/plain", text: "no", json: "no" })).not.toEqual([]);
  });
});

describe("the OpenAPI document", () => {
  it("declares what an accrual answers and what an entry holds (settlement, settlementPeriod, lotId, memberId)", async () => {
    const program = await createProgram();
    await enroll(program.server, "m-1");
    // Both answers pass through the checking client: an undeclared field would fail here.
    const accrued = await accrue(program.server, "m-1", 1000);
    expect(accrued.status).toBe(201);
    expect(accrued.json.settlement).toEqual({ period: expect.any(String), movedFrom: null });
    const page = await call("/v1/members/m-1/transactions", { key: program.server });
    expect(page.status).toBe(200);
    expect(page.json.data[0]).toMatchObject({ memberId: "m-1", lotId: expect.any(String), settlementPeriod: expect.any(String) });
    await expectLedgerConsistent(program.programId, program.server);
  });

  it("lists the servers and secures every operation, the unauthenticated ones with an empty list", async () => {
    const document = await servedDocument();
    expect(document.servers).toEqual([{ url: BASE, description: expect.any(String) }]);
    for (const [path, item] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        expect(operation.security, `${method} ${path}`).toBeDefined();
      }
    }
    expect(document.paths["/ping"].get.security).toEqual([]);
    expect(document.paths["/health"].get.security).toEqual([]);
  });

  it("describes requests by what a caller may send: a field with a default is optional", async () => {
    const document = await servedDocument();
    const accrual = document.components.requestBodies.Accrual.content["application/json"].schema;
    expect(accrual.required).toEqual(["orderId", "amount"]);
    expect(accrual.properties.channel.default).toBe("online");
    const offenders: string[] = [];
    const visit = (node: any, where: string) => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${where}/${i}`));
      if (node === null || typeof node !== "object") return;
      for (const [name, property] of Object.entries<any>(node.properties ?? {})) {
        if (property && "default" in property && node.required?.includes(name)) offenders.push(`${where}/${name}`);
      }
      for (const [key, value] of Object.entries(node)) if (key !== "example") visit(value, `${where}/${key}`);
    };
    visit(document.components.requestBodies, "#/components/requestBodies");
    expect(offenders).toEqual([]);
    // No request reaches a component schema with a default (generators take those as an answer's shape).
    const reached = new Set<string>();
    const follow = (node: any) => {
      if (Array.isArray(node)) return node.forEach(follow);
      if (node === null || typeof node !== "object") return;
      const name = typeof node.$ref === "string" && node.$ref.startsWith("#/components/schemas/") ? node.$ref.split("/").pop() : undefined;
      if (name && !reached.has(name)) {
        reached.add(name);
        follow(document.components.schemas[name]);
      }
      for (const [key, value] of Object.entries(node)) if (key !== "example") follow(value);
    };
    follow(document.components.requestBodies);
    for (const item of Object.values<any>(document.paths)) for (const operation of Object.values<any>(item)) follow(operation.requestBody);
    expect([...reached].filter((name) => JSON.stringify(document.components.schemas[name]).includes('"default"'))).toEqual([]);
  });

  it("describes answers by what the API returns: a defaulted setting is always there", async () => {
    const document = await servedDocument();
    const settings = document.components.schemas.ProgramSettings;
    expect(settings.required).toEqual(expect.arrayContaining(["currency", "earnRate", "rounding", "expiry", "holdTtlSeconds"]));
    const program = await createProgram();
    const res = await call("/v1/program", { key: program.admin });
    expect(res.status).toBe(200);
    for (const name of settings.required) expect(res.json.settings, name).toHaveProperty(name);
  });

  it("shows no default for a PATCH's own fields: an absent field stays as it is", async () => {
    const document = await servedDocument();
    const ref = document.paths["/v1/program"].patch.requestBody.$ref as string | undefined;
    const body = ref ? document.components.requestBodies[ref.split("/").pop()!] : document.paths["/v1/program"].patch.requestBody;
    const schema = body.content["application/json"].schema;
    for (const [name, property] of Object.entries<any>(schema.properties)) expect(property, name).not.toHaveProperty("default");
  });
});

describe("the OpenAPI document as a reference", () => {
  it("gives every operation a summary, a description, an example request and answer, and lists each error's codes", async () => {
    const document = await servedDocument();
    const resolve = (node: any) => (typeof node?.$ref === "string" ? node.$ref.slice(2).split("/").reduce((at: any, key: string) => at?.[key], document) : node);
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        if (!operation?.responses) continue;
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        if (!operation.summary?.trim()) missing.push(`${where}: no summary`);
        if (!operation.description?.trim()) missing.push(`${where}: no description`);
        const body = resolve(operation.requestBody);
        for (const [type, media] of Object.entries<any>(body?.content ?? {})) {
          if (media.example === undefined && media.examples === undefined) missing.push(`${where}: no example request (${type})`);
        }
        let answered = false;
        for (const [status, reference] of Object.entries<any>(operation.responses)) {
          const response = resolve(reference);
          for (const [type, media] of Object.entries<any>(response.content ?? {})) {
            if (media.example === undefined && media.examples === undefined) missing.push(`${where} ${status}: no example answer (${type})`);
            else if (status.startsWith("2")) answered = true;
          }
          if (!response.content && status.startsWith("2")) answered = true;
          if (Number(status) >= 400 && !/`[a-z_]+`/.test(response.description ?? "")) missing.push(`${where} ${status}: lists no code`);
        }
        if (!answered) missing.push(`${where}: no example answer`);
      }
    }
    expect(operations).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
