// Service monitoring: polls every watched Windows service (sc.exe) and systemd unit (systemctl) on an interval,
// feeds the results to the state tracker, publishes service.stopped / service.started on the bus, and exposes
// the current states on /metrics. Settings can be replaced at run time (config reload).
import type { Logger } from "pino";
import type { ServiceMonitorConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import { spawnCommand, type CommandRunner } from "./command-runner";
import { probeService, type ProbeResult, type ServiceTarget } from "./probe";
import { createStateTracker, targetKey } from "./state-tracker";

export interface ServiceMonitorDeps {
  bus: EventBus<DomainEvents>;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  run?: CommandRunner;
  /** process.platform by default; decides which kinds of targets can be checked here. */
  platform?: string;
  scPath?: string;
  systemctlPath?: string;
}

export interface ServiceSnapshot {
  platform: ServiceTarget["platform"];
  host: string;
  name: string;
  state?: string;
  error?: string;
}

export interface ServiceMonitor {
  component: Component;
  /** One round over every target (the timer calls this; tests call it directly). */
  pollOnce(): Promise<void>;
  snapshot(): ServiceSnapshot[];
  reconfigure(next: ServiceMonitorConfig): void;
}

const DETAILS_MAX_AGE_MS = 10 * 60_000;

export function targetsOf(cfg: ServiceMonitorConfig): ServiceTarget[] {
  const ref = (r: string | { name: string; friendlyName?: string }) => (typeof r === "string" ? { name: r } : r);
  return [
    ...cfg.windows.flatMap((h) => h.services.map((s) => ({ platform: "windows" as const, host: h.host, ...ref(s) }))),
    ...cfg.systemd.flatMap((h) => h.units.map((u) => ({ platform: "systemd" as const, host: h.host, ...ref(u) }))),
  ];
}

export function createServiceMonitor(initial: ServiceMonitorConfig, deps: ServiceMonitorDeps): ServiceMonitor {
  const log = deps.log.child({ module: "service-monitor" });
  const run = deps.run ?? spawnCommand;
  const platform = deps.platform ?? process.platform;
  const tracker = createStateTracker();
  const latest = new Map<string, { target: ServiceTarget; result: ProbeResult }>();
  const detailsAt = new Map<string, number>();
  const checks = deps.metrics.counter("steward_service_checks_total", "Service status checks by result (ok, or the error kind).");
  const events = deps.metrics.counter("steward_service_events_total", "service.started / service.stopped events published.");
  deps.metrics.gaugeFn("steward_service_state", "State code of each watched service (1 STOPPED … 4 RUNNING … 7 PAUSED; 0 unknown).", () =>
    [...latest.values()].map(({ target, result }) => ({
      labels: { platform: target.platform, host: target.host, service: target.name },
      value: result.ok ? result.stateCode : 0,
    })),
  );

  let cfg = initial;
  let targets: ServiceTarget[] = [];
  let timer: Timer | undefined;
  let running = false;
  let polling: Promise<void> | undefined;
  let firstRound = true;

  const supported = (t: ServiceTarget) => (t.platform === "windows" ? platform === "win32" : platform === "linux");
  const setTargets = (c: ServiceMonitorConfig) => {
    const all = c.enabled ? targetsOf(c) : [];
    const skipped = all.filter((t) => !supported(t));
    if (skipped.length) {
      log.warn(
        { platform, skipped: skipped.map((t) => `${t.platform}:${t.host}/${t.name}`) },
        "these services cannot be checked from this operating system; they are skipped",
      );
    }
    targets = all.filter(supported);
    const keep = new Set(targets.map(targetKey));
    tracker.forget(keep);
    for (const k of latest.keys()) if (!keep.has(k)) latest.delete(k);
  };

  async function check(t: ServiceTarget): Promise<void> {
    const key = targetKey(t);
    const opts = { timeoutMs: cfg.timeout, scPath: deps.scPath, systemctlPath: deps.systemctlPath };
    const stale = !tracker.hasDetails(t) || deps.clock.now() - (detailsAt.get(key) ?? 0) > DETAILS_MAX_AGE_MS;
    let result = await probeService(run, t, { ...opts, withConfig: stale });
    // A changed state: read the configuration again so the event carries the current start type.
    if (result.ok && !stale && tracker.last(t) !== undefined && tracker.last(t) !== result.state) {
      result = await probeService(run, t, { ...opts, withConfig: true });
    }
    if (result.ok && (stale || result.startType)) detailsAt.set(key, deps.clock.now());
    latest.set(key, { target: t, result });
    checks.inc({ result: result.ok ? "ok" : result.kind });
    const where = { host: t.host, service: t.name, platform: t.platform };
    for (const o of tracker.observe(t, result, deps.clock.now())) {
      if (o.type === "error-began") log.warn({ ...where, kind: o.kind, reason: o.message }, "service status cannot be read");
      else if (o.type === "error-ended") log.info({ ...where, was: o.kind }, "service status readable again");
      else if (o.type === "baseline") log.debug({ ...where, state: o.state }, "service baseline");
      else if (o.type === "transition") log.info({ ...where, from: o.from, to: o.to }, "service state changed");
      else if (o.type === "event") {
        events.inc({ kind: o.event.kind });
        const level = o.event.kind === "service.stopped" ? "warn" : "info";
        log[level]({ ...where, state: o.event.state, previousState: o.event.previousState }, o.event.kind);
        await deps.bus.emit(o.event.kind, o.event);
      }
    }
  }

  async function round(): Promise<void> {
    const queue = [...targets];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        try {
          await check(t);
        } catch (err) {
          log.error({ host: t.host, service: t.name, err: describeError(err) }, "service check failed");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(cfg.concurrency, queue.length) }, worker));
    if (firstRound && targets.length) {
      firstRound = false;
      const states = [...latest.values()].map((x) => (x.result.ok ? x.result.state : "unreadable"));
      const count = (s: string) => states.filter((x) => x === s).length;
      log.info(
        { watched: targets.length, running: count("RUNNING"), stopped: count("STOPPED"), unreadable: count("unreadable") },
        "service monitoring baseline taken",
      );
    }
  }

  const pollOnce = () => {
    // Never two rounds at once: a slow host must not pile up sc.exe processes.
    polling ??= round().finally(() => (polling = undefined));
    return polling;
  };

  const schedule = () => {
    if (!running) return;
    if (timer) deps.clock.clearTimeout(timer);
    timer = deps.clock.setTimeout(() => {
      void pollOnce().finally(schedule);
    }, cfg.interval);
    timer.unref?.();
  };

  setTargets(initial);

  return {
    pollOnce,
    snapshot: () =>
      [...latest.values()].map(({ target, result }) => ({
        platform: target.platform,
        host: target.host,
        name: target.name,
        ...(result.ok ? { state: result.state } : { error: `${result.kind}: ${result.message}` }),
      })),
    reconfigure(next) {
      cfg = next;
      setTargets(next);
      if (running) {
        if (timer) deps.clock.clearTimeout(timer);
        void pollOnce().finally(schedule);
      }
      log.info({ watched: targets.length, intervalMs: next.interval }, "service monitoring settings reloaded");
    },
    component: {
      name: "service-monitor",
      start() {
        running = true;
        if (targets.length === 0) return;
        log.info({ watched: targets.length, intervalMs: cfg.interval }, "service monitoring started");
        void pollOnce().finally(schedule);
      },
      async stop() {
        running = false;
        if (timer) deps.clock.clearTimeout(timer);
        await polling;
      },
    },
  };
}
