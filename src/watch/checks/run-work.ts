// The work on one data check run: its checks evaluated in the app and the verdict stored, then its events raised
// and its values exported; and the wait for a run's verdict (woken when this Steward finishes it, else polled).
import type { Logger } from "pino";
import type { DataCheckConfig, DataChecksConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { DataCheckEvent } from "../../platform/events/types";
import type { EngineClient } from "../../platform/qlik/engine-client";
import type { CheckStore, RunDoc, RunRow, ValueStatus } from "./check-store";
import { evaluateInApp, type AppEvaluation } from "./evaluator";
import type { CheckMetrics } from "./metrics";
import { decide, eventsFor, expressionsFor, valuesFor } from "./outcomes";

const POLL_MS = 500;

export interface RunWork {
  cfg: DataChecksConfig;
  store: CheckStore;
  log: Logger;
  clock: Clock;
  engine: EngineClient;
  engineHost: string;
  emit(e: DataCheckEvent): Promise<void>;
  exporter?: { exportRun(run: RunRow): Promise<void>; retry(): Promise<void> };
  metrics: CheckMetrics;
  checksOf(doc: RunDoc): DataCheckConfig[];
  /** Wakes whoever waits for the run's verdict. */
  wake(runId: string): void;
  /** False once the service stops: no retry is waited for then. */
  accepting(): boolean;
}

/** Evaluates a run's checks in the app (one retry for an Engine that could not be reached) and stores the verdict. */
export async function evaluateRun(w: RunWork, row: RunRow): Promise<void> {
  const { cfg, store, log, metrics, wake } = w;
  await store.setRunning(row.runId);
  wake(row.runId);
  const checks = w.checksOf(row.doc);
  const started = w.clock.now();
  const sizeMb = row.doc.app.fileSize !== undefined ? row.doc.app.fileSize / 1_048_576 : undefined;
  const tooLarge = cfg.maxAppSizeMb !== undefined && sizeMb !== undefined && sizeMb > cfg.maxAppSizeMb;
  let evaluation: AppEvaluation = tooLarge
    ? { ok: false, error: `the app is ${Math.round(sizeMb!)} MB, larger than dataChecks.maxAppSizeMb (${cfg.maxAppSizeMb} MB): not opened` }
    : await evaluateInApp(w.engine, row.doc.app.id, expressionsFor(checks), cfg.timeout);
  // An Engine restarting or a dropped connection is tried once more before anyone is alerted.
  if (!evaluation.ok && evaluation.transient && cfg.retryDelay > 0 && w.accepting()) {
    log.warn({ runId: row.runId, err: evaluation.error, retryInMs: cfg.retryDelay }, "the Engine could not be reached for the data checks; trying once more");
    await new Promise<void>((r) => w.clock.setTimeout(r, cfg.retryDelay));
    evaluation = await evaluateInApp(w.engine, row.doc.app.id, expressionsFor(checks), cfg.timeout);
  }
  const previous = new Map<string, number | null>();
  for (const c of checks) previous.set(c.name, await store.previousNumber(row.appId, c.name, c.expression, row.runId));
  const values = valuesFor(checks, evaluation, previous, { runId: row.runId, appId: row.appId, at: w.clock.now() });
  const runError = evaluation.ok ? undefined : evaluation.error;
  const d = decide(checks, values, runError, cfg.holdOnError);
  const doc: RunDoc = { ...row.doc, host: w.engineHost, ...(d.holdBack ? { holdBack: d.holdBack } : {}), ...(runError ? { error: runError } : {}) };
  await store.finish(row.runId, values, d.verdict, doc, w.clock.now());
  metrics.runs.inc({ verdict: d.verdict });
  metrics.seconds.observe((w.clock.now() - started) / 1000);
  const fields = { runId: row.runId, appId: row.appId, app: row.doc.app.name, verdict: d.verdict, ms: w.clock.now() - started };
  if (runError) log.warn({ ...fields, err: runError }, "data checks could not be evaluated");
  else log.info({ ...fields, failed: values.filter((v) => v.status !== "passed").map((v) => v.check) }, "data checks evaluated");
  if (d.holdBack) log.warn({ runId: row.runId, app: row.doc.app.name, why: d.holdBack }, "data checks hold back the follow-up tasks of this reload");
  wake(row.runId);
}

/** Raises the run's events (stable ids: announcing twice sends once), exports its values, marks it done. */
export async function announceRun(w: RunWork, row: RunRow): Promise<void> {
  const { store, log, metrics } = w;
  const checks = w.checksOf(row.doc);
  const order = (name: string) => row.doc.checks.indexOf(name);
  const values = (await store.values(row.runId)).sort((a, b) => order(a.check) - order(b.check));
  const last = new Map<string, ValueStatus | undefined>();
  for (const v of values) last.set(v.check, (await store.last(row.appId, v.check, v.expression, row.runId))?.status);
  for (const e of eventsFor(row.doc, checks, values, last, w.clock.now())) await w.emit(e);
  await store.markDone(row.runId);
  metrics.invalidate();
  await w.exporter
    ?.exportRun(row)
    .catch((err) => log.warn({ runId: row.runId, err: describeError(err) }, "could not write data check values to InfluxDB; tried again later"));
}

/** The run once its verdict is known, or undefined after maxWaitMs. */
export async function waitForVerdict(w: RunWork, waiters: Map<string, Array<() => void>>, runId: string, maxWaitMs: number): Promise<RunRow | undefined> {
  const { store } = w;
  const deadline = w.clock.now() + maxWaitMs;
  for (;;) {
    const row = await store.getRun(runId);
    if (row?.verdict) return row;
    const left = deadline - w.clock.now();
    if (left <= 0) return undefined;
    // Woken when this Steward finishes the run; a run another Steward works on is polled in the store.
    await new Promise<void>((resolve) => {
      const t = w.clock.setTimeout(done, Math.min(POLL_MS, left));
      function done() {
        w.clock.clearTimeout(t);
        const rest = (waiters.get(runId) ?? []).filter((w) => w !== done);
        if (rest.length) waiters.set(runId, rest);
        else waiters.delete(runId);
        resolve();
      }
      waiters.set(runId, [...(waiters.get(runId) ?? []), done]);
    });
  }
}
