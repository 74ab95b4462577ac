// Checks every answer the test client receives against the served OpenAPI document (route, method, status, content type, body), objects closed.
import { Validator, type Schema } from "@cfworker/json-schema";
import { exports } from "cloudflare:workers";

type Json = any;

interface Operation {
  template: string;
  method: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

interface Contract {
  operations: Operation[];
  defs: Record<string, Json>;
  problem: Json;
  codes: Set<string>;
  validators: Map<string, Validator>;
}

const OPEN = "__open";
const APPLICATORS = ["allOf", "anyOf", "oneOf"];
const SUBSCHEMA = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"];
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas"];

/**
 * The document's schema with every object closed: a schema that does not say
 * what else an object may hold gets `unevaluatedProperties: false`, so a
 * property the API sends but the document does not declare fails. Branches of
 * allOf/anyOf/oneOf stay open (their owner is closed and sees what they
 * evaluate), so composition works; a `$ref` from a branch points at the
 * component's open twin.
 */
function closed(schema: Json, branch = false): Json {
  if (Array.isArray(schema)) return schema.map((item) => closed(item));
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "example" || key === "examples" || key === "discriminator") continue;
    if (key === "$ref") out.$ref = String(value).replace("#/components/schemas/", "#/$defs/") + (branch ? OPEN : "");
    else if (APPLICATORS.includes(key)) out[key] = (value as Json[]).map((item) => closed(item, true));
    else if (SUBSCHEMA.includes(key)) out[key] = closed(value);
    else if (SUBSCHEMA_MAPS.includes(key)) out[key] = Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, closed(sub)]));
    else out[key] = value;
  }
  const objectLike = "properties" in out || out.type === "object" || APPLICATORS.some((key) => key in out);
  if (!branch && objectLike && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) {
    out.unevaluatedProperties = false;
  }
  return out;
}

function compile(document: Json): Contract {
  const defs: Record<string, Json> = {};
  for (const [name, schema] of Object.entries<Json>(document.components?.schemas ?? {})) {
    defs[name] = closed(schema);
    defs[name + OPEN] = closed(schema, true);
  }
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Json>(document.paths ?? {})) {
    const segments = template.split("/");
    const pattern = new RegExp(`^${segments.map((s) => (s.startsWith("{") ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/")}$`);
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (!operation?.responses) continue;
      operations.push({
        template,
        method: method.toUpperCase(),
        pattern,
        literalSegments: segments.filter((s) => !s.startsWith("{")).length,
        responses: operation.responses,
      });
    }
  }
  // A literal segment beats a parameter (`/v1/jobs/runs` before `/v1/jobs/{job}`).
  operations.sort((a, b) => b.literalSegments - a.literalSegments);
  const problem = document.components?.schemas?.Problem;
  if (!problem) throw new Error("The document declares no Problem schema.");
  const codes = new Set<string>(problem.properties?.code?.enum ?? []);
  return { operations, defs, problem: { $ref: "#/components/schemas/Problem" }, codes, validators: new Map() };
}

let contract: Promise<Contract> | undefined;

async function load(): Promise<Contract> {
  const res = await exports.default.fetch("http://treue.test/openapi.json");
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}.`);
  return compile(await res.json());
}

function validate(c: Contract, key: string, schema: Json, body: unknown): string[] {
  let validator = c.validators.get(key);
  if (!validator) {
    validator = new Validator({ ...closed(schema), $defs: c.defs } as Schema, "2020-12", false);
    c.validators.set(key, validator);
  }
  const result = validator.validate(body);
  if (result.valid) return [];
  // The leaves say what is wrong; the rest only repeat "a subschema failed".
  const leaves = result.errors.filter((e) => !/^(allOf|\$ref|properties|items|false)$/.test(e.keyword) && !/False boolean schema/.test(e.error));
  return (leaves.length ? leaves : result.errors).slice(0, 8).map((e) => `${e.instanceLocation}: ${e.error}`);
}

export interface Answer {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  text: string;
  json: unknown;
}

/** Every way the answer departs from the document; empty when it matches. */
export async function contractViolations(answer: Answer): Promise<string[]> {
  const c = await (contract ??= load());
  const path = answer.path.split("?")[0]!;
  const mediaType = (answer.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const problems: string[] = [];
  if (mediaType === "application/problem+json") {
    problems.push(...validate(c, "problem", c.problem, answer.json));
    const body = answer.json as { status?: unknown; code?: unknown } | null;
    if (body?.status !== answer.status) problems.push(`problem status ${String(body?.status)} is not the HTTP status`);
    if (typeof body?.code === "string" && !c.codes.has(body.code)) problems.push(`code '${body.code}' is not among the documented codes`);
  }
  const operation = c.operations.find((o) => o.method === answer.method && o.pattern.test(path));
  if (!operation) {
    // Not a documented route (the Worker's 404 for unknown paths, the document and the docs page): only errors are checked.
    if (answer.status >= 400 && mediaType !== "application/problem+json") problems.push(`an error answered as ${mediaType || "no content type"}`);
    return problems;
  }
  const where = `${operation.method} ${operation.template}`;
  const response = operation.responses[String(answer.status)] ?? operation.responses[`${String(answer.status)[0]}XX`] ?? operation.responses.default;
  if (!response) return [...problems, `status ${answer.status} is not documented for ${where}`];
  if (!response.content) {
    if (answer.text !== "") problems.push(`${where} ${answer.status} documents no body, yet one was sent`);
    return problems;
  }
  const media = response.content[mediaType];
  if (!media) return [...problems, `${where} ${answer.status} documents ${Object.keys(response.content).join(", ")}, not '${mediaType}'`];
  if (mediaType === "application/problem+json" || !media.schema || !/json/.test(mediaType)) return problems;
  return [...problems, ...validate(c, `${where} ${answer.status} ${mediaType}`, media.schema, answer.json).map((p) => `${where} ${answer.status}: ${p}`)];
}
