// What turns events into alerts and shows them: the alert gates (maintenance windows, silences, causes), the
// acknowledge and snooze links with escalation, the notifier, the /ui dashboard and incidents per task.
import { join, resolve } from "node:path";
import type { AuditLog } from "../platform/audit/audit-log";
import { type AlertGates, setupAlertGates } from "../tell/alert-gates";
import type { PromiseRef } from "../tell/grouping";
import type { Config } from "./config-schema";
import { createReusableMetrics } from "./reload";
import type { MetricsRegistry } from "../platform/core/metrics";
import { type Dashboard, setupDashboard } from "../show/dashboard";
import { isTaskEvent, type TaskEvent } from "../platform/events/types";
import { type ActFromMessage, setupActFromMessage } from "../tell/escalation/act-from-message";
import type { HttpApp } from "../platform/http/app";
import { type IncidentService, incidentStates, resolvedFollowUp, runLinksOf, setupIncidents, watchConditionIncidents } from "../tell/incidents";
import { causeResolvedEvent } from "../platform/events/cause-resolved";
import {
  type AlertConverger,
  type AlertTruths,
  createAlertConverger,
  createAlertResender,
  type Notifier,
  type NotifyHooks,
  type OpenCheck,
  setupNotify,
  truthKey,
} from "../tell/notify";
import { causeAlertKey, incidentAlertKey } from "../tell/notify/on-call/alert";
import { applySpooledDelivery, createReplayGuard, createWebhookSpool, type OnCallRouteDeps, registerOnCallRoutes } from "../tell/on-call";
import { type ConditionAlerts, conditionAlerts, conditionRef, openConditionIncident } from "./condition-alerts";
import { type ChannelHealth, createChannelHealth } from "../tell/notify/channel-health";
import { siteTimeZone } from "../platform/core/site-clock";
import { messageTime } from "../platform/core/time-text";
import { createDegradedWatch, type DegradedWatch } from "../watch/self/degraded";
import { degradedBanner } from "../watch/self/banner";
import { dashboardPeerPoll, escalationPeerPoll, outboxPeerPoll } from "./store-and-cluster";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";
import { openPromiseAlerts } from "./open-promise-alerts";
import type { Clock } from "../platform/core/clock";
import type { SqlDb } from "../platform/store/sql";
import { createOverrideStore } from "../tell/oncall/override-store";
import { createRotaOverrides, type RotaOverrides } from "../tell/oncall/stored-overrides";
import { type RemediationConfig, remediationSchema } from "../start/remediation/config";

export interface Alerting {
  /** The overrides people made over REST (src/tell/oncall/stored-overrides.ts): the notifier's pages follow them. */
  rota: RotaOverrides;
  /** The notifier's hooks (a reload's notifier is given the same). */
  notifyHooks: NotifyHooks;
  alertGates: AlertGates;
  act: ActFromMessage;
  /** The notifier's metrics, kept across config reloads (the notifier is rebuilt). */
  notifyMetrics: MetricsRegistry;
  notify: Notifier;
  /** Whether each channel delivers, kept across config reloads (/ready and the degraded watch read it). */
  channelHealth: ChannelHealth;
  /** Whether Steward can do its job: what fails at run time, said on every channel that still works. */
  degraded: DegradedWatch;
  /** The site's zone: notify.timeZone, else this machine's (src/platform/core/site-clock.ts); every page and mail shows it. */
  siteZone(): string;
  /** A time inside an event's sentence, in the site's zone with its zone's abbreviation. */
  formatTime(ms: number): string;
  dashboard: Dashboard;
  incidents?: IncidentService;
  /** An on-call product accepted a trigger that opened an alert: the convergence sweep looks at it (kept across reloads). */
  alertOpened: (channel: string, key: string) => void;
  /** The sweep that moves each on-call product's alerts toward their incidents' state (every 5 s; sweep() runs one now). */
  alertConverger: AlertConverger;
}

