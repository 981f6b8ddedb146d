// The simulated Qlik Cloud tenant's REST API over HTTPS (the simulator's server certificate, no client
// certificate): the Reloads API with its real shapes and cursor paging, full reload logs, app, item, space and
// user metadata, the Scheduling Tasks API (scheduling-api.ts), API-key bearer auth and the per-minute rate limits
// with 429 and Retry-After.
import type { CertSet } from "../certs/generate";
import type { RequestLog } from "../traffic/request-log";
import { pickHeaders } from "../traffic/request-log";
import { empty, json, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime } from "../../runtime";
import { handleScheduling } from "./scheduling-api";
import { CLOUD_TENANT_ID, CLOUD_USER_ID, type CloudReload, type CloudTenant } from "./tenant";

export interface CloudServerDeps {
  tenant: CloudTenant;
  certs: CertSet;
  requestLog: RequestLog;
  now: () => number;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const apiError = (status: number, title: string, code: string) => json(status, { errors: [{ title, code, status: String(status) }] });

function render(r: CloudReload, withLog: boolean, status = r.status): Record<string, unknown> {
  const done = r.endTime !== undefined;
  return {
    id: r.id,
    appId: r.appId,
    tenantId: r.tenantId,
    userId: r.userId,
    type: r.type,
    status,
    partial: r.partial,
    creationTime: iso(r.creationTime),
    ...(r.startTime !== undefined ? { startTime: iso(r.startTime) } : {}),
    ...(done ? { endTime: iso(r.endTime), duration: `PT${((r.endTime! - (r.startTime ?? r.creationTime)) / 1000).toFixed(3)}S` } : {}),
    ...(r.errorCode ? { errorCode: r.errorCode, errorMessage: r.errorMessage } : {}),
    // Since 2026 the list's log is a summary; the whole log is at /api/v1/apps/{appId}/reloads/logs/{reloadId}.
    ...(withLog ? { log: done ? `Reload ${r.status.toLowerCase()}${r.errorMessage ? `: ${r.errorMessage}` : ""}` : "" } : {}),
  };
}

const cursorOf = (r: CloudReload) => Buffer.from(`${r.creationTime}:${r.id}`).toString("base64url");
function afterCursor(cursor: string): (r: CloudReload) => boolean {
  const [ms, id] = Buffer.from(cursor, "base64url").toString("utf8").split(":");
  const at = Number(ms);
  return (r) => r.creationTime < at || (r.creationTime === at && r.id < (id ?? ""));
}

/** SCIM `eq` on status, type and partial, joined by `and`/`or` as the Reloads API accepts. */
function scimFilter(expr: string | null): ((r: CloudReload) => boolean) | "bad" {
  if (!expr) return () => true;
  const parts = expr.split(/\s+(and|or)\s+/i);
  const tests: Array<(r: CloudReload) => boolean> = [];
  const ops: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      ops.push(parts[i]!.toLowerCase());
      continue;
    }
    const m = /^\(?\s*(status|type|partial)\s+eq\s+"?([A-Za-z_]+)"?\s*\)?$/i.exec(parts[i]!.trim());
    if (!m) return "bad";
    const [, field, value] = m as unknown as [string, string, string];
    const f = field.toLowerCase();
    tests.push((r) => (f === "partial" ? String(r.partial) === value.toLowerCase() : f === "status" ? r.status === value.toUpperCase() : r.type === value));
  }
  return (r) => tests.slice(1).reduce((acc, t, i) => (ops[i] === "or" ? acc || t(r) : acc && t(r)), tests[0]!(r));
}

