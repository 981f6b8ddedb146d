// Builds the OpenAPI 3.1 document from the registered route declarations.
import { z } from "zod";
import type { RegisteredRoute } from "./route";
import { scopesOpening } from "./scope-grants";
import { SCOPES } from "./types";

const GRANTABLE = SCOPES.filter((s) => s !== "public");

export function buildOpenApi(
  routes: readonly RegisteredRoute[],
  info: { title: string; version: string; description: string; license?: { name: string; identifier?: string } },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const r of routes) {
    if (r.hidden) continue;
    const path = r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      (paths[path] ??= {})[m] = { operationId: uniqueId(operationIdOf(m, r.path), ids), ...operation(r, m) };
    }
  }
  return {
    openapi: "3.1.0",
    info,
    // Relative: the document describes the Steward that serves it, wherever it listens.
    servers: [{ url: "/", description: "this Steward (the host and port /openapi.json was read from)" }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "A Steward API key (when access control is configured)." },
      },
    },
  };
}

function operation(r: RegisteredRoute, method: string): Record<string, unknown> {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ["path", r.params],
    ["query", r.query],
  ] as const) {
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
      ...(spec.schema
        ? {
            content: {
              [spec.contentType ?? "application/json"]: { schema: toJson(typeof spec.schema === "function" ? spec.schema() : spec.schema, "output") },
            },
          }
        : {}),
    };
  }
  // Every operation can answer 400 (a malformed Host header, or an input that does not validate); protected ones
  // also 401 and 403. Declared where a route does not say it itself.
  const add = (status: string, description: string) => (responses[status] ??= { description });
  add(
    "400",
    r.params || r.query || r.body
      ? "Bad request: a parameter, query or body that does not validate (the body names the field)"
      : "Bad request: a malformed Host header",
  );
  if (r.scope !== "public") {
    add("401", "No credentials, or credentials Steward does not know (when access control is configured)");
    add(
      "403",
      r.selfService
        ? `The credentials lack the scope ${r.scope}, and the caller is not a person signed in acting on their own`
        : `The credentials lack the scope ${r.scope}`,
    );
  }
  return {
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags,
    "x-steward-scope": r.scope,
    // Every scope whose key opens this operation: the route's own, admin, and read where a read key may look.
    ...(r.scope !== "public" ? { "x-steward-scopes": scopesOpening(r.scope, method, GRANTABLE) } : {}),
    // Also a person signed in with single sign-on, for what is their own (the handler decides).
    ...(r.selfService ? { "x-steward-self-service": true } : {}),
    // Public routes need nothing; the others take an API key (or a client certificate on the mTLS listener).
    security: r.scope === "public" ? [] : [{ apiKey: [] }],
    ...(r.butlerFlag ? { "x-butler-endpoint": r.butlerFlag } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: !r.body.safeParse(undefined).success, content: { "application/json": { schema: toJson(r.body) } } } } : {}),
    responses,
  };
}

/** "get /v4/keyvalues/:namespace/keyexists" → "getKeyvaluesNamespaceKeyexists": stable method names for generated clients. */
function operationIdOf(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((seg) => seg && seg !== "v4")
    .map((seg) => seg.replace(/^:/, "").replace(/\{[^}]*\}$/, ""))
    .flatMap((seg) => seg.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function uniqueId(id: string, taken: Set<string>): string {
  let out = id;
  for (let n = 2; taken.has(out); n++) out = `${id}${n}`;
  taken.add(out);
  return out;
}

function toJson(schema: z.ZodType, io: "input" | "output" = "input"): unknown {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
