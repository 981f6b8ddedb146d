// The status dashboard at /ui, served by Steward itself: server-rendered pages over Steward's own REST API,
// plus an in-memory timeline of recent events. `steward demo` attaches its capture inbox.
import type { QrsClient } from "../qlik";
import { createTaskNames } from "./task-names";
import type { Hono } from "hono";
import type { EventBus } from "../core/bus";
import type { Lifecycle } from "../core/lifecycle";
import type { DomainEvents } from "../events/types";
import type { Router } from "../http/route";
import type { HttpEnv } from "../http/types";
import { createApiReader } from "./api-reader";
import { createEventTimeline, type EventTimeline } from "./event-timeline";
import { createEventHistory } from "./event-history";
import { createRunHistory, type RunHistory } from "./run-history";
import type { Store } from "../store/database";
import { registerDashboardRoutes } from "./routes";
import type { InboxSource } from "./types";

export type { EventTimeline, TimelineEntry } from "./event-timeline";
export { eventTitle } from "./event-timeline";
export type { InboxSource } from "./types";
export { eventHistoryMigrations } from "./event-history";
export { runHistoryMigrations } from "./run-history";

export interface Dashboard {
  timeline: EventTimeline;
  /** Finished task runs behind the charts (with a store only). */
  runs?: RunHistory;
  /** Shows the demo's capture inbox under /ui/inbox. */
  attachInbox(inbox: InboxSource): void;
}

export interface DashboardDeps {
  router: Router;
  hono: Hono<HttpEnv>;
  bus: EventBus<DomainEvents>;
  lifecycle: Lifecycle;
  /** Keeps the timeline across restarts; without it the timeline lives in memory only. */
  store?: Store;
  /** IANA zone of the site (notify.timeZone); this machine's when unset. */
  siteTimeZone?: string;
  /** QRS, to name the tasks that schedules and audit entries hold by id. */
  qrs?: QrsClient;
}

export function setupDashboard(deps: DashboardDeps): Dashboard {
  const max = 500;
  const timeline = createEventTimeline(deps.bus, { max, ...(deps.store ? { history: createEventHistory(deps.store.db, max, deps.store.writes) } : {}) });
  deps.lifecycle.add(timeline);
  const runs = deps.store ? createRunHistory(deps.store.db, deps.bus, Date.now, undefined, deps.store.writes) : undefined;
  if (runs) deps.lifecycle.add(runs);
  let inbox: InboxSource | undefined;
  registerDashboardRoutes(deps.router, { api: createApiReader(deps.hono), timeline, runs, inbox: () => inbox, siteTimeZone: deps.siteTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, taskNames: createTaskNames(deps.qrs) });
  return {
    timeline,
    runs,
    attachInbox(source) {
      inbox = source;
    },
  };
}