/** The freshness promises as a cause's pages name them: "sales-morning (fresh by 07:00)". */
function promiseRefs(config: Config): PromiseRef[] {
  const all = config.freshness?.enabled === false ? {} : (config.freshness?.promises ?? {});
  return Object.entries(all).map(([name, p]) => ({
    name,
    terms: p.freshBy ? `fresh by ${p.freshBy}` : p.maxAge ? `never older than ${Math.round(p.maxAge / 60_000)} min` : "a promise",
    appIds: p.appIds,
    appNames: p.appNames,
    streams: p.streams,
  }));
}

/** The promises a cause names on its pages, and their open alerts a cause that opens after them takes in. */
function promiseDeps(config: Config, db: SqlDb) {
  return { promises: () => promiseRefs(config), openAlerts: openPromiseAlerts(db) };
}

/** Steward's own degraded state (steward.degraded), started with the rest. */
function degradedWatch(w: Wiring, formatTime: (ms: number) => string) {
  const { config, readiness, clock, log, bus, instanceName, lifecycle } = w;
  const degraded = createDegradedWatch({
    readiness,
    clock,
    log,
    emit: (e) => bus.emit(e.kind, e),
    instance: instanceName,
    host: config.qlik?.host ?? instanceName,
    formatTime,
  });
  lifecycle.add(degraded);
  return degraded;
}

/**
 * The on-call products' webhooks bring what was acknowledged or resolved there back (public routes: signed or carrying
 * a token). One that arrives while the store is unreachable is kept in the spool folder (this Steward's, or one the
 * cluster shares: notify.webhookSpool.dir) and applied once the store answers.
 */
function wireOnCallWebhooks(w: Wiring, http: HttpApp, deps: Omit<OnCallRouteDeps, "replays" | "spool" | "clock">): void {
  const { clock, log, lifecycle, shared, config, instanceName, loaded } = w;
  const onCall: OnCallRouteDeps = { ...deps, replays: createReplayGuard(shared.sql, clock), clock };
  const sharedDir = config.notify.webhookSpool.dir;
  const dir = sharedDir ? resolve(loaded.baseDir, sharedDir) : join(config.dataDir, "webhook-spool");
  const spool = createWebhookSpool({ dir, shared: !!sharedDir, instance: instanceName, clock, log, apply: (d) => applySpooledDelivery(onCall, d) });
  lifecycle.add(spool.component);
  registerOnCallRoutes(http.router, { ...onCall, spool });
}

