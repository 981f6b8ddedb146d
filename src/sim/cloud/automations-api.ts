// The simulated tenant's Automations API, under Qlik's successor path `/api/workflows/automations` and the deprecated
// `/api/v1/automations` (removed on or after 2027-11-30; same paths and schemas below the base, Qlik's changelog 255):
// `GET …/automations` (cursor paging; `listAll=true` for a tenant
// admin), one automation, and an automation's runs (`GET /api/v1/automations/{id}/runs`, sorted by startTime, cursor
// paging). Statuses and field names are Qlik's (@qlik/api automations RunListObject); `error` is an array as Qlik
// documents it, its elements' fields (blockId, blockLabel, message) are not documented and are the sim's own.
import type { AutomationListObject, RunDetailResponseObject, RunListObject } from "@qlik/api/workflows/automations";
import { json } from "../util/http";
import { apiError } from "./api-error";
import type { SimAutomation, SimAutomationRun, SimAutomations } from "./automations";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** When a run counts as started for sorting: a run that failed before it started counts from when it was due. */
const at = (r: SimAutomationRun) => r.startTime ?? r.scheduledStartTime;

function lastRun(s: SimAutomations, id: string): SimAutomationRun | undefined {
  let last: SimAutomationRun | undefined;
  for (const r of s.runs) if (r.automationId === id && (!last || at(r) >= at(last))) last = r;
  return last;
}

/** An automation as Qlik's AutomationListObject (@qlik/api `workflows/automations`), with every field of Qlik's example. */
function renderAutomation(s: SimAutomations, a: SimAutomation): AutomationListObject {
  const last = lastRun(s, a.id);
  const lastRendered = last ? renderRun(a, last) : undefined;
  return {
    id: a.id,
    name: a.name,
    description: "",
    state: a.state,
    runMode: a.runMode,
    ownerId: a.ownerId,
    spaceId: a.spaceId,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    // The simulated automations' workspace holds no blocks Qlik would list by id (snippets, endpoints, connectors).
    workspace: {},
    snippetIds: [],
    endpointIds: [],
    connectorIds: [],
    executionToken: Buffer.from(`token:${a.id}`).toString("base64url"),
    maxConcurrentRuns: 1,
    ...(last && lastRendered
      ? {
          lastRunAt: iso(at(last)),
          lastRunStatus: last.status,
          ...(lastRendered.duration !== undefined ? { duration: lastRendered.duration } : {}),
          lastRun: lastRunOf(lastRendered),
        }
      : {}),
  };
}

/** A run as Qlik's RunListObject, with every field of Qlik's example: a time it does not have is left out (the type allows no null there). */
function renderRun(a: SimAutomation, r: SimAutomationRun): RunListObject {
  const updated = r.stopTime ?? r.startTime ?? r.scheduledStartTime;
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    context: r.context,
    executedById: r.executedById,
    ownerId: a.ownerId,
    spaceId: a.spaceId,
    scheduledStartTime: iso(r.scheduledStartTime),
    createdAt: iso(r.scheduledStartTime),
    updatedAt: iso(updated),
    ...(r.startTime !== undefined ? { startTime: iso(r.startTime) } : {}),
    ...(r.stopTime !== undefined ? { stopTime: iso(r.stopTime) } : {}),
    // Qlik: seconds, from the start and stop times.
    ...(r.startTime !== undefined && r.stopTime !== undefined ? { duration: Math.round((r.stopTime - r.startTime) / 1000) } : {}),
    isTestRun: r.context === "test_run",
    testRun: r.context === "test_run",
    isArchived: false,
    archived: false,
    error: r.error ? r.error.map((e) => ({ ...e })) : null,
  };
}

/** An automation's last run as Qlik's RunDetailResponseObject: the run, without `duration`, with its metrics. */
function lastRunOf(run: RunListObject): RunDetailResponseObject {
  const { duration: _duration, executedById, ...rest } = run;
  return { ...rest, ...(executedById ? { executedById } : {}), metrics: { blocks: [], network: { rxBytes: 0, txBytes: 0 }, totalApiCalls: 0 } };
}

/** One page of `items` after the cursor `next` (an index), with the link to the following page. */
function page<T>(url: URL, items: T[], render: (t: T) => AutomationListObject | RunListObject): Response {
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20) || 20));
  const from = Number(url.searchParams.get("next") ?? 0) || 0;
  const slice = items.slice(from, from + limit);
  const next = new URL(url);
  next.searchParams.set("next", String(from + limit));
  return json(200, {
    data: slice.map(render),
    links: { self: { href: url.toString() }, ...(from + limit < items.length ? { next: { href: next.toString() } } : {}) },
  });
}

export function handleAutomations(s: SimAutomations, req: Request, url: URL, path: string): Response | undefined {
  if (req.method !== "GET") return undefined;
  const base = ["/api/v1/automations", "/api/workflows/automations"].find((b) => path === b || path.startsWith(`${b}/`));
  if (!base) return undefined;
  path = `/api/v1/automations${path.slice(base.length)}`;
  if (path === "/api/v1/automations")
    return page(
      url,
      [...s.list].sort((a, b) => a.createdAt - b.createdAt),
      (a) => renderAutomation(s, a),
    );
  const m = /^\/api\/v1\/automations\/([^/]+)(\/runs)?$/.exec(path);
  const a = m ? s.list.find((x) => x.id === m[1]) : undefined;
  if (!a) return apiError(404, "Not Found", "AUTOMATIONS-404");
  if (!m![2]) return json(200, renderAutomation(s, a));
  const desc = (url.searchParams.get("sort") ?? "-startTime").startsWith("-");
  const runs = s.runs.filter((r) => r.automationId === a.id).sort((x, y) => (desc ? at(y) - at(x) : at(x) - at(y)));
  return page(url, runs, (r) => renderRun(a, r));
}
