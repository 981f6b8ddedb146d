// Watches one Qlik Cloud tenant, outbound only: each poll reads the tenant's reloads newest first down to where
// the last poll began (cursor paging, bounded), asks again about reloads it saw running, and announces each
// finished reload once: claimed in the store, its event stored, handed to the bus, marked announced. A good API
// citizen: it waits out a 429's Retry-After, backs off on 5xx and network errors, and stops on a refused key
// with one clear error (log, /ready, a qlikcloud.key_rejected event) instead of a loop.
import type { Logger } from "pino";
import type { QlikCloudTenantConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { SiteEvent, TaskEvent } from "../../platform/events/types";
import { siteEvent } from "../../platform/events/site-event";
import { createKeyExpiryWatch } from "./key-expiry";
import { type AppInfoLookup, createAppInfoCache } from "./app-info";
import { CloudApiError, type CloudClient, type CloudReload } from "./cloud-client";
import type { CloudStore } from "./cloud-store";
import { cloudReloadEvent, FINAL } from "./reload-event";
import { createReloadPages, ms } from "./reload-pages";
import type { AutomationStore } from "./automation-store";
import type { AutomationFeed } from "./automation-events";
import { type AutomationWatch, type AutomationWatchState, createAutomationWatch, pollAutomations } from "./automation-watch";
import { createDataTaskWatch, type DataTaskWatch, type DataTaskWatchState } from "./data-task-watch";

export interface TenantWatcherDeps {
  tenant: QlikCloudTenantConfig & { name: string };
  client: CloudClient;
  store: CloudStore;
  clock: Clock;
  log: Logger;
  metrics: { polls: ReturnType<MetricsRegistry["counter"]>; reloads: ReturnType<MetricsRegistry["counter"]> };
  emit(e: TaskEvent | SiteEvent): Promise<void>;
  /** Incidents and run history (src/tell/incidents): the run with its history, then any follow-up (task.recovered). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
  logLines: { head: number; tail: number };
  /** Where announcements of the tenant's automations are claimed (with `tenant.automations`). */
  automationClaims?: AutomationStore;
  /** Where their runs go besides the events (the freshness promises). */
  automationFeed?: AutomationFeed;
}

export interface TenantState {
  name: string;
  url: string;
  up: boolean;
  /** Why it is not up: the last error, or the key refused. */
  problem?: string;
  lastPollAt?: string;
  /** A poll was tried (this Steward polls the tenant). */
  polled: boolean;
  pausedUntil?: string;
  /** When the API key expires (ISO), when the key or the tenant says. */
  keyExpiresAt?: string;
  /** Why the key's expiry could not be read. */
  keyExpiryProblem?: string;
  /** The Qlik Automate automations watched (with `automations:`), and what could not be read of them. */
  automations?: AutomationWatchState;
  /** The Qlik Talend Cloud data tasks watched (with `dataTasks:`), and what could not be read of them. */
  dataTasks?: DataTaskWatchState;
}

export interface TenantWatcher extends Component {
  poll(): Promise<void>;
  state(): TenantState;
  /** A new API key was loaded: polls at once instead of waiting out the pause after a refused key. */
  keyChanged(key?: string): void;
}

/** Reloads created this long before the last poll began are read again (clocks and commits differ a little). */
const OVERLAP_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;
const AUTH_RETRY_MS = 5 * 60_000;
/** Reloads asked about one by one per poll at most (those seen running that dropped off the first pages). */
const MAX_FOLLOW_UPS = 50;

/** Builds the finished reload's event (app details, the log of a failed one), stores it, hands it to the bus, marks it announced. */
async function announceReload(d: TenantWatcherDeps, appInfo: AppInfoLookup, reload: CloudReload): Promise<void> {
  const { tenant, client, store, clock } = d;
  const name = tenant.name;
  const outcome = FINAL[reload.status]!;
  const missing: Array<{ item: string; reason: string }> = [];
  const app = await appInfo(reload.appId);
  if (app.missing) missing.push({ item: "app", reason: app.missing });
  let logText: string | undefined;
  if (outcome !== "succeeded") {
    try {
      logText = await client.reloadLog(reload.appId, reload.id);
    } catch (err) {
      if (err instanceof CloudApiError && (err.kind === "auth" || err.kind === "rate-limited")) throw err;
      missing.push({ item: "scriptLog", reason: (err as Error).message });
    }
  }
  const event = cloudReloadEvent({
    tenant: { name, url: tenant.url },
    reload,
    app: app.info,
    log: logText,
    missing,
    nowMs: clock.now(),
    logLines: d.logLines,
  });
  const events = d.annotate ? await d.annotate(event) : [event];
  await store.saveEvent(name, reload.id, JSON.stringify(events));
  for (const e of events) await d.emit(e);
  await store.markAnnounced(name, reload.id);
  d.metrics.reloads.inc({ tenant: name, status: reload.status });
}

/** The qlikcloud.key_rejected event: the tenant refuses the key (or OAuth client), so none of its reloads are seen. */
function keyRejectedEvent(tenant: TenantWatcherDeps["tenant"], err: CloudApiError, now: number): SiteEvent {
  const name = tenant.name;
  return siteEvent(
    "qlikcloud.key_rejected",
    `${name}:${now}`,
    new URL(tenant.url).host,
    now,
    {
      title: `Qlik Cloud refuses Steward's ${tenant.oauth ? "OAuth client" : "API key"}: ${name}`,
      summary: `${err.message}. Steward does not see this tenant's reloads until a working key is configured.`,
    },
    { tenant: name, url: tenant.url },
  );
}

/** Whether the tenant's config watches the app (its `apps` list, then its `spaces`). */
async function watched(tenant: TenantWatcherDeps["tenant"], appInfo: AppInfoLookup, appId: string): Promise<boolean> {
  if (tenant.apps && !tenant.apps.some((a) => a.toLowerCase() === appId.toLowerCase())) return false;
  if (!tenant.spaces) return true;
  const { info } = await appInfo(appId);
  return Boolean(info?.spaceId && tenant.spaces.includes(info.spaceId));
}

/**
 * Where this poll reads down to: where the last began (less an overlap), never below the floor. Only what ended after
 * the first poll's look-back is announced, ever: a new Steward does not replay the tenant's history, neither at its
 * first poll nor through the overlap of the next ones.
 */
async function pollWindow(d: TenantWatcherDeps, now: number): Promise<{ floor: number; cutoff: number }> {
  const { store, tenant } = d;
  const name = tenant.name;
  const saved = await store.getMeta(`${name}:since`);
  const since = Number(saved ?? now - tenant.lookBack);
  const floorText = await store.getMeta(`${name}:floor`);
  if (floorText === undefined) await store.setMeta(`${name}:floor`, String(since));
  const floor = Number(floorText ?? since);
  return { floor, cutoff: Math.max(since - OVERLAP_MS, floor) };
}

/** Reloads seen running earlier that this poll's pages did not show finished: asks about each (a gone one is claimed as GONE). */
async function followRunning(d: TenantWatcherDeps, finals: Map<string, CloudReload>, seen: Set<string>, now: number): Promise<void> {
  const { store, client } = d;
  const name = d.tenant.name;
  for (const r of await store.running(name, MAX_FOLLOW_UPS)) {
    if (seen.has(r.reloadId) && !finals.has(r.reloadId)) continue;
    if (finals.has(r.reloadId)) continue;
    try {
      const got = await client.getReload(r.reloadId);
      if (FINAL[got.status]) finals.set(got.id, got);
    } catch (err) {
      if (err instanceof CloudApiError && err.kind === "not-found") await store.claim(name, r.reloadId, r.appId, "GONE", now);
      else throw err;
    }
  }
}

/** The tenant's Qlik Automate automations, watched at each poll when `automations:` is on. */
function automationWatchOf(d: TenantWatcherDeps): AutomationWatch | undefined {
  const { tenant } = d;
  if (!tenant.automations?.enabled || !d.automationClaims) return undefined;
  const { client, store, clock, log } = d;
  const feed = d.automationFeed ? { feed: d.automationFeed } : {};
  return createAutomationWatch({ tenant, config: tenant.automations, client, store, claims: d.automationClaims, clock, log, emit: (e) => d.emit(e), ...feed });
}

/** The tenant's Qlik Talend Cloud data tasks, watched within its poll when `dataTasks:` is on. */
function dataTaskWatchOf(d: TenantWatcherDeps, appInfo: AppInfoLookup): DataTaskWatch | undefined {
  const { tenant } = d;
  if (!tenant.dataTasks?.enabled || !d.automationClaims) return undefined;
  const { client, store, clock, log } = d;
  return createDataTaskWatch({ tenant, config: tenant.dataTasks, client, store, claims: d.automationClaims, clock, log, appInfo, emit: (e) => d.emit(e) });
}

export function createTenantWatcher(d: TenantWatcherDeps): TenantWatcher {
  const { tenant, client, store, clock, log } = d;
  const name = tenant.name;
  let apiKey = tenant.apiKey;
  /** Bumped by each new key: a refusal of a poll that began with an older key says nothing about the new one. */
  let keyGeneration = 0;
  const keyExpiry = createKeyExpiryWatch({
    name,
    url: tenant.url,
    apiKey: () => apiKey,
    warnBeforeMs: tenant.keyExpiryWarning,
    client,
    store,
    clock,
  });
  const appInfo = createAppInfoCache(client, clock);
  const pages = createReloadPages({ name, tenant, client, store, log });
  const automations = automationWatchOf(d);
  const dataTasks = dataTaskWatchOf(d, appInfo);
  let up = false;
  let problem: string | undefined;
  let authFailedSince: number | undefined;
  let pausedUntil = 0;
  let failures = 0;
  let lastPoll: number | undefined;
  let polled = false;

  async function pollOnce(): Promise<void> {
    const now = clock.now();
    for (const p of await store.unannounced(name)) {
      for (const e of JSON.parse(p.event) as TaskEvent[]) await d.emit(e);
      await store.markAnnounced(name, p.reloadId);
    }
    const { floor, cutoff } = await pollWindow(d, now);
    const { finals, seen } = await pages.read(now, cutoff, floor);
    await followRunning(d, finals, seen, now);
    // Claimed earlier but not built (the log or app could not be read then).
    for (const r of await store.claimedWithoutEvent(name, MAX_FOLLOW_UPS)) {
      if (r.status === "GONE" || finals.has(r.reloadId)) continue;
      const got = await client.getReload(r.reloadId).catch(() => undefined);
      if (got && FINAL[got.status]) await announceReload(d, appInfo, got);
    }
    const ordered = [...finals.values()].sort((a, b) => (ms(a.endTime) ?? 0) - (ms(b.endTime) ?? 0));
    for (const r of ordered) {
      if (!(await watched(tenant, appInfo, r.appId))) {
        await store.claim(name, r.id, r.appId, r.status, now); // not watched: never asked about again
        await store.markAnnounced(name, r.id);
        continue;
      }
      if (await store.claim(name, r.id, r.appId, r.status, now)) await announceReload(d, appInfo, r);
    }
    if (automations) await pollAutomations(automations, now, floor, log, name);
    if (dataTasks) await dataTasks.poll(now);
    await store.setMeta(`${name}:since`, String(now));
    await store.prune(now - 7 * 86_400_000);
  }

  async function keyRejected(err: CloudApiError): Promise<void> {
    const now = clock.now();
    pausedUntil = now + AUTH_RETRY_MS;
    if (authFailedSince !== undefined) return;
    authFailedSince = now;
    log.error(
      { tenant: name, err: err.message },
      tenant.oauth
        ? "Qlik Cloud: the OAuth client is refused; check its id and secret in the tenant (see /help/qlik-cloud, docs/qlik-cloud.md) and reload the config"
        : "Qlik Cloud: the API key is refused; make a new key in the tenant (see /help/qlik-cloud, docs/qlik-cloud.md) and reload the config",
    );
    await d.emit(keyRejectedEvent(tenant, err, now)).catch((e) => log.warn({ err: (e as Error).message }, "could not announce the refused key"));
  }

  const pollGuarded = (): Promise<void> => {
    if (clock.now() < pausedUntil) return Promise.resolve();
    polled = true;
    const generation = keyGeneration;
    return pollOnce()
      .then(() => {
        up = true;
        problem = undefined;
        failures = 0;
        if (authFailedSince !== undefined) log.info({ tenant: name }, "Qlik Cloud: the API key works again");
        authFailedSince = undefined;
        lastPoll = clock.now();
        d.metrics.polls.inc({ tenant: name, result: "ok" });
        return keyExpiry
          .check()
          .then((warning) => (warning ? d.emit(warning) : undefined))
          .catch((e: unknown) => log.warn({ tenant: name, err: (e as Error).message }, "could not check when the API key expires"));
      })
      .catch(async (err: unknown) => {
        const e = err instanceof CloudApiError ? err : new CloudApiError("network", (err as Error).message);
        up = false;
        problem = e.message;
        d.metrics.polls.inc({ tenant: name, result: e.kind });
        if (e.kind === "auth") return generation === keyGeneration ? keyRejected(e) : undefined;
        if (e.kind === "rate-limited") {
          pausedUntil = clock.now() + (e.retryAfterMs ?? 60_000);
          log.info({ tenant: name, retryAfterMs: e.retryAfterMs }, "Qlik Cloud: rate limited; polling waits for Retry-After");
          return;
        }
        failures++;
        const backoff = Math.min(MAX_BACKOFF_MS, tenant.pollInterval * 2 ** Math.min(failures, 10));
        pausedUntil = clock.now() + backoff;
        log.warn({ tenant: name, err: e.message, nextTryInMs: backoff }, "Qlik Cloud poll failed; trying again later");
      });
  };
  const loop = createLoop(`qlik-cloud ${name}`, pollGuarded, () => Math.max(tenant.pollInterval, Math.min(pausedUntil - clock.now(), MAX_BACKOFF_MS)), clock);

  return {
    name: `qlik-cloud ${name}`,
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    poll: () => loop.runNow(),
    keyChanged(key) {
      if (key !== undefined) apiKey = key;
      keyGeneration++;
      keyExpiry.reset();
      // Only where this Steward polls (it holds the lease): the wait for a refused key is over.
      pausedUntil = 0;
      loop.wake();
    },
    state: () => ({
      name,
      url: tenant.url,
      up,
      polled,
      ...(problem ? { problem } : {}),
      ...(lastPoll !== undefined ? { lastPollAt: new Date(lastPoll).toISOString() } : {}),
      ...(pausedUntil > clock.now() ? { pausedUntil: new Date(pausedUntil).toISOString() } : {}),
      ...(keyExpiry.state().expiresAt !== undefined ? { keyExpiresAt: new Date(keyExpiry.state().expiresAt!).toISOString() } : {}),
      ...(keyExpiry.state().problem ? { keyExpiryProblem: keyExpiry.state().problem } : {}),
      ...(automations ? { automations: automations.state() } : {}),
      ...(dataTasks ? { dataTasks: dataTasks.state() } : {}),
    }),
  };
}