/** `current` reads the config in force (the reloader is built after this stage). */
export function wireAlerting(w: Wiring, audit: AuditLog, http: HttpApp, tasks: TaskServices, current: () => Config): Alerting {
  const routes = () => current().routes;
  const { config, loaded, log, lifecycle, clock, readiness, bus, store, shared, cluster, pg, clusterStore, instanceName, clusterWiring } = w;
  const { qrs, influxConflicts } = tasks;
  // Before the notifier: its one gate holds back what a window, a silence or a cause covers; it wakes the notifier.
  const alertGates = setupAlertGates(config, {
    db: shared.sql,
    clock,
    log,
    router: http.router,
    lifecycle,
    bus,
    host: config.qlik?.host ?? instanceName,
    feedsOfCheck: (name) => config.checkins?.checks[name]?.feeds,
    ...promiseDeps(config, shared.sql),
    wakeNotifier: () => notify.wake(),
    released: (event, route, now) => act.released(event, route, now),
    // A snooze of a condition's incident (a missed start, a freshness promise…) holds its further alerts.
    conditionIncidentOf: (e) => openConditionIncident(shared.sql, e),
  });
  // Acknowledge and snooze links and escalation timers: the notifier's hooks (src/tell/escalation/act-from-message.ts).
  const act = setupActFromMessage(config, {
    db: shared.sql,
    clock,
    log,
    router: http.router,
    audit,
    silences: alertGates.silences.service,
    quietUntil: alertGates.quietUntil,
    causes: {
      get: alertGates.grouping.cause,
      openSubjects: alertGates.grouping.acknowledgements.openSubjects,
      acknowledge: alertGates.grouping.acknowledgements.acknowledge,
    },
    ...escalationPeerPoll(w),
  });
  const notifyMetrics = createReusableMetrics(w.metrics); // the notifier is rebuilt on config reload
  const rota = rotaHooks(shared.sql, clock, act.hooks);
  // InfluxDB field type conflicts of every writer (channels, site monitors, memory point), kept across reloads.
  // The site's zone is asked for when a time is first shown, not at start (the machine's zone loads ICU's data).
  let zone: string | undefined;
  const siteZone = () => (zone ??= siteTimeZone(config.notify.timeZone));
  const formatTime = (ms: number) => messageTime(ms, siteZone());
  const channelHealth = createChannelHealth({ formatTime });
  readiness.register(channelHealth.readiness);
  const notify = setupNotify(loaded, {
    ...clusterWiring,
    ...(w.stillLive ? { stillLive: w.stillLive } : {}),
    store: shared,
    bus,
    log,
    clock,
    metrics: notifyMetrics,
    router: http.router,
    lifecycle,
    readiness,
    qrs,
    influxConflicts,
    gate: alertGates.gate,
    hooks: rota.notifyHooks,
    health: channelHealth,
    alertOpened: (channel, key) => converger?.opened(channel, key),
    ...outboxPeerPoll(w),
  });
  let converger: AlertConverger | undefined;
  alertGates.startAfterNotifier(lifecycle);
  // After the notifier: what it raises is queued for the routes that take steward.degraded.
  const degraded = degradedWatch(w, formatTime);
  act.attach({ notify, lifecycle, routes });
  // In a cluster the dashboard's timeline and charts show what this Steward handled, kept in memory.
  const dashboard = setupDashboard({
    router: http.router,
    hono: http.hono,
    bus,
    lifecycle,
    clock,
    store,
    ...(pg && clusterStore ? { siteWide: { db: clusterStore.db, steward: cluster.instanceName, log, ...dashboardPeerPoll(w) } } : {}),
    ...(config.notify.timeZone ? { siteTimeZone: config.notify.timeZone } : {}),
    runLinks: (runs) => runLinksOf(shared.sql, runs),
    banner: () => [degradedBanner(degraded.state(), formatTime), alertGates.banner(formatTime)].filter(Boolean).join("") || undefined,
    ...(qrs ? { qrs } : {}),
    snooze: config.actionLinks,
    ...dashboardOffers(config.remediation, qrs !== undefined, config.security.sso),
  });
  // Indexed once per request of GET /v4/causes/{id}: a cause may hold thousands of symptoms.
  alertGates.grouping.readScriptLogsFrom(() => {
    const logs = new Map<string, NonNullable<TaskEvent["scriptLog"]>>();
    for (const { event: e } of dashboard.timeline.entries()) if (isTaskEvent(e) && e.scriptLog && !logs.has(e.id)) logs.set(e.id, e.scriptLog);
    return (eventId) => logs.get(eventId);
  });
  // A condition's incident pages under its condition's key: found both ways through its events (condition-alerts.ts).
  const conditions = conditionAlerts({ db: shared.sql, outbox: notify.outbox, incidents: () => incidents, now: () => clock.now() });
  // Before the intake: a run's incident and history are written on its way to the bus.
  const incidents = setupIncidents(config, {
    db: shared.sql,
    clock,
    log,
    router: http.router,
    lifecycle,
    qrs,
    causes: alertGates.grouping.acknowledgements,
    routes: () => current().routes,
    bus,
    ...incidentFollowUps(notify, bus, clock, alertGates.grouping.cause, config.qlik?.host ?? instanceName, conditions),
  });
  act.setIncidents(incidents);
  // Every kind that pages is an incident: a missed start, a check-in, a freshness promise, a data check, a hub reload,
  // a queue, a stopped service, each listed with the task incidents (issue 84).
  if (incidents) watchConditionIncidents(bus, incidents, log);
  wireOnCallWebhooks(w, http, { notify, incidents: () => incidents, audit, conditionIncidentOf: conditions.incidentOf });
  lifecycle.add(alertResender(w, current, alertGates, incidents, channelHealth, notify, conditions));
  converger = alertConverger(w, current, alertGates, notify, conditions, act.hooks);
  lifecycle.add(w.gate ? w.gate("alert-resend", converger.component) : converger.component);
  return {
    ...rota,
    alertConverger: converger,
    alertGates,
    act,
    notifyMetrics,
    notify,
    channelHealth,
    degraded,
    siteZone,
    formatTime,
    dashboard,
    alertOpened: (channel, key) => converger?.opened(channel, key),
    ...(incidents ? { incidents } : {}),
  };
}

