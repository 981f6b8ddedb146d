// The outgoing heartbeat: a GET or POST to a monitoring URL at start and then on an interval, each with a
// timeout; failures are counted (metric, consecutive count) and logged once when they begin, recoveries too.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { HeartbeatConfig } from "./config";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import { VERSION } from "../../platform/core/version";

export interface HeartbeatDeps {
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  baseDir: string;
  startedAt: number;
}

export interface Heartbeat {
  component: Component;
  /** Sends one beat now; resolves true when the receiver answered 2xx in time. */
  beat(): Promise<boolean>;
  consecutiveFailures(): number;
  reconfigure(next: HeartbeatConfig | undefined): void;
}

export function createHeartbeat(initial: HeartbeatConfig | undefined, deps: HeartbeatDeps): Heartbeat {
  const log = deps.log.child({ module: "heartbeat" });
  const sent = deps.metrics.counter("steward_heartbeat_total", "Heartbeats sent, by result (ok, failed).");
  let failures = 0;
  let lastOk = 0;
  deps.metrics.gaugeFn("steward_heartbeat_consecutive_failures", "Heartbeats failed in a row.", () => failures);
  deps.metrics.gaugeFn("steward_heartbeat_last_success_timestamp_seconds", "Unix time of the last successful heartbeat (0: none yet).", () =>
    Math.round(lastOk / 1000),
  );

  let cfg = initial?.enabled ? initial : undefined;
  let ca: string | undefined;
  let timer: Timer | undefined;
  let running = false;
  let inFlight: Promise<boolean> | undefined;
  const loadCa = (c: HeartbeatConfig | undefined) => (c?.ca ? readFileSync(resolve(deps.baseDir, c.ca), "utf8") : undefined);
  ca = loadCa(cfg);

  async function send(c: HeartbeatConfig): Promise<boolean> {
    const started = deps.clock.now();
    const init: RequestInit & { tls?: { ca: string } } = {
      method: c.method,
      headers: { "User-Agent": `Steward/${VERSION}`, ...c.headers },
      signal: AbortSignal.timeout(c.timeout),
      // A redirect is not followed: the configured headers (a token) would go to a URL the receiver chose.
      redirect: "manual",
    };
    if (c.method === "POST") {
      const mem = process.memoryUsage();
      init.headers = { ...init.headers, "Content-Type": "application/json" };
      init.body = JSON.stringify({
        service: "steward",
        version: VERSION,
        host: hostname(),
        startedAt: new Date(deps.startedAt).toISOString(),
        uptimeSeconds: Math.round((started - deps.startedAt) / 1000),
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      });
    }
    if (ca) init.tls = { ca };
    try {
      const res = await fetch(c.url, init);
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 300 && res.status < 400)
        throw new Error(
          `HTTP ${res.status}, a redirect; not followed (set heartbeat.url to where it points, ${redact(res.headers.get("location") ?? "no Location")})`,
        );
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sent.inc({ result: "ok" });
      if (failures > 0) log.info({ url: redact(c.url), failedBefore: failures }, "heartbeat delivered again");
      failures = 0;
      lastOk = deps.clock.now();
      return true;
    } catch (err) {
      failures++;
      sent.inc({ result: "failed" });
      const reason = (err as Error).name === "TimeoutError" ? `no answer within ${c.timeout} ms` : describeError(err);
      // Warn on the first failure and every 10th after it, so a long outage does not flood the log.
      if (failures === 1 || failures % 10 === 0) log.warn({ url: redact(c.url), consecutiveFailures: failures, reason }, "heartbeat failed");
      else log.debug({ consecutiveFailures: failures, reason }, "heartbeat failed");
      return false;
    }
  }

  const beat = () => {
    const c = cfg;
    if (!c) return Promise.resolve(false);
    inFlight ??= send(c).finally(() => (inFlight = undefined));
    return inFlight;
  };

  const schedule = () => {
    if (timer) deps.clock.clearTimeout(timer);
    timer = undefined;
    if (!running || !cfg) return;
    timer = deps.clock.setTimeout(() => void beat().finally(schedule), cfg.interval);
    timer.unref?.();
  };

  return {
    beat,
    consecutiveFailures: () => failures,
    reconfigure(next) {
      const c = next?.enabled ? next : undefined;
      ca = loadCa(c);
      cfg = c;
      if (running) void beat().finally(schedule);
      log.info({ enabled: Boolean(c), url: c ? redact(c.url) : undefined }, "heartbeat settings reloaded");
    },
    component: {
      name: "heartbeat",
      start() {
        running = true;
        if (!cfg) return;
        log.info({ url: redact(cfg.url), intervalMs: cfg.interval }, "heartbeat started");
        void beat().finally(schedule);
      },
      async stop() {
        running = false;
        if (timer) deps.clock.clearTimeout(timer);
        await inFlight;
      },
    },
  };
}

/** Ping URLs often carry a secret token in the path or query: log only scheme, host and the first path segment. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split("/").filter(Boolean)[0];
    return `${u.protocol}//${u.host}/${first ? `${first}/…` : ""}`;
  } catch {
    return "(invalid url)";
  }
}
