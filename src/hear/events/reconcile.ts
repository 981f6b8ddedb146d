// Reconciliation with QRS: at start and on an interval, read the execution results that ended since the last
// one seen (a persisted watermark) and emit events for runs no datagram announced — Steward was down, a datagram
// was lost, a node had no appender. Runs younger than `settleSeconds` are left to the datagram path.
import type { Logger } from "pino";
import { runKey } from "./run-key";
import type { IntakeConfig } from "../intake/config";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Counter } from "../../platform/core/metrics";
import { and, compare } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { isNeverDate, ZERO_GUID, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import { outcomeOfStatus } from "./enrich-mappers";
import type { RunReport } from "./enrich-task-event";

/** What reconciliation needs from the intake: dedupe claims and the shared processing path. */
export interface ReconcileSink {
  /** Claims the run for this Steward (in memory and in the store); false when it was handled or is claimed. */
  claim(key: string, executionId: string, anyOutcome: boolean): Promise<boolean>;
  /** Resolves with the emitted event, or undefined when the run was not emitted (it stays unhandled). */
  process(report: RunReport, key: string): Promise<unknown>;
  /** True while a run is claimed only in memory (queued or being enriched): a crash would forget it. */
  inFlight(executionId: string): boolean;
  /** True while some Steward of the cluster holds a claim on the run and has not finished it. */
  claimedElsewhere(executionId: string): Promise<boolean>;
}

export interface ReconcileState {
  getState(name: string): Promise<string | undefined>;
  setState(name: string, value: string): Promise<void>;
}

export interface ReconcilePassResult {
  fetched: number;
  emitted: number;
  skipped: number;
  watermark: string;
}

export interface Reconciler {
  start(): void;
  stop(): Promise<void>;
  /** One pass now (also what the timer runs); concurrent calls share the running pass. */
  runOnce(): Promise<ReconcilePassResult | undefined>;
  /**
   * A short pass now (a few seconds of settle time), when this Steward reconciles: datagrams were dropped under a
   * flood, and QRS has the runs they may have announced (src/hear/intake/drop-look.ts). Nothing when stopped.
   */
  look(): Promise<ReconcilePassResult | undefined>;
}

export const WATERMARK_KEY = "reconcile.watermark";
/** While a member is down: how often to look, and how young a run may be (its datagram will not come). */
const URGENT_CHECK_MS = 2_000;
export const URGENT_SETTLE_SECONDS = 3;
/** After an outage or a member's return: how long passes stay urgent (a few settle times). */
const CATCH_UP_MS = 12_000;

export interface ReconcilerDeps {
  qrs: QrsClient;
  state: ReconcileState;
  sink: ReconcileSink;
  clock: Clock;
  log: Logger;
  lookupTimeoutMs: number;
  counters: { runs: Counter; reconciled: Counter; deduplicated: Counter };
  /** Runs first in every pass (the intake drops run claims of Stewards that are gone). */
  beforePass?: () => Promise<void>;
  /**
   * In a cluster: true while a Steward of the cluster is dead (silent past its lease). Its node's datagrams then
   * reach nobody, so only reconciliation hears that node's runs: passes come every few seconds with a short
   * settle time until the member is back or forgotten, instead of every intervalSeconds.
   */
  memberDown?: () => Promise<boolean>;
  /** In a cluster: the pace of a look that would come every `ms` (slower while this Steward is alone in it). */
  peerPace?: (ms: number) => number;
  /**
   * Each run a pass emitted; `excused` when the pass was urgent or catching up (a Steward was down, or the store
   * was): its datagram had nowhere to go, so it says nothing about its node (src/hear/intake/node-silence.ts).
   */
  onReconciled?: (r: QrsExecutionResult, excused: boolean) => Promise<void>;
}

export function createReconciler(cfg: IntakeConfig["reconcile"], deps: ReconcilerDeps): Reconciler {
  const log = deps.log.child({ module: "reconcile" });
  let timer: Timer | undefined;
  let stopped = true;
  let current: Promise<ReconcilePassResult | undefined> | undefined;

  async function pass(urgent = false): Promise<ReconcilePassResult> {
    await deps.beforePass?.();
    const since = await watermarkOf(deps, cfg.initialLookbackMinutes);
    const settleSeconds = urgent ? Math.min(cfg.settleSeconds, URGENT_SETTLE_SECONDS) : cfg.settleSeconds;
    const until = new Date(deps.clock.now() - settleSeconds * 1000).toISOString();
    if (until <= since) return { fetched: 0, emitted: 0, skipped: 0, watermark: since };
    // Every run of the pass had ended by now: the task and app reads of its first runs serve the later ones.
    const heardAtMs = deps.clock.now();
    const rows = await deps.qrs.getExecutionResults(and(compare("stopTime", "gt", since), compare("stopTime", "le", until)), {
      orderBy: "stopTime asc",
      timeoutMs: deps.lookupTimeoutMs * 3,
    });
    const batch = batchOf(rows, since, cfg.maxPerPass);

    let emitted = 0;
    let skipped = 0;
    // The watermark may only pass runs that are durably handled (remembered as seen, or a pending distribute
    // poll in the store). A run that is only claimed in memory (its datagram queued or being enriched) or that
    // could not be emitted holds the watermark: if Steward dies now, the next pass must still find it. Later
    // runs of this batch are handled anyway; the next pass re-reads them and skips them as seen.
    let held = false;
    for (const r of batch) {
      if (stopped) break;
      const handled = await handleRun(deps, r, heardAtMs);
      if (handled === "emitted") {
        emitted++;
        await deps.onReconciled?.(r, urgent);
      } else if (handled !== "held") skipped++;
      if (handled === "held" || handled === "skipped-held") held = true;
      if (!held) await deps.state.setState(WATERMARK_KEY, r.stopTime!);
    }
    const mark = await deps.state.getState(WATERMARK_KEY);
    if (held) log.debug({ watermark: mark }, "reconciliation watermark held at a run still in flight");
    const result = { fetched: rows.length, emitted, skipped, watermark: mark ?? since };
    if (emitted > 0) log.info(result, "reconciliation found runs no datagram announced");
    else log.debug(result, "reconciliation pass");
    return result;
  }

  function runOnce(urgent = false) {
    current ??= pass(urgent)
      .then((r) => {
        deps.counters.runs.inc({ result: "ok" });
        return r;
      })
      .catch((err) => {
        deps.counters.runs.inc({ result: "error" });
        log.warn({ err: describeError(err) }, "reconciliation with QRS failed; will retry on the next interval");
        return undefined;
      })
      .finally(() => {
        current = undefined;
      });
    return current;
  }

  const intervalMs = cfg.intervalSeconds * 1000;
  /** When the last pass started, by the timer's clock: the next regular one is due intervalMs later. */
  let lastPassAt = 0;
  /** A dead member seen at the last check: logged once when it starts and once when it ends. */
  let wasUrgent = false;

  /** The store could not be read at a check: runs announced meanwhile could not be claimed by anyone. */
  let storeWasDown = false;
  /** Until when passes stay short and frequent after an outage or a member's return (clock ms). */
  let catchUpUntil = 0;

  async function memberDown(): Promise<boolean> {
    if (!deps.memberDown) return false;
    try {
      return await deps.memberDown();
    } catch {
      storeWasDown = true;
      return false; // the store is unreachable: the regular cadence goes on
    }
  }

  /** Without a cluster, one timer per interval; in one, a check every few seconds for a dead member. */
  async function tick(): Promise<void> {
    const hadOutage = storeWasDown;
    storeWasDown = false;
    const urgent = await memberDown();
    if (storeWasDown) return; // still unreachable: nothing can be claimed; the next check tries again
    const memberBack = wasUrgent && !urgent;
    if (urgent !== wasUrgent) {
      log.info(
        { urgent },
        urgent
          ? "a Steward of the cluster is down: reconciling every few seconds, as its node's datagrams reach nobody"
          : "every Steward of the cluster is back: reconciling every intervalSeconds again",
      );
      wasUrgent = urgent;
    }
    // Catch up at once, not at the next interval: after a store outage (the datagrams of that time could not be
    // claimed by anyone), and when a dead member is back (its node's runs of the gap reached nobody).
    if (hadOutage || memberBack) {
      log.info({ after: hadOutage ? "store outage" : "member back" }, "catching up with QRS now: runs of the last minutes may have reached no Steward");
      // Runs that ended just before now are younger than the short settle time: keep the short cadence a while.
      catchUpUntil = deps.clock.now() + CATCH_UP_MS;
    }
    const catchingUp = deps.clock.now() < catchUpUntil;
    if (urgent || catchingUp || deps.clock.now() - lastPassAt >= intervalMs - 1) {
      lastPassAt = deps.clock.now();
      await runOnce(urgent || catchingUp);
    }
  }

  function arm() {
    if (stopped) return;
    const every = deps.memberDown ? Math.min(intervalMs, deps.peerPace?.(URGENT_CHECK_MS) ?? URGENT_CHECK_MS) : intervalMs;
    timer = deps.clock.setTimeout(() => {
      void tick().finally(arm);
    }, every);
    timer.unref?.();
  }

  return {
    start() {
      stopped = false;
      // Taking over the duty (a leader that died, say) starts with a pass, urgent when a member is down.
      lastPassAt = deps.clock.now();
      void memberDown()
        .then((urgent) => {
          wasUrgent = urgent;
          return runOnce(urgent);
        })
        .finally(arm);
    },
    async stop() {
      stopped = true;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      await current;
    },
    runOnce,
    look: async () => (stopped ? undefined : runOnce(true)),
  };
}

/** The runs one pass handles: the newest result per execution that really ended after `since`, oldest first. */
function batchOf(rows: QrsExecutionResult[], since: string, maxPerPass: number): QrsExecutionResult[] {
  // Newest result per execution (one per retry attempt); only runs that really ended.
  const byExecution = new Map<string, QrsExecutionResult>();
  for (const r of rows) {
    if (!r.executionID || isNeverDate(r.stopTime) || r.stopTime! <= since) continue;
    const id = r.executionID.toLowerCase();
    const prev = byExecution.get(id);
    if (!prev || (prev.stopTime ?? "") < (r.stopTime ?? "")) byExecution.set(id, r);
  }
  const ordered = [...byExecution.values()].sort((a, b) => a.stopTime!.localeCompare(b.stopTime!));
  // Cut at maxPerPass, but never between runs with the same stopTime (the watermark is exclusive).
  let batch = ordered.slice(0, maxPerPass);
  const lastStop = batch[batch.length - 1]?.stopTime;
  if (lastStop) batch = ordered.filter((r) => r.stopTime! <= lastStop);
  return batch;
}

/**
 * One run of a pass: skipped (not a run that ended, or already handled), emitted, or held: not durably handled yet
 * (claimed in memory or by another Steward, or it could not be emitted), so the watermark must not pass it.
 */
async function handleRun(deps: ReconcilerDeps, r: QrsExecutionResult, heardAtMs: number): Promise<"skipped" | "skipped-held" | "emitted" | "held"> {
  const executionId = r.executionID!.toLowerCase();
  const outcome = outcomeOfStatus(r.status);
  const taskId = r.taskID?.toLowerCase();
  const appId = r.appID && r.appID !== ZERO_GUID ? r.appID.toLowerCase() : undefined;
  if (!outcome || !taskId) return "skipped";
  if (!(await deps.sink.claim(runKey(executionId, outcome), executionId, true))) {
    // Already announced by a datagram (the normal case) or being handled right now, here or by another
    // Steward of the cluster (which may die before it finishes: then its claim runs out and a pass retries).
    deps.counters.deduplicated.inc({ source: "reconcile" });
    return deps.sink.inFlight(executionId) || (await deps.sink.claimedElsewhere(executionId)) ? "skipped-held" : "skipped";
  }
  const event = await deps.sink.process(
    { source: "reconcile", outcome, executionId, taskId, appId, host: r.executingNodeName ?? undefined, execution: r, heardAtMs },
    runKey(executionId, outcome),
  );
  if (!event) return "held";
  deps.counters.reconciled.inc();
  return "emitted";
}

/** The stopTime passes start after; the first pass ever starts `initialLookbackMinutes` back. */
async function watermarkOf(deps: ReconcilerDeps, initialLookbackMinutes: number): Promise<string> {
  const stored = await deps.state.getState(WATERMARK_KEY);
  if (stored) return stored;
  const initial = new Date(deps.clock.now() - initialLookbackMinutes * 60_000).toISOString();
  await deps.state.setState(WATERMARK_KEY, initial);
  return initial;
}