/** Who is on duty: the config's rota with the overrides people made over REST (issue 106), in the notifier's hooks. */
function rotaHooks(db: SqlDb, clock: Clock, hooks: NotifyHooks): { rota: RotaOverrides; notifyHooks: NotifyHooks } {
  const rota = createRotaOverrides(createOverrideStore(db), clock);
  return { rota, notifyHooks: { ...hooks, oncall: rota.merged } };
}

/**
 * Posts the alerts of alertmanager channels again while their incident or cause is open (src/tell/notify/channels/
 * alertmanager): once per site, so under the alert-resend lease in a cluster.
 */
function alertResender(
  w: Wiring,
  current: () => Config,
  gates: AlertGates,
  incidents: IncidentService | undefined,
  health: ChannelHealth,
  notify: Notifier,
  conditions: ConditionAlerts,
) {
  const isOpen: OpenCheck = async (ref) => {
    if (ref.cause !== undefined) return gates.grouping.isCauseOpen(ref.cause);
    if (ref.event !== undefined && incidents) {
      // A condition's alert (a missed start, a freshness promise…): its incident, found through the event that opened it.
      const e = await notify.outbox.getEvent(ref.event);
      const c = e ? conditionRef(e) : undefined;
      return c ? (await conditions.truths([c])).get(truthKey(c))?.open : undefined;
    }
    if (ref.incident !== undefined && incidents) {
      // An alert whose incident is not in the store (its number never committed, or purged) has nothing left to end
      // it: it is ended, not re-sent for as long as Steward runs (issue 84).
      const row = await incidents.get(ref.incident);
      return row?.status === "open";
    }
    return undefined;
  };
  const resender = createAlertResender({
    db: w.shared.sql,
    clock: w.clock,
    log: w.log,
    baseDir: w.loaded.baseDir,
    channels: () => current().channels,
    isOpen,
    health,
  });
  return w.gate ? w.gate("alert-resend", resender) : resender;
}

/**
 * Moves each on-call product's alerts toward their incident's state (src/tell/notify/on-call/converge.ts): the sweep
 * runs once per site (under the alert-resend lease in a cluster, with the Alertmanager re-sender); the look at an alert just opened runs where the
 * trigger was sent. A repair is an outbox row with the acknowledgement's key, so two members queue it once.
 */
function alertConverger(w: Wiring, current: () => Config, gates: AlertGates, notify: Notifier, conditions: ConditionAlerts, hooks: NotifyHooks) {
  const truths: AlertTruths = async (refs) => {
    const out = await conditions.truths(refs.flatMap((r) => ("condition" in r ? [r] : [])));
    const ids = refs.flatMap((r) => ("incident" in r ? [r.incident] : []));
    const states = await incidentStates(w.shared.sql, ids);
    // An incident the store does not hold (never committed, or purged) is over: its alert is resolved, not left open.
    for (const id of ids) out.set(truthKey({ incident: id }), states.get(id) ?? { open: false });
    for (const r of refs) {
      if (!("cause" in r)) continue;
      const cause = await gates.grouping.cause(r.cause);
      if (cause) out.set(truthKey(r), { open: cause.status === "open", ...(cause.acknowledgedBy !== null ? { acknowledgedBy: cause.acknowledgedBy } : {}) });
    }
    return out;
  };
  return createAlertConverger({
    db: w.shared.sql,
    clock: w.clock,
    log: w.log,
    channels: () => current().channels,
    truths,
    conditionOf: conditionRef,
    repair: (req) => notify.acknowledged(req),
    // As the closing message's decoration asks: an action not ended and told holds the alert open.
    held: async (key, channel) => hooks.alertHeld?.(key, channel),
    outbox: notify.outbox,
    signl4: {
      // As test mode sends the channel's other deliveries: to its testTarget, or not at all without one.
      target: (name) => {
        const { testMode } = current().notify;
        const ch = current().channels[name];
        if (!testMode.enabled || testMode.unaffected.includes(name)) return null;
        return ch && "testTarget" in ch && ch.testTarget ? ch.testTarget : undefined;
      },
      maxAgeMs: () => current().notify.outbox.maxAge,
      now: () => w.clock.now(),
    },
    wake: () => notify.wake(),
  });
}