export function createCloudServer(deps: CloudServerDeps): Listener {
  const { tenant } = deps;
  const handle = (req: Request, url: URL): Response => {
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
    if (req.method === "GET" && path === "/api/v1/reloads") {
      const limit = Number(url.searchParams.get("limit") ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return apiError(400, "limit must be between 1 and 100", "HTTP-400");
      const filter = scimFilter(url.searchParams.get("filter"));
      if (filter === "bad") return apiError(400, "Bad filter", "HTTP-400");
      const appId = url.searchParams.get("appId")?.toLowerCase();
      const next = url.searchParams.get("next");
      const withLog = url.searchParams.get("log") !== "false";
      let list = [...tenant.reloads].sort((a, b) => b.creationTime - a.creationTime || (a.id < b.id ? 1 : -1));
      list = list.filter((r) => (!appId || r.appId === appId) && filter(r));
      if (next && misbehave !== "endlessCursor") list = list.filter(afterCursor(next));
      const page = list.slice(0, limit);
      const self = new URL(url.toString());
      const more = misbehave === "endlessCursor" || list.length > limit;
      const nextUrl = new URL(url.toString());
      nextUrl.searchParams.set("next", misbehave === "endlessCursor" ? (next ?? "ZW5kbGVzcw") : page.length ? cursorOf(page[page.length - 1]!) : "");
      const body = JSON.stringify({
        data: page.map((r, i) => render(r, withLog, misbehave === "unknownStatus" && i === 0 ? ("WARMING_UP" as CloudReload["status"]) : r.status)),
        links: { self: { href: self.toString() }, ...(more ? { next: { href: nextUrl.toString() } } : {}) },
      });
      if (misbehave === "truncated")
        return new Response(body.slice(0, Math.floor(body.length / 2)), { status: 200, headers: { "content-type": "application/json" } });
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    }
    if (req.method === "POST" && path === "/api/v1/reloads") return empty(405); // handled in fetch (needs the body)
    let m = /^\/api\/v1\/reloads\/([^/]+)$/.exec(path);
    if (req.method === "GET" && m) {
      const r = tenant.reloads.find((x) => x.id === m![1]);
      return r ? json(200, render(r, true)) : apiError(404, "Not Found", "HTTP-404");
    }
    m = /^\/api\/v1\/apps\/([^/]+)\/reloads\/logs\/([^/]+)$/.exec(path);
    if (req.method === "GET" && m) {
      const r = tenant.reloads.find((x) => x.id === m![2] && x.appId === m![1]!.toLowerCase());
      if (!r || r.endTime === undefined) return apiError(404, "Not Found", "HTTP-404");
      return text(200, r.log);
    }
    m = /^\/api\/v1\/apps\/([^/]+)$/.exec(path);
    if (req.method === "GET" && m) {
      const a = tenant.apps.get(m[1]!.toLowerCase());
      if (!a) return apiError(404, "Not Found", "HTTP-404");
      return json(200, { attributes: { id: a.id, name: a.name, ownerId: a.ownerId, owner: `auth0|${a.ownerId}`, spaceId: a.spaceId, published: false } });
    }
    if (req.method === "GET" && path === "/api/v1/items") {
      const id = url.searchParams.get("resourceId")?.toLowerCase();
      const data = [...tenant.apps.values()]
        .filter((a) => !id || a.id === id)
        .map((a) => ({ id: `item-${a.id}`, name: a.name, resourceType: "app", resourceId: a.id, spaceId: a.spaceId, ownerId: a.ownerId }));
      return json(200, { data, links: { self: { href: url.toString() } } });
    }
    m = /^\/api\/v1\/spaces\/([^/]+)$/.exec(path);
    if (req.method === "GET" && m) return json(200, { id: m[1], name: "Finance (Cloud)", type: "shared" });
    m = /^\/api\/v1\/users\/([^/]+)$/.exec(path);
    if (req.method === "GET" && m)
      return m[1] === CLOUD_USER_ID
        ? json(200, { id: CLOUD_USER_ID, name: "Anna Svensson", email: "anna.svensson@corp.example" })
        : apiError(404, "Not Found", "HTTP-404");
    return apiError(404, "Not Found", "HTTP-404");
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

  const startReload = async (req: Request): Promise<Response> => {
    let body: { appId?: unknown; partial?: unknown };
    try {
      body = (await req.json()) as typeof body;
    } catch {
      return apiError(400, "Body is not JSON", "HTTP-400");
    }
    if (typeof body.appId !== "string" || !tenant.apps.has(body.appId.toLowerCase())) return apiError(404, "App not found", "HTTP-404");
    const r = tenant.runReload(body.appId, "succeed", { type: "external", partial: body.partial === true });
    return json(201, render(r, false));
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
              ? await startReload(req)
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
