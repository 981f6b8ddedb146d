// The simulated tenant's Reloads API: the list with its SCIM filter and cursor paging (and the ways a test makes it
// misbehave), one reload, a reload's full log, and a reload started by a client.
import type { Reload } from "@qlik/api/reloads";
import { json, text } from "../util/http";
import { apiError } from "./api-error";
import type { CloudReload, CloudTenant } from "./tenant";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * A reload as Qlik's Reload type (@qlik/api `reloads`), with every field of Qlik's example response
 * (test/integration/sim/cloud-documented-shapes.test.ts); its `duration` (not in the type) is the sim's own, said apart.
 * `origin` is the tenant's, for the reload's own link.
 */
function render(r: CloudReload, withLog: boolean, origin: string, status = r.status): Reload & { duration?: string } {
  const done = r.endTime !== undefined;
  return {
    id: r.id,
    appId: r.appId,
    tenantId: r.tenantId,
    userId: r.userId,
    type: r.type,
    status,
    partial: r.partial,
    // Qlik: the weight among the tenant's reloads; 1 for a personal app, and the default here.
    weight: 1,
    creationTime: new Date(r.creationTime).toISOString(),
    ...(r.startTime !== undefined ? { startTime: iso(r.startTime), engineTime: iso(r.startTime) } : {}),
    ...(r.resource ? { resourceType: r.resource.type, resourceId: r.resource.id } : {}),
    links: { self: { href: `${origin}/api/v1/reloads/${r.id}` } },
    ...(done ? { endTime: iso(r.endTime), duration: `PT${((r.endTime! - (r.startTime ?? r.creationTime)) / 1000).toFixed(3)}S` } : {}),
    ...(r.errorCode ? { errorCode: r.errorCode, errorMessage: r.errorMessage } : {}),
    // Since 2026 the list's log is a summary; the whole log is at /api/v1/apps/{appId}/reloads/logs/{reloadId}.
    ...(withLog ? { log: done ? `Reload ${r.status.toLowerCase()}${r.errorMessage ? `: ${r.errorMessage}` : ""}` : "" } : {}),
  };
}

/**
 * An ended reload's JSON, kept: nothing of it changes once it has ended, and a poll's page shows the same hundred
 * reloads again and again (rendering them was most of what a poll of the rich site cost the simulator). One entry
 * per reload, for the last way it was asked for; a reload still queued or running is rendered every time.
 */
