// The examples the published document derives from its schemas (src/app/openapi-examples.ts), on small documents.
import { describe, expect, it } from "vitest";
import { exampleOf, withExamples } from "../src/app/openapi-examples";

const document = {
  components: {
    schemas: {
      Money: { type: "object", properties: { amount: { type: "integer", example: 4999 }, currency: { type: "string", enum: ["EUR", "USD"] } }, required: ["amount", "currency"] },
      Settings: {
        type: "object",
        properties: { rounding: { type: "string", default: "floor" }, tiers: { type: "array", items: { type: "string", example: "gold" } }, cors: { type: "object", properties: { allowedOrigins: { type: "array", items: { type: "string" }, default: [] } } } },
        // A partial example: the members it leaves out come from their own schemas.
        example: { rounding: "ceil" },
      },
    },
  },
};

describe("exampleOf", () => {
  it("takes the schema's own examples, then defaults, enums and types, through references", () => {
    expect(exampleOf(document, { $ref: "#/components/schemas/Money" })).toEqual({ amount: 4999, currency: "EUR" });
    expect(exampleOf(document, { anyOf: [{ type: "null" }, { type: "integer", minimum: 3 }] })).toBe(3);
    expect(exampleOf(document, { type: ["string", "null"], format: "date-time" })).toBe("2026-11-28T10:15:00.000Z");
    expect(exampleOf(document, { type: "object", properties: { createdAt: { type: "string" } } })).toEqual({ createdAt: "2026-11-28T10:15:00.000Z" });
  });

  it("completes a partial object example from its members' schemas", () => {
    expect(exampleOf(document, { $ref: "#/components/schemas/Settings" })).toEqual({ rounding: "ceil", tiers: ["gold"], cors: { allowedOrigins: [] } });
  });
});

describe("withExamples", () => {
  it("adds a request and an answer example, a problem example per error status, and lists the status's codes", () => {
    const published = withExamples({
      ...structuredClone(document),
      paths: {
        "/v1/pay": {
          post: {
            requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Money" } } } },
            responses: {
              "201": { description: "Paid.", content: { "application/json": { schema: { $ref: "#/components/schemas/Money" }, example: { amount: 1, currency: "USD" } } } },
              "422": { description: "Refused.", content: { "application/problem+json": { schema: { type: "object" } } } },
            },
          },
        },
      },
    });
    const operation = published.paths["/v1/pay"].post;
    expect(operation.requestBody.content["application/json"].example).toEqual({ amount: 4999, currency: "EUR" });
    // An example the route gave stays.
    expect(operation.responses["201"].content["application/json"].example).toEqual({ amount: 1, currency: "USD" });
    expect(operation.responses["422"].content["application/problem+json"].example).toMatchObject({ status: 422, code: expect.any(String) });
    expect(operation.responses["422"].description).toMatch(/Codes of this status: .*`insufficient_points`/);
  });
});
