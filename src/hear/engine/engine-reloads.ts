// Reloads outside the Scheduler, heard from the Engine (docs/engine-reloads.md): the intake hands each parsed Engine
// line here; the tracker puts a reload's lines together; each finished reload is claimed in the store (one Steward of
// the cluster announces it), then judged and announced (reload-announcer.ts). Claimed reloads left unfinished by a
// crash, here or on a Steward that is gone, are finished at start and on a slow timer.
import type { Logger } from "pino";
import type { DomainEvents } from "../../platform/events/types";
import type { EventBus } from "../../platform/core/bus";
import { type Clock, every, wallClock } from "../../platform/core/clock";
import { inFlight as countedInFlight } from "../../platform/core/stepped-clock";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import type { EngineMessage, EngineReloadMessage } from "../intake/datagram-types";
import type { EngineReloadsConfig } from "./config";
import type { EngineLine } from "./engine-line";
import { lineFromButler } from "./engine-parser";
import { createReloadAnnouncer } from "./reload-announcer";
import { createReloadJudge } from "./reload-judge";
import { createEngineReloadStore, type EngineReloadStore } from "./reload-store";
import { createReloadTracker, type FinishedReload } from "./reload-tracker";
import { createSiteNodes } from "./site-nodes";
import { createRefusalSummary } from "../intake/refusal-summary";
import { createSourceBytes, createTokenBuckets } from "./reload-budget";

export interface EngineReloadsDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  qrs?: QrsClient;
  links?: { qmcUrl?: string; hubUrl?: string; appBaseUrl?: string };
  /** Time budget of each QRS read (intake.enrichment.lookupTimeoutMs). */
  lookupTimeoutMs?: number;
  /** This Steward (named in claims). */
  instanceId: string;
  /** The Steward instances alive (a cluster); unset: only this one. */
  liveInstances?: () => Promise<readonly string[]>;
}

export interface EngineReloads {
  /** A parsed Engine line (or Butler's engine datagram) from `source`. */
  hear(m: EngineMessage | EngineReloadMessage, source: string): void;
  component: Component;
  store: EngineReloadStore;
  /** Resolves when every reload handed on so far has been judged and announced (or given up). */
  settled(): Promise<void>;
}

/** Claimed reloads finished per pass of the recovery. */
const RECOVER_BATCH = 100;
const RECOVER_EVERY_MS = 5 * 60_000;
/** A reload claimed this long ago and not finished with is a leftover (judging one takes seconds). */
const RECOVER_AFTER_MS = 2 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

function engineReloadMetrics(metrics: MetricsRegistry) {
  return {
    lines: metrics.counter(
      "steward_engine_reload_lines_total",
      "Engine lines heard, by kind (start, success, failure; detail: a service log warning or error of a session; unrelated: about no reload; other: a reload line no rule placed).",
    ),
    forgotten: metrics.counter("steward_engine_reloads_forgotten_total", "Reloads awaited and forgotten, by reason (stale, overflow, restarted)."),
    verdicts: metrics.counter(
      "steward_engine_reloads_total",
      "Reloads heard from the Engine, by outcome and verdict (scheduler, alerted, not_alerted, fresh, unconfirmed, unknown, over_budget, duplicate, dropped, source_budget, error).",
    ),
  };
}

/** The line a message carries: the Engine appender's as parsed, or Butler's datagram read as a failure line. */
function lineOf(m: EngineMessage | EngineReloadMessage): EngineLine | { rejected: string } {
  if (m.kind === "engine-reload") return m.line;
  const r = lineFromButler(m);
  return r.ok ? r.line : { rejected: r.reason };
}

/** Reloads dropped beyond the rate: one line a minute, by node. */
function dropSummary(cfg: EngineReloadsConfig, clock: Clock, log: Logger) {
  return createRefusalSummary({
    clock,
    log,
    what: "",
    line: (n, nodes, list) =>
      `dropped ${n} Engine reload${n === 1 ? "" : "s"} of ${nodes} node${nodes === 1 ? "" : "s"} in the last minute, more than engineReloads.maxRunsPerMinute (${cfg.maxRunsPerMinute}, burst ${cfg.burst}): ${list}`,
  });
}

