// Polls one Qlik Cloud tenant's Reloads API (tenant-wide, newest first, `log=false`) and announces each reload
// that ended since the last poll, exactly once: every final reload is claimed in the store before it is announced,
// and the watermark (a creation time) only moves past reloads that are announced or still to be seen again.
// A good API citizen: one request per quiet poll, Retry-After honoured, exponential backoff on 5xx and odd
// answers, a bounded number of pages, and a rejected key reported once instead of hammered.
import type { Logger } from "pino";
import type { Clock, Timer } from "../core/clock";
import { describeError } from "../core/errors";
import type { SiteEvent, TaskEvent } from "../events/types";
import type { CloudTenantConfig } from "../config/sections/qlik-cloud";
import { CloudCallError, type CloudFailure, type CloudHttp } from "./cloud-http";
import type { CloudStore } from "./cloud-store";
import type { CloudMetadata, CloudAppInfo } from "./metadata";
import type { CloudMetrics } from "./metrics";
import { FINAL_STATUSES, IN_PROGRESS_STATUSES, nextCursor, readReloadPage, timeMs, type CloudReload } from "./reloads";
import { cloudTaskEvent } from "./task-event";

/** Reloads that become visible a little after their creation time are still read by the next poll. */
const OVERLAP_MS = 2 * 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;
/** With a rejected key: ask again this seldom (a config reload with a new key polls at once). */
const AUTH_RETRY_MS = 5 * 60_000;
/** A claim older than this belongs to a Steward that died while announcing. */
export const CLOUD_CLAIM_LEASE_MS = 5 * 60_000;
const LOG_MAX_BYTES = 8 * 1024 * 1024;
const KEEP_DONE_MS = 30 * 86_400_000;

export interface TenantPollerDeps {
  tenant: CloudTenantConfig & { name: string };
  http: CloudHttp;
  metadata: CloudMetadata;
  store: CloudStore;
  clock: Clock;
  log: Logger;
  metrics: CloudMetrics;
  instanceId: string;
  scriptLog: { enabled: boolean; onSuccess: boolean; head: number; tail: number; maxTextBytes: number };
  /** Hands the event to incidents and the bus; rejects when it could not be handed over. */
  announce(e: TaskEvent): Promise<void>;
  /** Puts a site event (the key refused) on the bus. */
  raise(e: SiteEvent): Promise<void>;
}

export interface TenantStatus {
  ok: boolean;
  detail: string;
  lastPollAt?: string;
  lastSuccessAt?: string;
}

export interface TenantPoller {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** One poll now (tests, and the first poll after start). */
  pollOnce(): Promise<void>;
  status(): TenantStatus;
  /** When the next poll is due (ms), for tests and /v4/cloud. */
  nextPollAt(): number | undefined;
  /** Polls at once if polling (this Steward holds the lease): after a new API key was loaded. */
  pollSoon(): void;
}

type PollEnd = { ok: true } | { ok: false; failure: CloudFailure };

