// Builds the OpenAPI 3.1 document from the registered route declarations.
import { z } from "zod";
import type { RegisteredRoute } from "./route";

export function buildOpenApi(routes: readonly RegisteredRoute[], info: { title: string; version: string; description: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.hidden) continue;
    const path = r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      (paths[path] ??= {})[m] = operation(r);
    }
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "A Steward API key (when access control is configured)." },
      },
    },
  };
}

function operation(r: RegisteredRoute): Record<string, unknown> {
  const parameters: unknown[] = [];
  for (const [where, schema] of [["path", r.params], ["query", r.query]] as const) {
    if (!schema) continue;
    const js = toJson(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      parameters.push({ name, in: where, required: where === "path" || (js.required ?? []).includes(name), schema: s });
    }
  }
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(r.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema ? { content: { [spec.contentType ?? "application/json"]: { schema: toJson(spec.schema, "output") } } } : {}),
    };
  }
  return {
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags,
    "x-steward-scope": r.scope,
    ...(r.butlerFlag ? { "x-butler-endpoint": r.butlerFlag } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: !r.body.safeParse(undefined).success, content: { "application/json": { schema: toJson(r.body) } } } } : {}),
    responses,
  };
}

function toJson(schema: z.ZodType, io: "input" | "output" = "input"): unknown {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
