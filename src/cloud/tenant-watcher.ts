// Watches one Qlik Cloud tenant, outbound only: each poll reads the tenant's reloads newest first down to where
// the last poll began (cursor paging, bounded), asks again about reloads it saw running, and announces each
// finished reload once: claimed in the store, its event stored, handed to the bus, marked announced. A good API
// citizen: it waits out a 429's Retry-After, backs off on 5xx and network errors, and stops on a refused key
// with one clear error (log, /ready, a qlikcloud.key_rejected event) instead of a loop.
import type { Logger } from "pino";
import type { QlikCloudTenantConfig } from "../config/sections/qlik-cloud";
import type { Clock } from "../core/clock";
import type { Component } from "../core/lifecycle";
import { createLoop } from "../core/loop";
import type { MetricsRegistry } from "../core/metrics";
import type { SiteEvent, TaskEvent } from "../events/types";
import { siteEvent } from "../site-monitor/site-event";
import { CloudApiError, type CloudClient, type CloudReload, CloudReloadSchema } from "./cloud-client";
import type { CloudStore } from "./cloud-store";
import { type CloudAppInfo, cloudReloadEvent, FINAL, IN_PROGRESS } from "./reload-event";

export interface TenantWatcherDeps {
  tenant: QlikCloudTenantConfig & { name: string };
  client: CloudClient;
  store: CloudStore;
  clock: Clock;
  log: Logger;
  metrics: { polls: ReturnType<MetricsRegistry["counter"]>; reloads: ReturnType<MetricsRegistry["counter"]> };
  emit(e: TaskEvent | SiteEvent): Promise<void>;
  /** Incidents and run history (src/incidents): the run with its history, then any follow-up (task.recovered). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
  logLines: { head: number; tail: number };
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
}

export interface TenantWatcher extends Component {
  poll(): Promise<void>;
  state(): TenantState;
  /** A new API key was loaded: polls at once instead of waiting out the pause after a refused key. */
  keyChanged(): void;
}

/** Reloads created this long before the last poll began are read again (clocks and commits differ a little). */
const OVERLAP_MS = 5 * 60_000;
const APP_TTL_MS = 60 * 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;
const AUTH_RETRY_MS = 5 * 60_000;
/** Reloads asked about one by one per poll at most (those seen running that dropped off the first pages). */
const MAX_FOLLOW_UPS = 50;

const ms = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

