// The notification pipeline as one service: subscribes to the bus, plans and enqueues deliveries durably,
// runs the outbox worker, and offers preview, test sends and delivery management to the REST API and CLI.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { NotifierConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { EventBus } from "../../platform/core/bus";
import { isTaskEvent, type DomainEvent, type DomainEvents } from "../../platform/events/types";
import { incidentGroupKey } from "./renotify";
import type { Store } from "../../platform/store/database";
import type { InfluxConflictMonitor } from "../influx-conflicts";
import { createRendererCache, templateDirsFor, varsOptionsFor } from "./channel-setup";
import { CHANNELS } from "./channels/registry";
import { enqueuePlan, type EnqueueResult } from "./enqueue";
import { createNotifyMetrics } from "./metrics";
import { createFallbackRecorder } from "./fallback/record";
import { notificationForRow } from "./notification";
import { mentionFor } from "./on-duty-post";
import { createOutboxStore, type DeliveryRow, type ListFilter, type OutboxStore } from "./outbox-store";
import { deliveryKey, planEvent, routePageAfter, type Plan, type PlannedDelivery } from "./planner";
import { planContextFor, previewEvent, type Preview } from "./preview";
import { routeAttachScriptLog } from "./routing";
import { type ChannelDefinition, type ChannelDeps, type Notification, TEST_SEND_ROUTE } from "./types";
import { createChannelState } from "./channel-state";
import type { ChannelConfig } from "./config";
import { type AcknowledgeRequest, queueAcknowledgements } from "./on-call/acknowledge";
import { markAcknowledged, markResolved, openAlertEvent } from "./on-call/open-alerts";
import { createOutboxWorker, type PeerLooks, type WorkerChannel } from "./worker";
import type { DeliveryGate } from "./gate";
import type { ChannelHealth } from "./channel-health";
import { eventOnItsWay, followPage, type PageReceiver, pageReceivers, threadBusy } from "./page-follow";
import { createUnroutedHistory } from "./unrouted-history";

export interface NotifierDeps {
  config: NotifierConfig;
  baseDir: string;
  store: Store;
  bus: EventBus<DomainEvents>;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  /** This Steward instance (named on the deliveries it sends); a random id when not given. */
  instanceId?: string;
  /** The Steward instances alive in the cluster; unset for a single Steward on its own store. */
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster: whether these members are certainly still alive, known without a statement (an idle look sends none). */
  stillLive?: (ids: Iterable<string>) => boolean;
  /** In a cluster: how often to look for deliveries another Steward queued (src/platform/cluster/peer-poll.ts). */
  peerPollMs?: () => number;
  /**
   * In a cluster: how long a member alive at an earlier look may stay missing before its sends in flight are taken
   * over (a heartbeat or two: after a store outage every member's heartbeat is late until its next beat).
   */
  memberGraceMs?: number;
  /** In a cluster: alone in it or not, and a wake when the peer epoch moves (src/tell/notify/worker.ts). */
  peers?: PeerLooks;
  /** Field type conflicts of InfluxDB writes (shared by every notifier a config reload builds). */
  influxConflicts?: InfluxConflictMonitor;
  /** Silences and maintenance windows: may hold back planned deliveries (recorded as suppressed). */
  gate?: DeliveryGate;
  /** Modules that add to a message or follow what was queued (action links, escalation): see NotifyHooks. */
  hooks?: NotifyHooks;
  /** How each channel's attempts went (shared by every notifier a config reload builds). */
  health?: ChannelHealth;
  /** An on-call channel's product accepted a trigger that opened alert `key` (the convergence sweep, converge.ts). */
  alertOpened?: (channel: string, key: string) => void;
}

