// Examples for the published document, derived from the schemas' own `example`s (zod's `.openapi({ example })`):
// every request body and answer gets one, so the reference shows a full request and answer for every
// operation, and every error answer lists the codes its status carries. Nothing here is per route.

import { errorStatuses } from "../lib/errors";

type Json = any;

const MAX_DEPTH = 8;

/** The codes of each status, in the order of the map. */
const CODES_BY_STATUS = new Map<number, string[]>();
for (const [code, status] of Object.entries(errorStatuses)) CODES_BY_STATUS.set(status, [...(CODES_BY_STATUS.get(status) ?? []), code]);

function resolve(document: Json, node: Json): Json {
  let seen = 0;
  while (node && typeof node.$ref === "string" && seen++ < 20) {
    node = node.$ref
      .slice(2)
      .split("/")
      .reduce((at: Json, key: string) => at?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  }
  return node;
}

const STRING_FORMATS: Record<string, string> = {
  "date-time": "2026-11-28T10:15:00.000Z",
  date: "2026-11-28",
  email: "ada@example.com",
  uri: "https://shop.example/loyalty",
  url: "https://shop.example/loyalty",
  uuid: "8c7c2b9e-6f1d-4f55-9a43-3d1f4d0e5b21",
};

/** An example value the schema accepts, preferring what the schema itself shows. */
export function exampleOf(document: Json, schema: Json, depth = 0): Json {
  const node = resolve(document, schema);
  if (node === undefined || node === null || typeof node !== "object" || depth > MAX_DEPTH) return undefined;
  // A reference with siblings: the siblings' example wins (resolve() followed the $ref).
  const shown = schema?.example ?? node.example ?? (Array.isArray(node.examples) ? node.examples[0] : undefined) ?? (isPlainObject(node.default) ? node.default : undefined);
  // An object's example may show only some members: the others come from their own schemas.
  if (isPlainObject(shown) && node.properties) return merge(objectExample(document, node, depth), shown);
  if (shown !== undefined) return shown;
  if (node.const !== undefined) return node.const;
  if (node.default !== undefined) return node.default;
  if (Array.isArray(node.enum) && node.enum.length) return node.enum.find((value: Json) => value !== null) ?? node.enum[0];
  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((part: Json) => exampleOf(document, part, depth + 1));
    if (parts.every((part: Json) => part && typeof part === "object" && !Array.isArray(part))) return Object.assign({}, ...parts, objectExample(document, node, depth));
    return parts.find((part: Json) => part !== undefined);
  }
  const branches = node.anyOf ?? node.oneOf;
  if (Array.isArray(branches)) {
    const nonNull = branches.filter((branch: Json) => resolve(document, branch)?.type !== "null");
    return exampleOf(document, nonNull[0] ?? branches[0], depth + 1);
  }
  const types: string[] = Array.isArray(node.type) ? node.type : node.type ? [node.type] : node.properties ? ["object"] : [];
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object":
      return objectExample(document, node, depth);
    case "array": {
      if (node.maxItems === 0) return [];
      const item = exampleOf(document, node.items, depth + 1);
      // Too deep to show an item: an array that needs one is left out rather than shown empty.
      if (item === undefined) return node.minItems > 0 ? undefined : [];
      return [item];
    }
    case "string": {
      if (typeof node.format === "string" && STRING_FORMATS[node.format]) return STRING_FORMATS[node.format];
      const text = "example";
      return node.minLength > text.length ? text.padEnd(node.minLength, "x") : text.slice(0, node.maxLength ?? text.length);
    }
    case "integer":
    case "number": {
      if (typeof node.minimum === "number") return node.minimum;
      if (typeof node.exclusiveMinimum === "number") return type === "integer" ? Math.floor(node.exclusiveMinimum) + 1 : node.exclusiveMinimum + 1;
      if (typeof node.maximum === "number" && node.maximum < 0) return node.maximum;
      return 1;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return undefined;
  }
}

const isPlainObject = (value: Json) => value !== null && typeof value === "object" && !Array.isArray(value);

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries<Json>(over)) out[key] = isPlainObject(value) && isPlainObject(base[key]) ? merge(base[key], value) : value;
  return out;
}

function objectExample(document: Json, node: Json, depth: number): Json {
  const out: Json = {};
  for (const [name, property] of Object.entries<Json>(node.properties ?? {})) {
    const value = exampleOf(document, property, depth + 1);
    // A plain string named like a moment (`createdAt`) reads better as one.
    if (value === "example" && /[a-z]At$/.test(name)) out[name] = STRING_FORMATS["date-time"];
    else if (value !== undefined) out[name] = value;
  }
  // An object missing a member it requires would not be valid: none is shown.
  if (Array.isArray(node.required) && node.required.some((name: string) => !(name in out))) return undefined;
  return out;
}

/** The problem an error status answers, with the first of its codes. */
function problemExample(status: number): Json | undefined {
  const code = CODES_BY_STATUS.get(status)?.[0];
  if (!code) return undefined;
  return { type: `https://treue.dev/problems/${code.replaceAll("_", "-")}`, title: code.replaceAll("_", " "), status, detail: `A ${status} answer: see \`code\`.`, code };
}

function addMediaExample(document: Json, media: Json, fallback?: Json): void {
  if (!media || typeof media !== "object" || media.example !== undefined || media.examples !== undefined) return;
  const value = fallback ?? exampleOf(document, media.schema);
  if (value !== undefined) media.example = value;
}

/** The codes the status carries, listed in the answer's description (once). */
function listCodes(response: Json, status: number): void {
  const codes = CODES_BY_STATUS.get(status);
  if (!codes?.length || typeof response.description !== "string" || response.description.includes("Codes of this status:")) return;
  response.description = `${response.description} Codes of this status: ${codes.map((code) => `\`${code}\``).join(", ")}.`;
}

/** The document with an example on every request body and answer that has none, and each error's codes listed. */
export function withExamples(document: Json): Json {
  for (const item of Object.values<Json>(document.paths ?? {})) {
    for (const operation of Object.values<Json>(item ?? {})) {
      if (!operation || typeof operation !== "object" || !operation.responses) continue;
      const body = resolve(document, operation.requestBody);
      for (const media of Object.values<Json>(body?.content ?? {})) addMediaExample(document, media);
      for (const [status, reference] of Object.entries<Json>(operation.responses)) {
        const response = resolve(document, reference);
        if (!response) continue;
        const code = Number(status);
        const isError = code >= 400;
        if (isError) listCodes(response, code);
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) {
          addMediaExample(document, media, isError && type === "application/problem+json" ? problemExample(code) : undefined);
        }
      }
    }
  }
  return document;
}