export function createEngineReloads(cfg: EngineReloadsConfig, deps: EngineReloadsDeps): EngineReloads {
  const log = deps.log.child({ module: "engine-reloads" });
  const { clock, metrics } = deps;
  const store = createEngineReloadStore(deps.db, { maxBytes: cfg.maxStoreBytes });
  const { lines, forgotten, verdicts } = engineReloadMetrics(metrics);
  const lookupTimeoutMs = deps.lookupTimeoutMs ?? 8_000;
  const judge = createReloadJudge(cfg, { ...(deps.qrs ? { qrs: deps.qrs } : {}), timeoutMs: lookupTimeoutMs });
  const announcer = createReloadAnnouncer({
    cfg,
    judge,
    store,
    bus: deps.bus,
    clock,
    log,
    ...(deps.qrs ? { qrs: deps.qrs } : {}),
    nodes: createSiteNodes(deps.qrs, clock, lookupTimeoutMs),
    links: deps.links ?? {},
    lookupTimeoutMs,
    verdicts,
  });
  const inFlight = new Set<Promise<void>>();
  /** Reloads this Steward claimed and is judging now: not a crash's leftovers. */
  const judging = new Set<string>();
  const judged = createTokenBuckets(cfg.burst, 60_000 / cfg.maxRunsPerMinute, clock);
  const drops = dropSummary(cfg, clock, log);
  const perSource = createSourceBytes(cfg.maxStoreBytesPerSourcePerHour, { clock, log, verdicts });
  let open = false;
  let lastUnplacedWarnMs = Number.NEGATIVE_INFINITY;

  async function handle(run: FinishedReload): Promise<void> {
    // A steady rate with a burst: a flood of lines cannot fill the store, and its drops are one line a minute.
    if (!judged.take("all")) {
      verdicts.inc({ outcome: run.outcome, verdict: "dropped" });
      drops.add(run.node);
      return;
    }
    if (!perSource.admits(run)) return;
    if (!(await store.claim(run, deps.instanceId, clock.now()))) {
      verdicts.inc({ outcome: run.outcome, verdict: "duplicate" });
      return;
    }
    judging.add(run.key);
    try {
      await announcer.judgeAndAnnounce(run);
    } finally {
      judging.delete(run.key);
    }
  }

  function track(p: Promise<void>, what: Record<string, unknown>): void {
    // On a stepped clock (a simulation) time holds while a reload is judged: its reads of the script log folder are
    // file I/O no other part of Steward counts.
    const done = countedInFlight(clock, p, "an Engine reload being judged").catch((err: Error) => {
      verdicts.inc({ outcome: String(what.outcome ?? ""), verdict: "error" });
      log.error({ ...what, err: err.message }, "an Engine reload could not be handled; it is tried again from the store");
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }

  const tracker = createReloadTracker(
    { settleMs: cfg.settle, forgetRunningAfterMs: cfg.forgetRunningAfter, maxOpen: cfg.maxOpen },
    {
      clock,
      counts: { line: (kind) => lines.inc({ kind }), forgotten: (reason) => forgotten.inc({ reason }) },
      finished: (run) => track(handle(run), { appId: run.appId, node: run.node, outcome: run.outcome }),
    },
  );

  /**
   * Claimed reloads left unfinished by this Steward (a crash, an error) or by one that is gone: finished now. While
   * running, only those claimed a while ago: one claimed just now is being judged (its claim and its judging are not
   * one step), and judging it twice would announce it twice.
   */
  async function recover(claimedBeforeMs: number): Promise<void> {
    const pending = await store.pending(RECOVER_BATCH, claimedBeforeMs);
    // Who is alive is asked only when another Steward's reload is left (an idle store sends one query).
    const others = pending.some((p) => p.claimedBy !== deps.instanceId);
    const live = new Set(others && deps.liveInstances ? await deps.liveInstances() : [deps.instanceId]);
    live.add(deps.instanceId);
    for (const p of pending) {
      if (p.claimedBy !== deps.instanceId && (live.has(p.claimedBy) || !(await store.takeOver(p.run.key, p.claimedBy, deps.instanceId)))) continue;
      // Work this Steward has in flight is not a crash's leftover.
      if (judging.has(p.run.key)) continue;
      if (p.judged && p.event) await announcer.announceStored(p.run.key, p.event);
      else if (!p.judged) await announcer.judgeAndAnnounce(p.run);
    }
  }

  let stopTimers: Array<() => void> = [];
  const component: Component = {
    name: "engine-reloads",
    async start() {
      open = true;
      await recover(clock.now()).catch((err: Error) => log.warn({ err: err.message }, "cannot finish the Engine reloads a previous run left"));
      stopTimers = [
        every(clock, RECOVER_EVERY_MS, () => track(recover(clock.now() - RECOVER_AFTER_MS), { what: "recovery" })),
        every(clock, PRUNE_EVERY_MS, () =>
          track(
            store.prune(clock.now() - cfg.keep).then(() => undefined),
            { what: "prune" },
          ),
        ),
      ];
    },
    async stop(budgetMs) {
      open = false;
      for (const summary of [drops, perSource]) summary.stop();
      announcer.stop();
      for (const s of stopTimers) s();
      stopTimers = [];
      // Reloads still settling are judged now rather than lost.
      tracker.flush();
      // On wall time: the store is about to close.
      let timer: ReturnType<typeof wallClock.setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise<void>((r) => (timer = wallClock.setTimeout(r, Math.max(100, budgetMs - 200))))]);
      if (timer) wallClock.clearTimeout(timer);
      tracker.clear();
    },
  };

  function hear(m: EngineMessage | EngineReloadMessage, source: string): void {
    if (!open) return;
    const line = lineOf(m);
    if ("rejected" in line) {
      lines.inc({ kind: line.rejected });
      return;
    }
    log.debug({ source, node: line.host, appId: line.appId, kind: line.kind, user: line.user, message: line.message.slice(0, 300) }, "Engine reload line");
    // A line no rule places: its wording is one Steward does not know. Said once a minute, with the line, so an admin can tell.
    if (line.kind === "other" && clock.now() - lastUnplacedWarnMs >= 60_000) {
      lastUnplacedWarnMs = clock.now();
      log.warn(
        { source, node: line.host, logger: line.logger, message: line.message.slice(0, 300) },
        "an Engine line mentions a reload in words Steward does not place; ignored",
      );
    }
    tracker.add(line, clock.now(), source);
  }

  return {
    hear,
    component,
    store,
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