/** What other modules add to the pipeline without it knowing them. */
export interface NotifyHooks {
  /** Adds to a message's template variables when it is built for sending (acknowledge and snooze links). */
  decorate?(n: Notification): Promise<Notification>;
  /**
   * Whether the event ends the run of an action a person asked for whose outcome no message told yet (a retry that
   * failed again): the person waits for that answer, so `renotify` does not hold it back.
   */
  endsAnAction?(e: DomainEvent): Promise<boolean>;
  /** Why on-call alert `key` stays open on `channel` though its incident or cause ended: an action on it has not ended and been told there. */
  alertHeld?(key: string, channel: string): Promise<string | undefined>;
  /** Told of each plan after it was queued (escalation timers start from the deliveries sent). */
  queued?(plan: Plan, now: number): Promise<void>;
  /** The rota as it stands: the config's schedules with the overrides people made (src/tell/oncall/stored-overrides.ts). */
  oncall?(configured: NotifierConfig["oncall"]): NotifierConfig["oncall"];
}

export interface Notifier {
  component: Component;
  dispatch(event: DomainEvent): Promise<EnqueueResult>;
  preview(event: DomainEvent): Promise<Preview>;
  /** Queues one delivery of `event` per recipient of a single channel, bypassing routes. */
  sendToChannel(channel: string, event: DomainEvent): Promise<DeliveryRow[]>;
  list(filter: ListFilter): Promise<DeliveryRow[]>;
  get(id: number): Promise<DeliveryRow | undefined>;
  retry(id: number): Promise<DeliveryRow>;
  /** Look for due deliveries now (rows another module made pending, e.g. a silence that ended). */
  wake(): void;
  /** Queues `event` on one route because an alert was not acknowledged in time; keys start with `keyPrefix`. */
  escalate(event: DomainEvent, route: string, keyPrefix: string): Promise<Plan>;
  /**
   * An incident or cause was acknowledged in Steward: the on-call channels with its alert open acknowledge it there
   * (with `resolve`: resolve it, for a cause a person resolved that no recovery of its own will end).
   */
  acknowledged(req: AcknowledgeRequest): Promise<number>;
  /**
   * The product of on-call channel `channel` acknowledged or closed its alert `key` itself (its webhook): the channel
   * holds it so, and neither the incident's follow-up nor the convergence sweep tells it back (open-alerts.ts).
   */
  actedInProduct(channel: string, key: string, action: "acknowledge" | "resolve", by: string): Promise<void>;
  /** The channels of a type in the config in force (a webhook finds its channel's secret here). */
  channelsOfType<T extends ChannelConfig["type"]>(type: T): Array<{ name: string; config: Extract<ChannelConfig, { type: T }> }>;
  readonly outbox: OutboxStore;
  /** A follow-up of a page sent where the page went, and only there (page-follow.ts: an action update). */
  readonly pages: PageFollower;
}

/** See page-follow.ts. */
export interface PageFollower {
  receivers(thread: string, since: number): Promise<PageReceiver[]>;
  busy(thread: string, since: number): Promise<boolean>;
  /** The receivers (`channel|recipient`, lower case) a delivery of the event is still on its way to. */
  onItsWay(eventId: string): Promise<Set<string>>;
  /** Queues `event` to the receivers (keyed by the event: once); how many deliveries were made now. */
  send(event: DomainEvent, receivers: readonly PageReceiver[]): Promise<number>;
}

/** Counts each delivery of a plan that was queued, grouped or suppressed. */
function countOutcomes(metrics: ReturnType<typeof createNotifyMetrics>, plan: Plan, result: EnqueueResult): void {
  if (result.queued + result.grouped + result.suppressed === 0) return;
  for (const d of plan.deliveries) {
    if (d.action === "send") metrics.outcome(d.channel, "queued");
    else if (d.action === "group") metrics.outcome(d.channel, "grouped");
    else if (d.action === "suppress") metrics.outcome(d.channel, "suppressed");
  }
}

/** A test send to one recipient of a channel; in test mode it goes to the channel's test target (or is refused without one). */
function testDelivery(config: NotifierConfig, channel: string, recipient: string, event: DomainEvent, route: string): PlannedDelivery {
  const ch = config.channels[channel]!;
  const test = config.notify.testMode;
  let target: string | null = null;
  if (test.enabled && !test.unaffected.includes(channel)) {
    target = ch.type === "email" ? (test.email ?? null) : "testTarget" in ch ? (ch.testTarget ?? null) : null;
    if (!target) throw new AppError("CONFLICT", `test mode is on and channel ${channel} has no testTarget, so nothing may be sent to it`);
  }
  return { route, channel, channelType: ch.type, recipient, target, key: deliveryKey(event.id, channel, recipient), action: "send" };
}

