// The read-only status the business may see: per app and per stream, as JSON and as an SVG badge. Scope "status":
// a key that has only it reads these routes and nothing else (docs/status.md); the admin key is never needed.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import type { Freshness } from "../../watch/freshness";
import type { Router } from "../../platform/http/route";
import { readStatuses, worst } from "./app-status";
import { badgeSvg } from "./badge";
import { clockTextZoned } from "../../platform/core/site-clock";
import { statusPage } from "./status-page";
import { RECORD_DAYS } from "./promise-record";
import type { StatusSubscriptions } from "./subscriptions";

export interface StatusRouteDeps {
  freshness?: Freshness;
  /** status.subscriptions: the page offers each app's subscription form. */
  subscriptions?: StatusSubscriptions;
  clock: Clock;
  /** The site's zone: every time on the page, in the messages and on the badges is in it, with its name. */
  timeZone(): string;
}

const AppParams = z.object({ appId: z.string().regex(/^[0-9A-Fa-f-]{36}$/, { message: "an app id (GUID)" }) });
const StreamParams = z.object({ stream: z.string().min(1).max(200) });
const SVG = { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "no-cache" };

export function registerStatusRoutes(router: Router, deps: StatusRouteDeps): void {
  const all = async () => {
    if (!deps.freshness) throw new AppError("NOT_FOUND", "no freshness promises are configured (freshness:)");
    const f = deps.freshness;
    const nowMs = deps.clock.now();
    return readStatuses({
      store: f.store,
      promisesOf: (a) => f.promisesOf(a),
      projections: await f.projections(nowMs),
      verdicts: await f.verdicts(nowMs),
      record: {
        days: await f.record.since(nowMs - RECORD_DAYS * 86_400_000),
        timeZone: deps.timeZone(),
        deadlined: (name) => f.service.promises().some((p) => p.name === name && p.deadlines !== undefined),
      },
      nowMs,
      formatTime: (ms) => clockTextZoned(ms, deps.timeZone(), nowMs),
    });
  };
  const oneApp = async (id: string) => {
    const s = (await all()).find((x) => x.app.id === id.toLowerCase());
    if (!s) throw new AppError("NOT_FOUND", `no status for app ${id}: no freshness promise names it, or Steward has not seen it yet`);
    return s;
  };
  const inStream = async (stream: string) => {
    const apps = (await all()).filter((x) => x.app.stream?.toLowerCase() === stream.toLowerCase() && x.promised);
    if (apps.length === 0) throw new AppError("NOT_FOUND", `no promised app in stream "${stream}"`);
    const asOf = apps.map((a) => a.dataAsOf).filter((t): t is string => t !== null);
    return { stream, state: worst(apps.map((a) => a.state)), dataAsOf: asOf.length === apps.length ? asOf.sort()[0]! : null, apps };
  };
  const asOfText = (iso: string | null) => (iso ? clockTextZoned(Date.parse(iso), deps.timeZone(), deps.clock.now()) : undefined);

  const json = { 200: { description: "the status" }, 404: { description: "no promise names it" } };
  router.route(
    {
      method: "get",
      path: "/status",
      summary: "A page for users: every promised app by stream, fresh, at risk, late or not known yet, its data's time and when it is expected",
      tags: ["Status"],
      scope: "status",
      responses: { 200: { description: "an HTML page that refreshes itself each minute", contentType: "text/html" } },
    },
    async (c) => {
      const statuses = deps.freshness ? await all() : [];
      c.header("Cache-Control", "no-cache");
      // The page's own query (a key allowed in the URL) goes with its form and feed link.
      const search = new URL(c.req.url).search;
      return c.html(
        statusPage(statuses, deps.timeZone(), deps.clock.now(), {
          search,
          subscribe: deps.subscriptions?.offered === true,
          feed: deps.freshness !== undefined,
          ...(deps.subscriptions ? { planned: await deps.subscriptions.planned(deps.clock.now()) } : {}),
        }),
      );
    },
  );
  router.route(
    {
      method: "get",
      path: "/v4/status/apps/:appId",
      summary: "Is this app up to date? (fresh, at risk, late, not known yet; data as of; when it is expected)",
      tags: ["Status"],
      scope: "status",
      params: AppParams,
      responses: json,
    },
    async (c, { params }) => c.json(await oneApp(params.appId)),
  );
  router.route(
    {
      method: "get",
      path: "/v4/status/apps/:appId/badge.svg",
      summary: "The app's status as an SVG badge",
      tags: ["Status"],
      scope: "status",
      params: AppParams,
      responses: { 200: { description: "an SVG badge", contentType: "image/svg+xml" }, 404: json[404] },
    },
    async (c, { params }) => {
      const s = await oneApp(params.appId);
      return c.body(badgeSvg(s.app.name, s.state, asOfText(s.dataAsOf)), 200, SVG);
    },
  );
  router.route(
    {
      method: "get",
      path: "/v4/status/streams/:stream",
      summary: "Are the promised apps of this stream up to date? (the worst state, and each app)",
      tags: ["Status"],
      scope: "status",
      params: StreamParams,
      responses: json,
    },
    async (c, { params }) => c.json(await inStream(params.stream)),
  );
  router.route(
    {
      method: "get",
      path: "/v4/status/streams/:stream/badge.svg",
      summary: "The stream's status as an SVG badge (its oldest data)",
      tags: ["Status"],
      scope: "status",
      params: StreamParams,
      responses: { 200: { description: "an SVG badge", contentType: "image/svg+xml" }, 404: json[404] },
    },
    async (c, { params }) => {
      const s = await inStream(params.stream);
      return c.body(badgeSvg(s.stream, s.state, asOfText(s.dataAsOf)), 200, SVG);
    },
  );
}
