/**
 * OpenAPI 3.1 generated from the route table: every route's params, query/body and response schema, converted with
 * zod's own `z.toJSONSchema`, plus the one error shape. Nothing is written by hand, so it cannot drift.
 */
import { z } from "zod";
import type { RouteSpec, RouteTable } from "./routes.js";

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
});

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, "{$1}");
}

function operation(spec: RouteSpec) {
  const parameters: unknown[] = [];
  const params = jsonSchema(spec.params, "input") as { properties?: Record<string, unknown> };
  for (const [name, schema] of Object.entries(params.properties ?? {})) {
    parameters.push({ name, in: "path", required: true, schema });
  }
  if (spec.method === "GET") {
    const query = jsonSchema(spec.request, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
    }
  }
  const security =
    spec.auth === "admin" || spec.auth === "signed-in"
      ? [{ zohoSession: [] }]
      : spec.auth === "addin"
        ? [{ addinBearer: [] }]
        : [];
  return {
    operationId: spec.name,
    ...(spec.summary ? { summary: spec.summary } : {}),
    tags: [spec.family],
    security,
    parameters,
    ...(spec.method === "GET"
      ? {}
      : {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(spec.request, "input") } },
          },
        }),
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: jsonSchema(spec.response, "output") } } },
      default: { description: "Error", content: { "application/json": { schema: jsonSchema(errorSchema, "output") } } },
    },
  };
}

export function openApiDocument(table: RouteTable, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of table.specs) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: { title: "Exchange ⇄ Zoho CRM Bridge", version },
    components: {
      securitySchemes: {
        zohoSession: { type: "apiKey", in: "cookie", name: "bridge_session" },
        addinBearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
    },
    paths,
  };
}