/** What an incident's acknowledgement or resolve by hand tells the notifier (pages, on-call products, Alertmanager). */
function incidentFollowUps(
  notify: Notifier,
  bus: Wiring["bus"],
  clock: Wiring["clock"],
  causeOf: (id: number) => Promise<{ title: string } | undefined>,
  host: string,
  conditions: ConditionAlerts,
): Pick<Parameters<typeof setupIncidents>[1], "acknowledged" | "resolved" | "causeClosed" | "conditionResolved"> {
  return {
    // An acknowledgement in Steward acknowledges the alert the on-call products (PagerDuty, Opsgenie) hold for it.
    acknowledged: async (a) => {
      // A task's deliveries are in the thread its incident's subject names (task:<id>), a cause's in cause:<id>; a
      // condition's incident pages under its condition's key, in its condition's thread.
      const alerts = [
        ...a.causes.map((id) => ({ key: causeAlertKey(id), thread: `cause:${id}` })),
        ...a.incidents.map((i) => ({ key: incidentAlertKey(i.id), thread: i.subject })),
      ];
      for (const i of a.incidents) alerts.push(...(await conditions.alertsOf(i)));
      await notify.acknowledged({ alerts, by: a.by, ...(a.from ? { except: a.from.channel } : {}) });
    },
    // Resolved by hand: its follow-up takes the closing path of a recovery (pages, on-call products, Alertmanager).
    resolved: async (row, r) => {
      const e = resolvedFollowUp(row, r, await notify.outbox.getEvent(row.lastEventId), clock.now());
      await bus.emit(e.kind, e);
    },
    // A condition's incident resolved by hand has no recovery to send: its alerts in the on-call products are resolved
    // (but in the product it was resolved in).
    conditionResolved: async (row, r) => {
      const alerts = await conditions.alertsOf(row);
      if (alerts.length > 0) await notify.acknowledged({ alerts, by: r.by, resolve: true, noFollowUp: true, ...(r.channel ? { except: r.channel } : {}) });
    },
    // A cause closed by hand with no incident to recover: its follow-up (cause.resolved) goes where its pages went,
    // the on-call products' alert among them (resolved there; Alertmanager's ends), as a recovered page would. An
    // on-call alert its page reached another way (an escalation's route) is resolved too: a channel resolves once.
    causeClosed: async (id, r) => {
      const e = causeResolvedEvent({ id, title: (await causeOf(id))?.title ?? `cause #${id}` }, r, clock.now(), host);
      await bus.emit(e.kind, e);
      await notify.acknowledged({
        alerts: [{ key: causeAlertKey(id), thread: `cause:${id}` }],
        by: r.by,
        resolve: true,
        ...(r.channel ? { except: r.channel } : {}),
      });
    },
  };
}

/** What the dashboard offers of remediation (wired after it, in composition/remediation.ts, with the same config). */
/** What the dashboard offers beyond reading: remediation's Retry (with QRS to start tasks), and single sign-on's button. */
function dashboardOffers(cfg: RemediationConfig | undefined, canStart: boolean, sso: { label: string } | undefined) {
  return { ...(canStart ? remediationOffer(cfg) : {}), ...(sso ? { signIn: { label: sso.label } } : {}) };
}

function remediationOffer(cfg: RemediationConfig | undefined): { remediation?: { retryClasses: string[]; retryIn: number[] } } {
  const r = cfg ?? remediationSchema().parse({});
  return r.offer ? { remediation: { retryClasses: [...r.retryClasses], retryIn: [...r.retryIn] } } : {};
}