export function createTenantWatcher(d: TenantWatcherDeps): TenantWatcher {
  const { tenant, client, store, clock, log } = d;
  const name = tenant.name;
  const apps = new Map<string, { info: CloudAppInfo & { spaceId?: string }; at: number }>();
  const unknownStatus = new Set<string>();
  let up = false;
  let problem: string | undefined;
  let authFailedSince: number | undefined;
  let pausedUntil = 0;
  let failures = 0;
  let lastPoll: number | undefined;
  let polled = false;
  let warnedPagesAt = 0;

  async function appInfo(appId: string): Promise<{ info?: CloudAppInfo & { spaceId?: string }; missing?: string }> {
    const hit = apps.get(appId);
    if (hit && clock.now() - hit.at < APP_TTL_MS) return { info: hit.info };
    try {
      const a = await client.getApp(appId);
      const info: CloudAppInfo & { spaceId?: string } = { name: a.name, ...(a.spaceId ? { spaceId: a.spaceId } : {}) };
      if (a.spaceId)
        info.spaceName = await client.getSpace(a.spaceId).then(
          (s) => s.name,
          () => undefined,
        );
      if (a.ownerId) {
        const u = await client.getUser(a.ownerId).catch(() => undefined);
        info.owner = { id: a.ownerId, ...(u?.name ? { name: u.name } : {}), ...(u?.email ? { email: u.email } : {}) };
      }
      apps.set(appId, { info, at: clock.now() });
      return { info };
    } catch (err) {
      if (err instanceof CloudApiError && (err.kind === "auth" || err.kind === "rate-limited")) throw err;
      return { missing: (err as Error).message };
    }
  }

  const wanted = async (appId: string): Promise<boolean> => {
    if (tenant.apps && !tenant.apps.some((a) => a.toLowerCase() === appId.toLowerCase())) return false;
    if (!tenant.spaces) return true;
    const { info } = await appInfo(appId);
    return Boolean(info?.spaceId && tenant.spaces.includes(info.spaceId));
  };

  async function announce(reload: CloudReload): Promise<void> {
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

  function readReload(raw: unknown): CloudReload | undefined {
    const r = CloudReloadSchema.safeParse(raw);
    if (!r.success) {
      log.warn({ tenant: name, issue: r.error.issues[0]?.message }, "Qlik Cloud: a reload entry Steward cannot read was skipped");
      return undefined;
    }
    const known = FINAL[r.data.status] !== undefined || IN_PROGRESS.has(r.data.status);
    if (!known) {
      if (unknownStatus.size < 1_000 && !unknownStatus.has(r.data.id)) {
        unknownStatus.add(r.data.id);
        log.warn(
          { tenant: name, reloadId: r.data.id, status: r.data.status },
          "Qlik Cloud: a reload has a status Steward does not know; it is asked about again until it ends",
        );
      }
    }
    return r.data;
  }

  async function pollOnce(): Promise<void> {
    const now = clock.now();
    for (const p of await store.unannounced(name)) {
      for (const e of JSON.parse(p.event) as TaskEvent[]) await d.emit(e);
      await store.markAnnounced(name, p.reloadId);
    }
    const saved = await store.getMeta(`${name}:since`);
    const since = Number(saved ?? now - tenant.lookBack);
    // Only what ended after the first poll's look-back is announced, ever: a new Steward does not replay the
    // tenant's history, neither at its first poll nor through the overlap of the next ones.
    const floorText = await store.getMeta(`${name}:floor`);
    if (floorText === undefined) await store.setMeta(`${name}:floor`, String(since));
    const floor = Number(floorText ?? since);
    const cutoff = Math.max(since - OVERLAP_MS, floor);
    const finals = new Map<string, CloudReload>();
    const seen = new Set<string>();
    let url: string | undefined;
    let previousNext: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await client.listReloads(url);
      pages++;
      let older = false;
      for (const raw of page.reloads) {
        const r = readReload(raw);
        if (!r) continue;
        const created = ms(r.creationTime) ?? ms(r.endTime);
        if (created !== undefined && created < cutoff) {
          older = true;
          continue;
        }
        if (FINAL[r.status] && (ms(r.endTime) ?? now) < floor) continue;
        seen.add(r.id);
        if (FINAL[r.status]) finals.set(r.id, r);
        else await store.noteRunning(name, r.id, r.appId, r.status, now);
      }
      if (older || !page.next) break;
      if (page.next === previousNext) {
        log.warn({ tenant: name }, "Qlik Cloud: the tenant gave the same next page twice; stopped reading this poll");
        break;
      }
      if (pages >= tenant.maxPages) {
        if (now - warnedPagesAt > 10 * 60_000) {
          warnedPagesAt = now;
          log.warn({ tenant: name, pages }, "Qlik Cloud: stopped after maxPages pages of reloads this poll; the rest are read next poll");
        }
        break;
      }
      previousNext = page.next;
      url = page.next;
    }
    // Reloads seen running earlier that this poll's pages did not show finished: ask about each.
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
    // Claimed earlier but not built (the log or app could not be read then).
    for (const r of await store.claimedWithoutEvent(name, MAX_FOLLOW_UPS)) {
      if (r.status === "GONE" || finals.has(r.reloadId)) continue;
      const got = await client.getReload(r.reloadId).catch(() => undefined);
      if (got && FINAL[got.status]) await announce(got);
    }
    const ordered = [...finals.values()].sort((a, b) => (ms(a.endTime) ?? 0) - (ms(b.endTime) ?? 0));
    for (const r of ordered) {
      if (!(await wanted(r.appId))) {
        await store.claim(name, r.id, r.appId, r.status, now); // not watched: never asked about again
        await store.markAnnounced(name, r.id);
        continue;
      }
      if (await store.claim(name, r.id, r.appId, r.status, now)) await announce(r);
    }
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
        ? "Qlik Cloud: the OAuth client is refused; check its id and secret in the tenant (see docs/qlik-cloud.md) and reload the config"
        : "Qlik Cloud: the API key is refused; make a new key in the tenant (see docs/qlik-cloud.md) and reload the config",
    );
    await d
      .emit(
        siteEvent(
          "qlikcloud.key_rejected",
          `${name}:${now}`,
          new URL(tenant.url).host,
          now,
          {
            title: `Qlik Cloud refuses Steward's ${tenant.oauth ? "OAuth client" : "API key"}: ${name}`,
            summary: `${err.message}. Steward does not see this tenant's reloads until a working key is configured.`,
          },
          { tenant: name, url: tenant.url },
        ),
      )
      .catch((e) => log.warn({ err: (e as Error).message }, "could not announce the refused key"));
  }

  const pollGuarded = (): Promise<void> => {
    if (clock.now() < pausedUntil) return Promise.resolve();
    polled = true;
    return pollOnce()
      .then(() => {
        up = true;
        problem = undefined;
        failures = 0;
        if (authFailedSince !== undefined) log.info({ tenant: name }, "Qlik Cloud: the API key works again");
        authFailedSince = undefined;
        lastPoll = clock.now();
        d.metrics.polls.inc({ tenant: name, result: "ok" });
      })
      .catch(async (err: unknown) => {
        const e = err instanceof CloudApiError ? err : new CloudApiError("network", (err as Error).message);
        up = false;
        problem = e.message;
        d.metrics.polls.inc({ tenant: name, result: e.kind });
        if (e.kind === "auth") return keyRejected(e);
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
  const loop = createLoop(`qlik-cloud ${name}`, pollGuarded, () => Math.max(tenant.pollInterval, Math.min(pausedUntil - clock.now(), MAX_BACKOFF_MS)));

  return {
    name: `qlik-cloud ${name}`,
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    poll: () => loop.runNow(),
    keyChanged() {
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
    }),
  };
}
