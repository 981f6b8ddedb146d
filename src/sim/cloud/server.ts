// The simulated Qlik Cloud tenant's REST API over HTTPS (the simulator's server certificate, no client
// certificate): the Reloads API with its real shapes and cursor paging, full reload logs, app, item, space and
// user metadata, the Scheduling Tasks API (scheduling-api.ts), the Automations API (automations-api.ts), API-key
// bearer auth and the per-minute rate limits with 429 and Retry-After.
import type { CertSet } from "../certs/generate";
import type { RequestLog } from "../traffic/request-log";
import { pickHeaders } from "../traffic/request-log";
import { empty, json, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime } from "../../platform/runtime";
import { handleScheduling } from "./scheduling-api";
import { handleAutomations } from "./automations-api";
import { apiError } from "./api-error";
import { handleMetadata } from "./metadata-api";
import { listReloads, readReload, startReload } from "./reloads-api";
import { CLOUD_TENANT_ID, type CloudTenant } from "./tenant";

export interface CloudServerDeps {
  tenant: CloudTenant;
  certs: CertSet;
  requestLog: RequestLog;
  now: () => number;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

export function createCloudServer(deps: CloudServerDeps): Listener {
  const { tenant } = deps;
  const handle = (req: Request, url: URL): Response => {
    // What the tenant answers follows its own clock, not how promptly this machine ran its timers.
    tenant.settle(deps.now());
    const auth = req.headers.get("authorization") ?? "";
    if (!auth.startsWith("Bearer ") || !tenant.accepts(auth.slice("Bearer ".length), deps.now())) return apiError(401, "Unauthorized", "HTTP-401");
    const path = url.pathname.replace(/\/+$/, "");
    if (tenant.overBudget(deps.now(), path.startsWith("/api/scheduling/") ? "scheduling" : "tier1"))
      return json(
        429,
        { errors: [{ title: "Too Many Requests", code: "HTTP-429", status: "429" }] },
        { "Retry-After": String(tenant.settings.retryAfterSeconds) },
      );
    const misbehave = tenant.settings.misbehave;
    if (misbehave === "html") return text(200, "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>", "text/html");
    const scheduling = handleScheduling(tenant, req, url, path, CLOUD_TENANT_ID);
    if (scheduling) return scheduling;
    const automationsPath = path.startsWith("/api/v1/automations") || path.startsWith("/api/workflows/automations");
    if (!tenant.settings.workflowsApi && path.startsWith("/api/workflows/")) return apiError(404, "Not Found", "HTTP-404");
    if (tenant.settings.automationsForbidden && automationsPath) return apiError(403, "Forbidden", "AUTOMATIONS-403");
    if (tenant.settings.listAllRefused && url.searchParams.has("listAll")) return apiError(400, "Bad Request: unknown parameter listAll", "AUTOMATIONS-400");
    const automations = handleAutomations(tenant.automations, req, url, path);
    if (automations) return automations;
    if (req.method === "GET" && path === "/api/v1/reloads") return listReloads(tenant, url);
    if (req.method === "POST" && path === "/api/v1/reloads") return empty(405); // handled in fetch (needs the body)
    return readReload(tenant, req, path) ?? handleMetadata(tenant, req, url, path, deps.now());
  };

  /** The client credentials grant, JSON or form body, as Qlik Cloud's OAuth token endpoint takes it. */
  const oauthToken = async (req: Request): Promise<Response> => {
    const raw = await req.text();
    let fields: Record<string, unknown>;
    try {
      fields = (req.headers.get("content-type") ?? "").includes("json")
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return json(400, { error: "invalid_request", error_description: "body is not JSON" });
    }
    if (fields.grant_type !== "client_credentials") return json(400, { error: "unsupported_grant_type" });
    const t = tenant.issueToken(String(fields.client_id ?? ""), String(fields.client_secret ?? ""), deps.now());
    if (!t) return json(401, { error: "invalid_client", error_description: "client authentication failed" });
    return json(200, { access_token: t.token, token_type: "bearer", expires_in: t.expiresIn, scope: "user_default" });
  };

  const serve = (port: number) =>
    runtime.serve({
      hostname: deps.hostname,
      port,
      tls: { cert: deps.certs.serverCert, key: deps.certs.serverKey },
      fetch: async (req) => {
        const url = new URL(req.url);
        const bearer = (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
        const authorized = tenant.accepts(bearer, deps.now());
        const path = url.pathname.replace(/\/+$/, "");
        const res =
          req.method === "POST" && path === "/oauth/token"
            ? await oauthToken(req)
            : req.method === "POST" && path === "/api/v1/reloads" && authorized && !tenant.overBudget(deps.now())
              ? await startReload(tenant, req)
              : handle(req, url);
        deps.requestLog.add(
          {
            source: "cloud",
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: pickHeaders(req.headers),
            status: res.status,
          },
          deps.now(),
        );
        return res;
      },
    });
  return createListener("Qlik Cloud tenant", deps.port, serve, deps.onError);
}
