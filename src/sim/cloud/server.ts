// The simulated Qlik Cloud tenant's REST API: HTTPS, `Authorization: Bearer <API key>`, a per-minute request
// budget answered with 429 and Retry-After, the Reloads API with SCIM status filters and cursor paging, reload
// logs, app and item metadata, spaces, users and scheduling tasks.
import { randomBytes } from "node:crypto";
import type { CertSet } from "../certs/generate";
import type { Faults } from "../traffic/faults";
import { pickHeaders, type RequestLog } from "../traffic/request-log";
import { json, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { createRouter } from "../util/router";
import { runtime, sleep } from "../../runtime";
import { appJson, itemJson, reloadJson, schedulingTasks, spaceJson, userJson } from "./shapes";
import { CLOUD_RELOAD_TYPES, type CloudReload, type CloudTenant } from "./tenant";

export interface CloudServerDeps {
  tenant: CloudTenant;
  apiKey: string;
  certs: CertSet;
  requestLog: RequestLog;
  faults: Faults;
  now: () => number;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

interface Ctx {
  req: Request;
  url: URL;
  base: string;
  body: string;
}

const errors = (status: number, title: string, code = String(status)) => json(status, { errors: [{ title, code, status: String(status) }] });

/** SCIM `attr eq "value"` terms joined by `or`/`and` with optional parentheses (the subset the Reloads API takes). */
export function parseScimFilter(filter: string): ((r: CloudReload) => boolean) | string {
  const ors = filter.split(/\s+or\s+/i);
  const alternatives: Array<Array<[string, string]>> = [];
  for (const alt of ors) {
    const terms: Array<[string, string]> = [];
    for (const raw of alt.split(/\s+and\s+/i)) {
      const m = /^\(*\s*(status|type|partial)\s+eq\s+("([^"]*)"|true|false)\s*\)*$/i.exec(raw.trim());
      if (!m) return `invalid filter term '${raw.trim()}' (supported: status, partial, type with eq)`;
      terms.push([m[1]!.toLowerCase(), m[3] ?? m[2]!]);
    }
    alternatives.push(terms);
  }
  return (r) => alternatives.some((terms) => terms.every(([k, v]) => String(r[k as "status" | "type" | "partial"]) === v));
}

export function createCloudServer(deps: CloudServerDeps): Listener {
  const { tenant } = deps;
  const site = tenant.site;
  const router = createRouter<Ctx>();
  /** Request times of the last minute, for the rate limit. */
  const window: number[] = [];
  let endless = 0;

  router.add("GET", "/api/v1/reloads", (c) => {
    const q = c.url.searchParams;
    const limit = Number(q.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return errors(400, "limit must be 1-100", "RELOADS-001");
    const appId = q.get("appId");
    let list = [...tenant.reloads()].sort((a, b) => b.creationMs - a.creationMs || (a.id < b.id ? 1 : -1));
    if (appId) list = list.filter((r) => r.appId === appId);
    const filter = q.get("filter");
    if (filter) {
      const f = parseScimFilter(filter);
      if (typeof f === "string") return errors(400, f, "RELOADS-002");
      list = list.filter(f);
    }
    const cursor = q.get("next");
    if (cursor && !cursor.startsWith("loop-")) {
      const at = list.findIndex((r) => r.id === cursor);
      if (at < 0) return errors(400, "invalid next cursor", "RELOADS-003");
      list = list.slice(at + 1);
    }
    const page = list.slice(0, limit);
    const withLog = q.get("log") !== "false";
    const data = page.map((r) => reloadJson(r, c.base, tenant.tenantId, withLog));
    const answer = tenant.settings.listAnswer;
    if (answer === "html") return text(200, "<!DOCTYPE html><html><body><h1>Sign in to Qlik Cloud</h1></body></html>", "text/html; charset=utf-8");
    if (answer === "unknownStatus" && data[0]) data[0].status = "PAUSED";
    const self = `${c.base}/api/v1/reloads${c.url.search}`;
    const links: Record<string, { href: string }> = { self: { href: self } };
    const more = list.length > limit ? page[page.length - 1]!.id : undefined;
    const nextCursor = answer === "endlessCursor" ? `loop-${++endless}` : more;
    if (nextCursor) {
      const next = new URLSearchParams(q);
      next.set("next", nextCursor);
      links.next = { href: `${c.base}/api/v1/reloads?${next}` };
    }
    const body = JSON.stringify({ data, links });
    if (answer === "truncated") return text(200, body.slice(0, Math.max(1, Math.floor(body.length / 2))), "application/json; charset=utf-8");
    return text(200, body, "application/json; charset=utf-8");
  });

  router.add("POST", "/api/v1/reloads", (c) => {
    let body: { appId?: unknown; partial?: unknown };
    try {
      body = JSON.parse(c.body || "{}");
    } catch {
      return errors(400, "request body is not JSON", "RELOADS-004");
    }
    const app = typeof body.appId === "string" ? site.apps.find((a) => a.id === body.appId) : undefined;
    if (!app) return errors(404, `app ${String(body.appId)} not found`, "RELOADS-005");
    const r = tenant.run({ appId: app.id, outcome: app.reload.outcome, type: "external", partial: body.partial === true });
    return json(201, reloadJson(r, c.base, tenant.tenantId, false));
  });

  router.add("GET", "/api/v1/reloads/:id", (c, p) => {
    const r = tenant.get(p.id!);
    return r ? json(200, reloadJson(r, c.base, tenant.tenantId, true)) : errors(404, "reload not found");
  });

  router.add("POST", "/api/v1/reloads/:id/actions/cancel", (_c, p) =>
    tenant.cancel(p.id!) ? new Response(null, { status: 204 }) : errors(404, "reload not found"),
  );

  router.add("GET", "/api/v1/apps/:appId/reloads/logs/:reloadId", (_c, p) => {
    const r = tenant.get(p.reloadId!);
    if (!r || r.appId !== p.appId) return errors(404, "reload log not found");
    if (r.log === undefined) return errors(404, "the reload has not ended; its log is not ready");
    return text(200, r.log);
  });

  router.add("GET", "/api/v1/apps/:id", (_c, p) => {
    const app = site.apps.find((a) => a.id === p.id);
    return app ? json(200, appJson(app, tenant.tenantId)) : errors(404, "app not found");
  });

  router.add("GET", "/api/v1/items", (c) => {
    const q = c.url.searchParams;
    const type = q.get("resourceType");
    if (type && type !== "app") return json(200, { data: [], links: { self: { href: `${c.base}/api/v1/items${c.url.search}` } } });
    const id = q.get("resourceId");
    const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? "10") || 10));
    const apps = site.apps.filter((a) => !id || a.id === id).slice(0, limit);
    return json(200, { data: apps.map((a) => itemJson(site, a, c.base, tenant.tenantId)), links: { self: { href: `${c.base}/api/v1/items${c.url.search}` } } });
  });

  router.add("GET", "/api/v1/spaces/:id", (_c, p) => {
    const s = spaceJson(site, p.id!, tenant.tenantId);
    return s ? json(200, s) : errors(404, "space not found");
  });

  router.add("GET", "/api/v1/users/:id", (_c, p) => {
    const u = userJson(site, p.id!, tenant.tenantId);
    return u ? json(200, u) : errors(404, "user not found");
  });

  router.add("GET", "/api/scheduling/tasks", (c) => {
    const id = c.url.searchParams.get("resourceId");
    const data = schedulingTasks(site, tenant.tenantId).filter((t) => !id || t.resourceId === id);
    return json(200, { data, links: { self: { href: `${c.base}/api/scheduling/tasks${c.url.search}` } } });
  });

  /** Access tokens of the machine-to-machine OAuth client, with their expiry. */
  const tokens = new Map<string, number>();
  const oauthToken = (raw: string, nowMs: number): Response => {
    let b: Record<string, unknown>;
    try {
      b = raw.trim().startsWith("{") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return json(400, { error: "invalid_request", error_description: "the body is neither JSON nor a form" });
    }
    if (b.grant_type !== "client_credentials") return json(400, { error: "unsupported_grant_type" });
    if (b.client_id !== CLOUD_OAUTH_CLIENT_ID || b.client_secret !== deps.apiKey) return json(401, { error: "invalid_client" });
    tenant.oauthTokensIssued++;
    for (const [k, until] of tokens) if (until <= nowMs) tokens.delete(k);
    const value = `oat_${randomBytes(24).toString("base64url")}`;
    const life = tenant.settings.oauthTokenSeconds;
    tokens.set(value, nowMs + life * 1000);
    return json(200, { access_token: value, token_type: "bearer", expires_in: life, scope: typeof b.scope === "string" ? b.scope : "user_default" });
  };

  const handle = async (c: Ctx, nowMs: number): Promise<Response> => {
    const fault = deps.faults.take({ target: "cloud", method: c.req.method, path: c.url.pathname }, nowMs);
    if (fault) {
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault.status !== undefined) return text(fault.status, fault.body ?? "Internal Server Error");
    }
    if (c.req.method === "POST" && c.url.pathname === "/oauth/token") return oauthToken(c.body, nowMs);
    const auth = c.req.headers.get("authorization") ?? "";
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const token = tokens.get(bearer);
    if (bearer !== deps.apiKey && !(token !== undefined && token > nowMs)) return errors(401, "Not authorized", "AUTH-1");
    while (window.length > 0 && window[0]! <= nowMs - 60_000) window.shift();
    if (window.length >= tenant.settings.ratePerMinute) {
      const res = errors(429, "Too Many Requests", "REQUEST-LIMIT-EXCEEDED");
      res.headers.set("retry-after", String(tenant.settings.retryAfterSeconds));
      return res;
    }
    window.push(nowMs);
    const m = router.match(c.req.method, c.url.pathname);
    if (!m) return errors(404, "Not Found");
    if ("methodNotAllowed" in m) return errors(405, "Method Not Allowed");
    return m.handler(c, m.params);
  };

  const serve = (port: number) =>
    runtime.serve({
      hostname: deps.hostname,
      port,
      idleTimeout: 0,
      tls: { cert: deps.certs.serverCert, key: deps.certs.serverKey },
      fetch: async (req) => {
        const nowMs = deps.now();
        const url = new URL(req.url);
        let res: Response;
        let body = "";
        try {
          if (req.method !== "GET" && req.method !== "HEAD") body = await req.text();
          res = await handle({ req, url, base: url.origin, body }, nowMs);
        } catch (err) {
          deps.onError?.(err as Error);
          res = errors(500, "Internal Server Error");
        }
        deps.requestLog.add(
          {
            source: "cloud",
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: pickHeaders(req.headers),
            status: res.status,
          },
          nowMs,
        );
        return res;
      },
    });

  return createListener("Qlik Cloud", deps.port, serve, deps.onError);
}

export const RELOAD_TYPES = CLOUD_RELOAD_TYPES;

/** The simulated tenant's machine-to-machine OAuth client: this id, and the API key as its secret. */
export const CLOUD_OAUTH_CLIENT_ID = "steward-sim-m2m";