export function createTenantPoller(deps: TenantPollerDeps): TenantPoller {
  const t = deps.tenant;
  const name = t.name;
  const log = deps.log.child({ module: "cloud", tenant: name });
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let failures = 0;
  let nextAt: number | undefined;
  /** Poll again at once when the running poll ends (a new key came in meanwhile). */
  let soon = false;
  let status: TenantStatus = { ok: false, detail: "not polled yet" };
  /** Failure kinds already logged in the current episode: a lasting problem is one line, not one per poll. */
  const reported = new Set<string>();
  const watch = { apps: new Set(t.apps ?? []), spaces: new Set(t.spaces ?? []) };
  const filtered = watch.apps.size > 0 || watch.spaces.size > 0;

  function reportOnce(key: string, level: "warn" | "error", fields: Record<string, unknown>, msg: string) {
    if (reported.has(key)) return;
    reported.add(key);
    log[level](fields, msg);
  }
  /** Odd content of answers that were otherwise fine, logged once while it lasts (from one poll to the next). */
  const oddReported = new Set<string>();
  let oddThisPoll = new Set<string>();
  function reportOdd(key: string, fields: Record<string, unknown>, msg: string) {
    oddThisPoll.add(key);
    if (oddReported.has(key)) return;
    oddReported.add(key);
    log.warn(fields, msg);
  }

  function watched(app: CloudAppInfo | undefined, appId: string): boolean {
    if (!filtered) return true;
    if (watch.apps.has(appId) || (app && watch.apps.has(app.name))) return true;
    return Boolean(app?.spaceId && (watch.spaces.has(app.spaceId) || (app.spaceName && watch.spaces.has(app.spaceName))));
  }

  /** Announces one final reload; false when it was another Steward's or already announced. Throws to stop the poll. */
  async function handle(r: CloudReload): Promise<boolean> {
    const now = deps.clock.now();
    let app: CloudAppInfo | undefined;
    const missing: Array<{ item: string; reason: string }> = [];
    try {
      app = await deps.metadata.app(r.appId);
    } catch (err) {
      if (err instanceof CloudCallError && err.failure.kind !== "client") throw err;
      missing.push({ item: "app", reason: describeError(err) });
    }
    if (!watched(app, r.appId)) return false;
    if (!(await deps.store.claim(name, r.id, r.status, now, CLOUD_CLAIM_LEASE_MS, deps.instanceId))) return false;
    try {
      const outcome = FINAL_STATUSES[r.status]!;
      let logText: { text: string; cut: boolean } | undefined;
      if (deps.scriptLog.enabled && (outcome !== "succeeded" || deps.scriptLog.onSuccess)) {
        try {
          logText = await deps.http.text(`/api/v1/apps/${encodeURIComponent(r.appId)}/reloads/logs/${encodeURIComponent(r.id)}`, LOG_MAX_BYTES);
        } catch (err) {
          if (err instanceof CloudCallError && (err.failure.kind === "rate" || err.failure.kind === "auth")) throw err;
          missing.push({ item: "scriptLog", reason: describeError(err) });
        }
      }
      const userName = r.userId ? await deps.metadata.userName(r.userId) : undefined;
      const event = cloudTaskEvent({
        tenant: { name, url: t.url },
        reload: r,
        ...(app ? { app } : {}),
        ...(userName ? { userName } : {}),
        ...(logText ? { log: logText } : {}),
        limits: { head: deps.scriptLog.head, tail: deps.scriptLog.tail, maxTextBytes: deps.scriptLog.maxTextBytes },
        missing,
        receivedAt: new Date(deps.clock.now()).toISOString(),
      });
      await deps.announce(event);
      await deps.store.markDone(name, r.id, deps.clock.now());
      deps.metrics.reloads.inc({ tenant: name, status: r.status });
      log.info({ reloadId: r.id, appId: r.appId, app: app?.name, status: r.status, type: r.type, eventId: event.id }, "cloud reload");
      return true;
    } catch (err) {
      await deps.store.unclaim(name, r.id).catch(() => {});
      throw err;
    }
  }

  async function poll(): Promise<PollEnd> {
    const now = deps.clock.now();
    oddThisPoll = new Set();
    const stored = await deps.store.watermark(name);
    const since = stored ?? now - t.lookBack;
    let oldestOpen = now - OVERLAP_MS;
    const final: CloudReload[] = [];
    let cursor: string | undefined;
    let complete = false;
    for (let page = 0; page < t.maxPages; page++) {
      const query = `/api/v1/reloads?limit=100&log=false${cursor ? `&next=${encodeURIComponent(cursor)}` : ""}`;
      let body: unknown;
      try {
        body = await deps.http.json("GET", query);
      } catch (err) {
        if (err instanceof CloudCallError) return { ok: false, failure: err.failure };
        throw err;
      }
      let read;
      try {
        read = readReloadPage(body);
      } catch (err) {
        return { ok: false, failure: { kind: "bad_answer", message: `GET /api/v1/reloads: ${describeError(err)}` } };
      }
      for (const rej of read.rejected) {
        // A status Steward does not know may turn into one it knows (or be a glitch): read it again next time.
        const created = timeMs(rej.creationTime);
        if (created !== undefined && created >= since) oldestOpen = Math.min(oldestOpen, created);
        deps.metrics.rejected.inc({ tenant: name, reason: rej.reason });
        reportOdd(`reject:${rej.reason}`, { reason: rej.reason, detail: rej.detail }, "the tenant listed a reload Steward cannot read; it is skipped");
      }
      let reachedOld = false;
      for (const r of read.reloads) {
        const created = timeMs(r.creationTime) ?? timeMs(r.startTime) ?? timeMs(r.endTime) ?? now;
        if (created < since) {
          reachedOld = true;
          break;
        }
        if (IN_PROGRESS_STATUSES.has(r.status)) oldestOpen = Math.min(oldestOpen, created);
        else final.push(r);
      }
      const next = read.next ? nextCursor(read.next) : undefined;
      if (reachedOld || !next) {
        complete = true;
        break;
      }
      if (next === cursor) {
        deps.metrics.rejected.inc({ tenant: name, reason: "cursor_loop" });
        reportOdd("cursor_loop", { cursor: next.slice(0, 60) }, "the tenant answered the same next cursor again; paging stops here");
        break;
      }
      cursor = next;
    }
    if (!complete) {
      deps.metrics.rejected.inc({ tenant: name, reason: "too_many_pages" });
      reportOdd(
        "pages",
        { maxPages: t.maxPages },
        "more reloads than maxPages pages since the last poll (or a tenant whose next cursor never ends); the older ones wait for the next polls",
      );
    }
    // Oldest first, so the watermark can follow what was announced.
    final.sort((a, b) => (timeMs(a.creationTime) ?? 0) - (timeMs(b.creationTime) ?? 0));
    let stoppedAt: number | undefined;
    let failure: CloudFailure | undefined;
    for (const r of final) {
      if (stopped) {
        stoppedAt = timeMs(r.creationTime) ?? now;
        break;
      }
      try {
        await handle(r);
      } catch (err) {
        stoppedAt = timeMs(r.creationTime) ?? now;
        failure = err instanceof CloudCallError ? err.failure : { kind: "network", message: describeError(err) };
        log.warn({ reloadId: r.id, err: describeError(err) }, "could not announce a cloud reload; the next poll tries again");
        break;
      }
    }
    // Without every page read, the reloads beyond the last one read are not seen yet: the watermark stays.
    // It never moves back: not before the first start's look-back either (the overlap must not replay history).
    const mark = complete ? Math.max(since, Math.min(oldestOpen, stoppedAt ?? Number.POSITIVE_INFINITY)) : since;
    if (stored === undefined || mark > stored) await deps.store.setWatermark(name, mark, now);
    for (const k of oddReported) if (!oddThisPoll.has(k)) oddReported.delete(k);
    return failure ? { ok: false, failure } : { ok: true };
  }

  function delayAfter(end: PollEnd): number {
    if (end.ok) return t.pollInterval;
    const f = end.failure;
    if (f.kind === "rate") return Math.max(t.pollInterval, f.retryAfterMs);
    if (f.kind === "auth") return Math.max(t.pollInterval, AUTH_RETRY_MS);
    return Math.min(MAX_BACKOFF_MS, t.pollInterval * 2 ** Math.min(10, failures));
  }

  function record(end: PollEnd) {
    const at = new Date(deps.clock.now()).toISOString();
    deps.metrics.polls.inc({ tenant: name, result: end.ok ? "ok" : end.failure.kind });
    if (end.ok) {
      if (!status.ok && reported.size > 0) log.info("the tenant answers again");
      reported.clear();
      failures = 0;
      status = { ok: true, detail: `polled ${t.url}`, lastPollAt: at, lastSuccessAt: at };
      deps.metrics.reachable.set(1, { tenant: name });
      return;
    }
    const f = end.failure;
    failures++;
    if (f.kind === "rate") deps.metrics.rateLimited.inc({ tenant: name });
    if (f.kind === "bad_answer") deps.metrics.rejected.inc({ tenant: name, reason: /not JSON/.test(f.message) ? "not_json" : "bad_json" });
    // Rate limiting is the tenant asking to slow down, not a fault: it does not make the tenant unreachable.
    const reachable = f.kind === "rate";
    deps.metrics.reachable.set(reachable ? 1 : 0, { tenant: name });
    const detail =
      f.kind === "auth"
        ? t.oauth
          ? `the tenant refused the OAuth client (HTTP ${f.status}): check qlikCloud.tenants[].oauth against the Management Console's OAuth page (docs/qlik-cloud.md)`
          : `the tenant refused the API key (HTTP ${f.status}): make a new key in the Management Console and put it in qlikCloud.tenants[].apiKey (docs/qlik-cloud.md)`
        : f.message;
    status = { ok: reachable, detail, lastPollAt: at, ...(status.lastSuccessAt ? { lastSuccessAt: status.lastSuccessAt } : {}) };
    const fields = { url: t.url, why: f.message, nextPollInMs: delayAfter(end) };
    if (f.kind === "auth") {
      if (!reported.has("auth")) void raiseAuthFailed(f.status, f.message);
      reportOnce("auth", "error", fields, "the Qlik Cloud tenant refused the API key; its reloads are not watched until a valid key is configured");
    } else if (f.kind === "rate")
      reportOnce("rate", "warn", fields, "the Qlik Cloud tenant asks Steward to slow down (429); polling waits as Retry-After says");
    else reportOnce(f.kind, "warn", fields, "polling the Qlik Cloud tenant failed; backing off");
  }

  /** One event per episode of a refused key, for a route that asks for `qlikcloud.auth_failed`. */
  async function raiseAuthFailed(statusCode: number, why: string) {
    const now = deps.clock.now();
    const e: SiteEvent = {
      id: `qlikcloud.auth_failed:${name}:${now}`,
      kind: "qlikcloud.auth_failed",
      receivedAt: new Date(now).toISOString(),
      host: new URL(t.url).hostname,
      title: `Qlik Cloud tenant ${name} refuses Steward's API key`,
      summary: `${t.url} answered HTTP ${statusCode} to Steward's API key: it expired, was revoked, or its user lost the Tenant Admin role. The tenant's reloads are not watched until a new key is configured (docs/qlik-cloud.md).`,
      facts: [
        { name: "Tenant", value: name },
        { name: "URL", value: t.url },
        { name: "Answer", value: `HTTP ${statusCode}` },
      ],
      data: { tenant: name, url: t.url, status: statusCode, why },
    };
    try {
      await deps.raise(e);
    } catch (err) {
      log.warn({ err: describeError(err) }, "could not announce the refused API key");
    }
  }

  async function tick() {
    if (running || stopped) return;
    running = (async () => {
      let end: PollEnd;
      try {
        end = await poll();
      } catch (err) {
        end = { ok: false, failure: { kind: "network", message: `store or internal error: ${describeError(err)}` } };
      }
      record(end);
      const delay = delayAfter(end);
      await deps.store.prune(deps.clock.now() - KEEP_DONE_MS).catch(() => 0);
      if (!stopped) arm(soon ? 0 : delay);
      soon = false;
    })().finally(() => {
      running = undefined;
    });
    await running;
  }

  function arm(delay: number) {
    if (timer) deps.clock.clearTimeout(timer);
    nextAt = deps.clock.now() + delay;
    timer = deps.clock.setTimeout(() => void tick(), delay);
    timer.unref?.();
  }

  return {
    name,
    start() {
      stopped = false;
      arm(0);
    },
    async stop() {
      stopped = true;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      nextAt = undefined;
      await running;
    },
    async pollOnce() {
      const wasStopped = stopped;
      if (wasStopped) stopped = false;
      try {
        if (running) await running;
        else await tick();
      } finally {
        if (wasStopped) {
          stopped = true;
          if (timer) deps.clock.clearTimeout(timer);
        }
      }
    },
    status: () => status,
    nextPollAt: () => nextAt,
    pollSoon() {
      if (stopped) return;
      if (running) soon = true;
      else arm(0);
    },
  };
}