/** What each configured channel is built with; its templates compile here. */
function channelDepsFor(deps: NotifierDeps, log: Logger, renderers: ReturnType<typeof createRendererCache>): Map<string, ChannelDeps> {
  const { config, clock, baseDir } = deps;
  const channelDeps = new Map<string, ChannelDeps>();
  for (const [name, ch] of Object.entries(config.channels)) {
    channelDeps.set(name, {
      name,
      log: log.child({ channel: name }),
      clock,
      templates: renderers(templateDirsFor(config, ch, baseDir)),
      baseDir,
      state: createChannelState(deps.store.sql, name, () => clock.now()),
      newRelic: config.newRelic,
      ...(config.http?.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
      influxConflicts: deps.influxConflicts,
      ...(deps.alertOpened ? { alertOpened: (key: string) => deps.alertOpened!(name, key) } : {}),
    });
  }
  return channelDeps;
}

/** What the on-call products' both ways need of the notifier: their acknowledgements queued, their channels' secrets. */
function onCallMethods(
  config: NotifierConfig,
  channelDeps: ReadonlyMap<string, ChannelDeps>,
  outbox: OutboxStore,
  wake: () => void,
  clock: Clock,
): Pick<Notifier, "acknowledged" | "actedInProduct" | "channelsOfType"> {
  return {
    async acknowledged(req) {
      const targets = Object.entries(config.channels)
        .filter(([, ch]) => CHANNELS[ch.type].followsAcknowledgements === true)
        .map(([name, ch]) => ({ name, config: ch, state: channelDeps.get(name)!.state }));
      const queued = targets.length === 0 ? 0 : await queueAcknowledgements(outbox, config.notify, targets, req, clock.now());
      if (queued > 0) wake();
      return queued;
    },
    async actedInProduct(channel, key, action, by) {
      const state = channelDeps.get(channel)?.state;
      if (!state) return;
      if (action === "resolve") await markResolved(state, key);
      else if ((await openAlertEvent(state, key)) !== undefined) await markAcknowledged(state, key, by);
    },
    channelsOfType: (type) =>
      Object.entries(config.channels)
        .filter(([, ch]) => ch.type === type)
        .map(([name, ch]) => ({ name, config: ch as never })),
  };
}

type BuildNotification = Parameters<typeof createOutboxWorker>[0]["buildNotification"];

/** A queued delivery as the message its channel sends: its variables, its links (the hooks), the script log to attach. */
function notificationBuilder(
  deps: NotifierDeps,
  outbox: ReturnType<typeof createOutboxStore>,
  pageAfterOf: (route: string) => ReturnType<typeof routePageAfter> | undefined,
): BuildNotification {
  const { config } = deps;
  return async (row, attempt) => {
    const built = await notificationForRow(row, attempt, outbox, { ...varsOptionsFor(config, config.channels[row.channel]), pageAfterOf });
    const n = deps.hooks?.decorate ? await deps.hooks.decorate(built) : built;
    const attach = routeAttachScriptLog(config.routes, row.route);
    const who = mentionFor(config, row.channel, row.route, row.createdAt, deps.hooks?.oncall?.(config.oncall));
    return { ...n, ...(attach === undefined ? {} : { attachScriptLog: attach }), ...(who ? { onDuty: who } : {}) };
  };
}

/** The deliveries as the REST API and the CLI list them. */
const outboxReads = (outbox: OutboxStore): Pick<Notifier, "list" | "get"> => ({ list: (filter) => outbox.list(filter), get: (id) => outbox.get(id) });

/** Follow-ups of a page (page-follow.ts), queued in the outbox like every message. */
function pageFollower(deps: NotifierDeps, outbox: OutboxStore, wake: () => void): PageFollower {
  const { config, clock } = deps;
  return {
    receivers: (thread, since) => pageReceivers(deps.store.sql, thread, since),
    busy: (thread, since) => threadBusy(deps.store.sql, thread, since),
    onItsWay: (eventId) => eventOnItsWay(deps.store.sql, eventId),
    async send(event, receivers) {
      const queued = await followPage(outbox, config.channels, event, receivers, clock.now(), config.notify.outbox.maxAge);
      if (queued > 0) wake();
      return queued;
    },
  };
}

/**
 * Required with routes: if the outbox cannot take the event, the producer must not count it as handled (the intake
 * then leaves it to reconciliation instead of marking it seen). Without routes an event is only kept for rehearsals,
 * which is no reason to hear it twice.
 */
function hearEveryEvent(bus: EventBus<DomainEvents>, dispatch: (e: DomainEvent) => Promise<unknown>, required: boolean): () => void {
  return bus.onAny(
    async (_kind, payload) => {
      await dispatch(payload as DomainEvent);
    },
    { required },
  );
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, clock } = deps;
  const log = deps.log.child({ module: "notify" });
  const outbox = createOutboxStore(deps.store.sql, { instanceId: deps.instanceId ?? `steward-${randomUUID()}` });
  const metrics = createNotifyMetrics(deps.metrics, outbox);
  const ctx = planContextFor(config, deps.hooks?.oncall);
  const routes = ctx.routes;
  const o = config.notify.outbox;
  const unrouted = createUnroutedHistory(deps.store.sql, { maxBytes: o.unroutedMaxBytes, log });

  // Templates compile here, so a broken override stops start-up with a clear message instead of failing alerts.
  const channelDeps = channelDepsFor(deps, log, createRendererCache());
  const workerChannels = new Map<string, WorkerChannel>();
  const definition = (name: string) => {
    const ch = config.channels[name];
    if (!ch) throw new AppError("NOT_FOUND", `no channel named ${name}`);
    return { ch, def: CHANNELS[ch.type] as ChannelDefinition<typeof ch.type>, deps: channelDeps.get(name)! };
  };

  const pageAfterOf = (route: string) => {
    const named = ctx.routes.find((r) => r.name === route);
    return named ? routePageAfter(named) : undefined;
  };
  const worker = createOutboxWorker({
    outbox,
    channels: workerChannels,
    settings: { concurrency: o.concurrency, initialBackoffMs: o.initialBackoff, maxBackoffMs: o.maxBackoff, maxAttempts: o.maxAttempts, keepMs: o.keep },
    clock,
    log,
    metrics,
    ...(deps.health ? { health: deps.health } : {}),
    ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
    ...(deps.stillLive ? { stillLive: deps.stillLive } : {}),
    ...(deps.peerPollMs ? { peerPollMs: deps.peerPollMs } : {}),
    ...(deps.memberGraceMs !== undefined ? { memberGraceMs: deps.memberGraceMs } : {}),
    ...(deps.peers ? { peers: deps.peers } : {}),
    fellBack: createFallbackRecorder({ log, clock, metrics }),
    buildNotification: notificationBuilder(deps, outbox, pageAfterOf),
  });

  let unsubscribe: (() => void) | undefined;

  async function dispatch(event: DomainEvent): Promise<EnqueueResult> {
    const now = clock.now();
    if (routes.length === 0) return unrouted.record(event, now).then(() => ({ queued: 0, grouped: 0, suppressed: 0, duplicates: 0 }));
    // An incident that closes sends the digest of its follow-ups first, not at the end of the digest's window.
    if (isTaskEvent(event) && event.kind === "task.recovered" && event.incident) {
      if ((await outbox.releaseGroups(incidentGroupKey(event.incident.id), now)) > 0) worker.wake();
    }
    const planned = await planEvent((await deps.hooks?.endsAnAction?.(event)) ? { ...ctx, endsAnAction: true } : ctx, event, outbox, now);
    const reviewed = deps.gate ? await deps.gate.review(planned, now, { planAs: async (e) => (await planEvent(ctx, e, undefined, now)).deliveries }) : planned;
    const { result, plan } = await enqueuePlan(outbox, reviewed, now, o.maxAge, deps.gate);
    // Nothing written to the outbox: a rehearsal of a new route still finds it (unrouted-history.ts).
    if (plan.deliveries.length === 0) await unrouted.record(event, now);
    for (const d of plan.deliveries)
      if (d.action === "suppress") log.info({ eventId: event.id, channel: d.channel, route: d.route, reason: d.reason }, "delivery suppressed");
    countOutcomes(metrics, plan, result);
    if (result.queued > 0 || result.grouped > 0) worker.wake();
    await deps.hooks?.queued?.(plan, now);
    return result;
  }

  /** Sends `event` on `route` because another route's alert was not acknowledged in time (see src/tell/escalation). */
  async function escalate(event: DomainEvent, route: string, keyPrefix: string): Promise<Plan> {
    const named = ctx.routes.find((r) => r.name === route);
    if (!named) throw new AppError("NOT_FOUND", `no route named ${route}`);
    // The escalation is the reason to send: the target's own event kinds and time filters were judged by the caller.
    const only = { ...named, config: { ...named.config, on: [event.kind], activeTimes: undefined, mutedTimes: undefined } };
    const now = clock.now();
    const planned = await planEvent({ ...ctx, routes: [only], escalationTargets: undefined, escalating: true }, event, outbox, now, keyPrefix);
    const reviewed = deps.gate ? await deps.gate.review(planned, now) : planned;
    const { result, plan } = await enqueuePlan(outbox, reviewed, now, o.maxAge, deps.gate);
    countOutcomes(metrics, plan, result);
    if (result.queued > 0 || result.grouped > 0) worker.wake();
    await deps.hooks?.queued?.(plan, now);
    return plan;
  }

  const component: Component = {
    name: "notify",
    async start() {
      for (const [name, ch] of Object.entries(config.channels)) {
        const { def, deps: cd } = definition(name);
        workerChannels.set(name, { channel: def.create(ch as never, cd), timeoutMs: ch.timeout });
      }
      await worker.start();
      await unrouted.start(clock.now());
      unsubscribe = hearEveryEvent(deps.bus, dispatch, routes.length > 0);
      log.info(
        { channels: Object.keys(config.channels).length, routes: routes.length, testMode: config.notify.testMode.enabled },
        "notification pipeline started",
      );
    },
    async stop(budgetMs) {
      unsubscribe?.();
      await worker.stop(budgetMs);
      await Promise.all([...workerChannels.values()].map((w) => w.channel.close?.().catch(() => undefined)));
      workerChannels.clear();
    },
  };

  return {
    component,
    outbox,
    pages: pageFollower(deps, outbox, () => worker.wake()),
    dispatch,
    escalate,
    ...onCallMethods(config, channelDeps, outbox, () => worker.wake(), clock),
    preview: (event) => previewEvent(config, ctx, (name) => channelDeps.get(name)!, event, outbox, clock.now()),
    async sendToChannel(channel, event) {
      const { ch, def } = definition(channel);
      const now = clock.now();
      const route = TEST_SEND_ROUTE;
      const recipients = def.addressable && ch.type === "email" ? ch.to : [""];
      if (recipients.length === 0) throw new AppError("BAD_REQUEST", `channel ${channel} has no static recipients (to:) to send a test to`);
      const deliveries = recipients.map((recipient) => testDelivery(config, channel, recipient, event, route));
      await enqueuePlan(outbox, { event, routes: [], deliveries }, now, o.maxAge);
      worker.wake();
      return outbox.list({ eventId: event.id, limit: 100 });
    },
    ...outboxReads(outbox),
    wake: () => worker.wake(),
    async retry(id) {
      const row = await outbox.get(id);
      if (!row) throw new AppError("NOT_FOUND", `no delivery ${id}`);
      if (row.status !== "dead" && row.status !== "suppressed") {
        throw new AppError("CONFLICT", `delivery ${id} is ${row.status}; only dead or suppressed deliveries can be retried`);
      }
      const now = clock.now();
      await outbox.retry(id, now, now + o.maxAge);
      worker.wake();
      log.info({ deliveryId: id, channel: row.channel }, "delivery retried on request");
      return (await outbox.get(id))!;
    },
  };
}
