// Subscriptions of the business from /status (docs/status.md#subscriptions): double opt-in by e-mail, a mail when a
// promised app will be late and when it is fresh again, one-click unsubscribe, and the Atom feed of the same notices.
// Every Steward records the notices of the freshness events it hears (the judge runs on one of them) and sends the
// mails it can claim; the store makes both happen once per site.
import type { Logger } from "pino";
import type { Clock } from "../../../platform/core/clock";
import type { Lifecycle } from "../../../platform/core/lifecycle";
import type { EventBus } from "../../../platform/core/bus";
import type { DomainEvents, WatchdogEvent } from "../../../platform/events/types";
import type { Router } from "../../../platform/http/route";
import type { SqlDb } from "../../../platform/store/sql";
import type { EmailChannelConfig } from "../../../tell/notify/channels/email/schema";
import type { Freshness } from "../../../watch/freshness";
import type { StatusSubscriptionsConfig } from "../config";
import { registerSubscriptionRoutes } from "./routes";
import { createSubscriptionSender } from "./sender";
import { createSubscriptionService } from "./service";
import { createSubscriptionStore } from "./store";
import { recordEntries } from "./record-entries";
import { createPlannedWorkLook } from "./planned-work-look";
import { plannedOnPage } from "./planned-work";

/** Planned work is told at most a day and a half before its window (16:00 the day before a window near midnight). */
const PLANNED_SHOWN_MS = 3 * 86_400_000;
import type { CompiledWindow } from "../../../tell/maintenance/windows";
import type { TaskView } from "../../../watch/watchdog/evaluate";

export { statusSubscriptionMigrations } from "./store";
export { SUBSCRIPTION_LINK_PATHS } from "./links";
export { StatusSchema, checkStatusReferences, type StatusConfig } from "../config";

export interface SubscriptionDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  router: Router;
  freshness: Freshness;
  /** The email channel status.subscriptions.channel names (the config check made sure it is one). */
  channel?: EmailChannelConfig;
  baseDir: string;
  /** notify.testMode.email while test mode is on (and the channel is not among its unaffected ones). */
  testTarget?: string;
  /** actionLinks.publicBaseUrl, else http.publicUrl. */
  baseUrl?: string;
  timeZone(): string;
  /** The maintenance windows, told ahead to the subscribers of the promises whose chain they hold (planned-work.ts). */
  windows?: readonly CompiledWindow[];
  /** The watchdog's view of the tasks: Qlik's next starts of the promises' chains. */
  chainTasks?: () => readonly TaskView[];
  /** qlik.host: the node a task's alert names when its node is not known (what a node window is matched with). */
  host?: string;
  /** The node a task's last run ran on, so a window over that node is told ahead for its tasks. */
  lastNodeOf?: (taskId: string) => Promise<string | undefined>;
}

export interface StatusSubscriptions {
  /** The /status page offers each app's subscription. */
  offered: boolean;
  /** The planned work told ahead that /status shows now, by app id (planned-work.ts). */
  planned(nowMs: number): Promise<Map<string, string[]>>;
}

export function setupStatusSubscriptions(cfg: StatusSubscriptionsConfig | undefined, d: SubscriptionDeps): StatusSubscriptions {
  const store = createSubscriptionStore(d.db);
  const promises = () => d.freshness.service.promises();
  const promisesOf = (app: { appId: string; appName: string; stream?: string; tags: string[] }) => {
    const names = new Set(d.freshness.promisesOf(app));
    return promises()
      .filter((p) => names.has(p.name))
      .map((p) => ({ name: p.name, text: p.text }));
  };
  // A promise is shown to a status reader only through the apps /status lists (those Steward has seen): one that
  // covers none of them reads as one that does not exist, and both cost the same read, so no name is learnable by
  // trying (issue 103).
  const labelOf = async (appId: string, promise: string): Promise<string | undefined> => {
    const apps = await d.freshness.store.apps();
    const p = promise ? promises().find((x) => x.name === promise) : undefined;
    if (promise && !p) return undefined;
    if (!appId) return apps.some((a) => d.freshness.promisesOf(a).includes(promise)) ? `the apps promised ${p!.text}` : undefined;
    const app = apps.find((a) => a.appId === appId.toLowerCase());
    if (!app) return undefined;
    const names = d.freshness.promisesOf(app);
    if (names.length === 0 || (promise && !names.includes(promise))) return undefined;
    return p && names.length > 1 ? `${app.appName} (promised ${p.text})` : app.appName;
  };
  // A subscription to a whole promise may come before Steward has seen any of its apps (set up on the day it is
  // installed): a promise the config names is subscribable then; the confirmation goes only to the address given.
  const subscriptionLabelOf = async (appId: string, promise: string): Promise<string | undefined> => {
    const p = !appId && promise ? promises().find((x) => x.name === promise) : undefined;
    return p ? `the apps promised ${p.text}` : labelOf(appId, promise);
  };
  const enabled = cfg?.enabled === true && d.channel !== undefined && d.baseUrl !== undefined;
  const sender = enabled
    ? createSubscriptionSender({
        store,
        clock: d.clock,
        log: d.log.child({ module: "status-subscriptions" }),
        channel: d.channel!,
        baseDir: d.baseDir,
        ...(d.testTarget ? { testTarget: d.testTarget } : {}),
      })
    : undefined;
  if (sender) d.lifecycle.add(sender);
  const service = createSubscriptionService(enabled ? cfg : undefined, {
    store,
    clock: d.clock,
    baseUrl: d.baseUrl ?? "",
    timeZone: d.timeZone,
    labelOf: subscriptionLabelOf,
    queued: () => void sender?.drain(),
  });
  if (d.windows?.length && d.chainTasks) {
    d.lifecycle.add(
      createPlannedWorkLook({
        windows: d.windows,
        chainTasks: d.chainTasks,
        freshness: d.freshness,
        host: d.host ?? "",
        ...(d.lastNodeOf ? { lastNodeOf: d.lastNodeOf } : {}),
        clock: d.clock,
        log: d.log.child({ module: "status-planned-work" }),
        timeZone: d.timeZone,
        tell: (n) => service.tell(n),
      }),
    );
  }
  const onEvent = (e: WatchdogEvent) => service.onFreshness(e);
  d.bus.on("app.freshness_warning", onEvent);
  d.bus.on("app.freshness_breached", onEvent);
  d.bus.on("app.freshness_recovered", onEvent);
  const appOffer = async (appId: string) => {
    const app = (await d.freshness.store.apps()).find((a) => a.appId === appId.toLowerCase());
    const ps = app ? promisesOf(app) : [];
    return app && ps.length > 0 ? { appName: app.appName, promises: ps } : undefined;
  };
  registerSubscriptionRoutes(d.router, {
    store,
    service,
    clock: d.clock,
    ...(d.baseUrl ? { baseUrl: d.baseUrl } : {}),
    labelOf,
    appOffer,
    ...(enabled ? { domains: cfg!.allowedDomains } : {}),
    lateDays: (only) => recordEntries(d.freshness, d.clock.now(), d.timeZone(), only),
  });
  return { offered: enabled, planned: async (nowMs) => plannedOnPage(await store.plannedSince(nowMs - PLANNED_SHOWN_MS), nowMs) };
}
