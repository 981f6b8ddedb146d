// The status dashboard at /ui, served by Steward itself: server-rendered pages over Steward's own REST API,
// plus an in-memory timeline of recent events. `steward demo` attaches its capture inbox.
import type { Clock } from "../../platform/core/clock";
import type { Logger } from "../../platform/core/logger";
import { isTaskEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { getMeta, setMeta } from "../../platform/store/core-migrations";
import { createClusterFeed } from "./cluster-feed";
import type { QrsClient } from "../../platform/qlik";
import { createTaskNames } from "./task-names";
import { siteTimeZone } from "../../platform/core/site-clock";
import type { Hono } from "hono";
import type { EventBus } from "../../platform/core/bus";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import { createApiReader } from "./api-reader";
import { createEventTimeline, type EventTimeline } from "./event-timeline";
import { createEventHistory } from "./event-history";
import { createRunHistory, type RunHistory } from "./run-history";
import type { Store } from "../../platform/store/database";
import { registerDashboardRoutes } from "./routes";
import { registerRunsRoute, type RunLinks } from "./runs-route";
import type { InboxSource, PageDeps } from "./types";

export type { EventTimeline, TimelineEntry } from "./event-timeline";
export { eventTitle } from "./event-timeline";
export type { InboxSource } from "./types";
export { eventHistoryMigrations } from "./event-history";
export { dashboardFeedMigrations } from "./cluster-feed";
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
  /** The timeline's delayed writes and the site-wide feed's polls run on it. */
  clock: Clock;
  /** Keeps the timeline across restarts; without it the timeline lives in memory only. */
  store?: Store;
  /** The site's zone (notify.timeZone, else this machine's): every time on the pages is shown in it. */
  siteTimeZone?: string;
  /** QRS, to name the tasks that schedules and audit entries hold by id. */
  qrs?: QrsClient;
  /** In a cluster: the shared store and this Steward's name, so every Steward's pages show the whole site. */
  /** `pollMs`: how often to read what other Stewards wrote (src/platform/cluster/peer-poll.ts). */
  siteWide?: { db: SqlDb; steward: string; log: Logger; pollMs?: () => number; lookGate?: (() => boolean) & { missed(): void } };
  /** Which incident and cause each run of GET /v4/runs belongs to (the incidents' and causes' store). */
  runLinks?: RunLinks;
  /** HTML shown at the top of every page while it returns one (an active maintenance window). */
  banner?: () => string | undefined;
  /** The snooze choices of the alerts' links: the incidents page's Snooze offers the same. */
  snooze?: PageDeps["snooze"];
  /** What remediation offers: the task page's Retry (pages/incident-actions.tsx). */
  remediation?: PageDeps["remediation"];
  /** Single sign-on: the login page's "Sign in with …". */
  signIn?: PageDeps["signIn"];
}

const FEED_CURSOR = "dashboard.feed.cursor";
const FEED_WRITER = "dashboard.feed.writer";

/** The id this Steward's feed rows carry: made once, kept in its local store (a node's name may not be unique). */
function feedWriterId(local: Store["db"]): string {
  const kept = getMeta(local, FEED_WRITER);
  if (kept) return kept;
  const id = crypto.randomUUID();
  setMeta(local, FEED_WRITER, id);
  return id;
}

export function setupDashboard(deps: DashboardDeps): Dashboard {
  const max = 500;
  const siteWide = deps.siteWide;
  const timeline = createEventTimeline(deps.bus, {
    max,
    siteWide: Boolean(siteWide),
    ...(deps.store ? { history: createEventHistory(deps.store.db, max, deps.store.writes, deps.clock) } : {}),
  });
  deps.lifecycle.add(timeline);
  const runs = deps.store ? createRunHistory(deps.store.db, deps.bus, Date.now, undefined, deps.store.writes, Boolean(siteWide)) : undefined;
  if (runs) deps.lifecycle.add(runs);
  if (siteWide && deps.store) {
    const local = deps.store.db;
    const isRun = (k: string) => k === "task.succeeded" || k === "task.failed" || k === "task.aborted";
    deps.lifecycle.add(
      createClusterFeed({
        db: siteWide.db,
        bus: deps.bus,
        steward: siteWide.steward,
        writer: feedWriterId(local),
        log: siteWide.log,
        ...(siteWide.pollMs ? { pollMs: siteWide.pollMs } : {}),
        ...(siteWide.lookGate ? { lookGate: siteWide.lookGate } : {}),
        clock: deps.clock,
        initial: max,
        cursor: {
          get: () => (getMeta(local, FEED_CURSOR) === undefined ? undefined : Number(getMeta(local, FEED_CURSOR))),
          set: (id) => setMeta(local, FEED_CURSOR, String(id)),
        },
        sink: {
          take(event, seenAt, steward, json) {
            timeline.ingest(event, seenAt, steward, json);
            if (runs && isTaskEvent(event) && isRun(event.kind)) runs.record(event);
          },
        },
      }),
    );
  }
  let inbox: InboxSource | undefined;
  registerRunsRoute(deps.router, { timeline, ...(runs ? { runs } : {}), ...(deps.runLinks ? { runLinks: deps.runLinks } : {}) });
  registerDashboardRoutes(deps.router, {
    api: createApiReader(deps.hono),
    timeline,
    runs,
    inbox: () => inbox,
    siteClock: () => ({ zone: siteTimeZone(deps.siteTimeZone), nowMs: deps.clock.now() }),
    taskNames: createTaskNames(deps.qrs),
    ...(deps.banner ? { banner: deps.banner } : {}),
    ...(deps.snooze ? { snooze: deps.snooze } : {}),
    ...(deps.runLinks ? { runLinks: deps.runLinks } : {}),
    ...(deps.remediation ? { remediation: deps.remediation } : {}),
    ...(deps.signIn ? { signIn: deps.signIn } : {}),
  });
  return {
    timeline,
    runs,
    attachInbox(source) {
      inbox = source;
    },
  };
}
