// Turns the generated OpenAPI document into the published one: requests as a caller may send them, responses as the API sends them.
//
// One zod schema both validates a request (filling in defaults) and describes
// it, so a field with a default is optional to send but always present once
// parsed. Generators read a `default` inside components/schemas as "always
// there" (openapi-typescript makes such fields required), which is right for
// an answer and wrong for a request. So a request body whose schema holds a
// default anywhere is published inline, as a named components/requestBodies
// entry where `default` means "what the API assumes when you leave it out",
// and the components/schemas left (what answers use) list their defaulted
// fields as required.

import { z } from "@hono/zod-openapi";
import { withExamples } from "./openapi-examples";

type Json = any;

const SCHEMA_REF = "#/components/schemas/";

const nameOf = (ref: string) => ref.slice(SCHEMA_REF.length);

function walk(node: Json, visit: (node: Json) => void): void {
  if (Array.isArray(node)) return node.forEach((item) => walk(item, visit));
  if (node === null || typeof node !== "object") return;
  visit(node);
  for (const [key, value] of Object.entries(node)) if (key !== "example" && key !== "examples") walk(value, visit);
}

/** Whether the schema, or any component it refers to, has a `default`. */
function holdsDefault(schema: Json, schemas: Record<string, Json>, seen = new Set<string>()): boolean {
  let found = false;
  walk(schema, (node) => {
    if ("default" in node) found = true;
    if (typeof node.$ref === "string" && node.$ref.startsWith(SCHEMA_REF) && !seen.has(node.$ref)) {
      seen.add(node.$ref);
      if (holdsDefault(schemas[nameOf(node.$ref)], schemas, seen)) found = true;
    }
  });
  return found;
}

/** A copy of the schema with every component that holds a default written out in place (defaults and all). */
function inlineDefaults(schema: Json, schemas: Record<string, Json>): Json {
  if (Array.isArray(schema)) return schema.map((item) => inlineDefaults(item, schemas));
  if (schema === null || typeof schema !== "object") return schema;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith(SCHEMA_REF)) {
    const target = schemas[nameOf(schema.$ref)];
    if (holdsDefault(target, schemas)) {
      const { $ref: _ref, ...siblings } = schema;
      return { ...inlineDefaults(target, schemas), ...siblings };
    }
    return schema;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    // Its mapping names components that are now written out in place; the branches' `type` constants say the same.
    if (key === "discriminator") continue;
    out[key] = key === "example" || key === "examples" ? value : inlineDefaults(value, schemas);
  }
  // An allOf of one schema (a zod escape hatch for a `$ref`) is that schema, now written out.
  if (Array.isArray(out.allOf) && out.allOf.length === 1) {
    const { allOf: [only], ...rest } = out;
    return { ...only, ...rest };
  }
  return out;
}

/** In an answer a defaulted field is always there. */
function requireDefaulted(schema: Json): void {
  walk(schema, (node) => {
    if (!node.properties || typeof node.properties !== "object") return;
    const defaulted = Object.entries<Json>(node.properties).filter(([, property]) => property && "default" in property).map(([name]) => name);
    if (defaulted.length) node.required = [...new Set([...(node.required ?? []), ...defaulted])];
  });
}

/**
 * `answers` names components whose defaulted members the generator cannot
 * show (a default on a member that is itself a component is dropped); zod's
 * own output schema says which members an answer always holds.
 */
export function publishedDocument(generated: Json, answers: Record<string, z.ZodType> = {}): Json {
  const document = structuredClone(generated);
  const schemas: Record<string, Json> = document.components?.schemas ?? {};
  const requestBodies: Record<string, Json> = {};
  for (const item of Object.values<Json>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const body = operation?.requestBody;
      const media = body?.content?.["application/json"];
      if (!media?.schema || !holdsDefault(media.schema, schemas)) continue;
      const schema = inlineDefaults(media.schema, schemas);
      // In a merge patch an absent field stays as it is: nothing is assumed for it.
      if (method === "patch") for (const property of Object.values<Json>(schema.properties ?? {})) delete property.default;
      const ref = typeof media.schema.$ref === "string" ? nameOf(media.schema.$ref) : operation.operationId;
      requestBodies[ref] = { ...body, content: { ...body.content, "application/json": { ...media, schema } } };
      operation.requestBody = { $ref: `#/components/requestBodies/${ref}` };
    }
  }
  if (Object.keys(requestBodies).length) document.components.requestBodies = { ...document.components.requestBodies, ...requestBodies };
  // Components only requests used are now written out in their request bodies.
  for (;;) {
    const used = new Set<string>();
    walk({ paths: document.paths, requestBodies: document.components.requestBodies, schemas }, (node) => {
      if (typeof node.$ref === "string" && node.$ref.startsWith(SCHEMA_REF)) used.add(nameOf(node.$ref));
    });
    // Deleting one may leave others unused: repeat until every component left is used.
    const unused = Object.keys(schemas).filter((name) => !used.has(name));
    if (!unused.length) break;
    for (const name of unused) delete schemas[name];
  }
  for (const schema of Object.values(schemas)) requireDefaulted(schema);
  for (const [name, zodSchema] of Object.entries(answers)) {
    const schema = schemas[name];
    if (!schema) continue;
    const json = z.toJSONSchema(zodSchema, { io: "output", unrepresentable: "any" }) as Json;
    // A schema registered with an id comes back as a $ref to its own definition.
    const root = typeof json.$ref === "string" ? json.$defs?.[json.$ref.split("/").pop()!] : json;
    const always: string[] = root?.required ?? [];
    schema.required = [...new Set([...(schema.required ?? []), ...always])];
  }
  for (const item of Object.values<Json>(document.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      for (const response of Object.values<Json>(operation?.responses ?? {})) {
        for (const media of Object.values<Json>(response?.content ?? {})) requireDefaulted(media.schema);
      }
    }
  }
  return withExamples(document);
}