const endedJson = new WeakMap<CloudReload, { key: string; json: string }>();
function renderedJson(r: CloudReload, withLog: boolean, origin: string): string {
  if (r.endTime === undefined) return JSON.stringify(render(r, withLog, origin));
  const key = `${withLog}|${origin}|${r.status}|${r.endTime}`;
  const kept = endedJson.get(r);
  if (kept?.key === key) return kept.json;
  const json = JSON.stringify(render(r, withLog, origin));
  endedJson.set(r, { key, json });
  return json;
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

/** GET /api/v1/reloads: newest first, filtered, a page of `limit` and a link to the next. */
/**
 * The tenant's reloads, newest first, sorted again only when one was added: a poll every few simulated minutes would
 * otherwise sort every reload of the run's days for each page. The list only grows, and the sort keys (creation
 * time, id) never change.
 */
const sorted = new WeakMap<CloudTenant, { count: number; list: CloudReload[] }>();
function newestFirst(tenant: CloudTenant): CloudReload[] {
  const kept = sorted.get(tenant);
  if (kept && kept.count === tenant.reloads.length) return kept.list;
  const list = [...tenant.reloads].sort((a, b) => b.creationTime - a.creationTime || (a.id < b.id ? 1 : -1));
  sorted.set(tenant, { count: tenant.reloads.length, list });
  return list;
}

export function listReloads(tenant: CloudTenant, url: URL): Response {
  const misbehave = tenant.settings.misbehave;
  const limit = Number(url.searchParams.get("limit") ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return apiError(400, "limit must be between 1 and 100", "HTTP-400");
  const filter = scimFilter(url.searchParams.get("filter"));
  if (filter === "bad") return apiError(400, "Bad filter", "HTTP-400");
  const appId = url.searchParams.get("appId")?.toLowerCase();
  const next = url.searchParams.get("next");
  const withLog = url.searchParams.get("log") !== "false";
  let list = newestFirst(tenant);
  list = list.filter((r) => (!appId || r.appId === appId) && filter(r));
  if (next && misbehave !== "endlessCursor") list = list.filter(afterCursor(next));
  const page = list.slice(0, limit);
  const self = new URL(url.toString());
  const more = misbehave === "endlessCursor" || list.length > limit;
  const nextUrl = new URL(url.toString());
  nextUrl.searchParams.set("next", misbehave === "endlessCursor" ? (next ?? "ZW5kbGVzcw") : page.length ? cursorOf(page[page.length - 1]!) : "");
  const data = page.map((r, i) => {
    if (misbehave === "unknownStatus" && i === 0) return JSON.stringify(render(r, withLog, url.origin, "WARMING_UP" as CloudReload["status"]));
    if (misbehave !== "unreadableEntry" || i > 0 || next) return renderedJson(r, withLog, url.origin);
    const { appId: _gone, ...rest } = render(r, withLog, url.origin);
    return JSON.stringify(rest);
  });
  // The same text as JSON.stringify({ data, links }) gives, with each entry's JSON made (or kept) on its own.
  const links = { self: { href: self.toString() }, ...(more ? { next: { href: nextUrl.toString() } } : {}) };
  const body = `{"data":[${data.join(",")}],"links":${JSON.stringify(links)}}`;
  if (misbehave === "truncated")
    return new Response(body.slice(0, Math.floor(body.length / 2)), { status: 200, headers: { "content-type": "application/json" } });
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}

/** GET /api/v1/reloads/{id} and GET /api/v1/apps/{appId}/reloads/logs/{id}; undefined for any other request. */
export function readReload(tenant: CloudTenant, req: Request, path: string): Response | undefined {
  let m: RegExpExecArray | null = /^\/api\/v1\/reloads\/([^/]+)$/.exec(path);
  if (req.method === "GET" && m) {
    const r = tenant.reloads.find((x) => x.id === m![1]);
    return r ? json(200, render(r, true, new URL(req.url).origin)) : apiError(404, "Not Found", "HTTP-404");
  }
  m = /^\/api\/v1\/apps\/([^/]+)\/reloads\/logs\/([^/]+)$/.exec(path);
  if (req.method === "GET" && m) {
    const r = tenant.reloads.find((x) => x.id === m![2] && x.appId === m![1]!.toLowerCase());
    if (!r || r.endTime === undefined) return apiError(404, "Not Found", "HTTP-404");
    return text(200, r.log);
  }
  return undefined;
}

/** POST /api/v1/reloads: a reload of the app, as an external client starts it. */
export async function startReload(tenant: CloudTenant, req: Request): Promise<Response> {
  let body: { appId?: unknown; partial?: unknown; resourceId?: unknown; resourceType?: unknown };
  try {
    body = (await req.json()) as typeof body;
  } catch {
    return apiError(400, "Body is not JSON", "HTTP-400");
  }
  if (typeof body.appId !== "string" || !tenant.apps.has(body.appId.toLowerCase())) return apiError(404, "App not found", "HTTP-404");
  // Qlik's ReloadRequest: the caller may name what it reloads for (a resource of its service).
  const resource =
    typeof body.resourceId === "string" && (["api", "reload-tasks", "tasks", "automate"] as const).some((t) => t === body.resourceType)
      ? { type: body.resourceType as NonNullable<CloudReload["resource"]>["type"], id: body.resourceId }
      : undefined;
  const r = tenant.runReload(body.appId, "succeed", { type: "external", partial: body.partial === true, ...(resource ? { resource } : {}) });
  return json(201, render(r, false, new URL(req.url).origin));
}
