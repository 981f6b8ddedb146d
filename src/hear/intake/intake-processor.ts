// The intake's run processor as the intake wires it: its config, budgets of unconfirmed runs, and how far ahead it
// announces on each store.
import type { IntakeConfig } from "./config";
import type { SqlDb } from "../../platform/store/sql";
import type { TaskEventEnricher } from "../events/enrich-task-event";
import type { HeldAttempts } from "./held-attempts";
import type { IntakeCounters } from "./intake-metrics";
import type { IntakeStore } from "./intake-store";
import type { ThrottledWarn } from "./log-throttle";
import type { NodeSilence } from "./node-silence";
import { createRunProcessor, type RunProcessor, type RunProcessorDeps } from "./run-processor";
import { createUnconfirmedBounds } from "./unconfirmed-budget";
import type { UnconfirmedPages } from "./unconfirmed-pages";

// Runs announced in the background: on PostgreSQL one batch of failures (MAX_FAILURE_BATCH); on SQLite 128, whose
// incident records and seen marks share commits (at 10,000 a second 28 runs a commit at 32, about 100 at 128: a
// quarter less written to the WAL a run). Runs recorded out of order then still find their history in the 200 a task
// keeps in memory (recent-runs.ts; at 80 a seventh of a burst read the store, issue 89).
const ANNOUNCE_AHEAD = { postgres: 64, sqlite: 128 };

/** The run processor: enrichment, dedupe, the bus (announcing ahead on PostgreSQL). */
export function intakeProcessor(
  cfg: IntakeConfig,
  deps: Pick<RunProcessorDeps, "bus" | "clock" | "log" | "annotate" | "confirmedRun"> & { db: SqlDb },
  parts: {
    enricher: TaskEventEnricher;
    store: IntakeStore;
    counters: IntakeCounters;
    warnOnce: ThrottledWarn;
    instanceId: string;
    nodeSilence: NodeSilence | undefined;
    heldAttempts: HeldAttempts;
    unconfirmedPages: UnconfirmedPages | undefined;
  },
): RunProcessor {
  const { enricher, store, counters, warnOnce, instanceId, nodeSilence, heldAttempts, unconfirmedPages } = parts;
  return createRunProcessor({
    enricher,
    bus: deps.bus,
    store,
    clock: deps.clock,
    log: deps.log,
    dedupe: { enabled: cfg.dedupe.enabled, ttlMs: cfg.dedupe.ttlHours * 3_600_000 },
    alertUnconfirmed: cfg.confirm.alertUnconfirmed,
    ...createUnconfirmedBounds(cfg.confirm.unconfirmedBudget, { ...deps, store, instanceId }),
    counters,
    warnOnce,
    instanceId,
    ...(deps.annotate ? { annotate: deps.annotate } : {}),
    ...(nodeSilence ? { confirmedNode: nodeSilence.heard } : {}),
    ...(deps.confirmedRun ? { confirmedRun: deps.confirmedRun } : {}),
    heldAttempts,
    ...(unconfirmedPages ? { unconfirmedPages } : {}),
    // Workers hand enriched runs on: announced together they share transactions (PostgreSQL: failure-batch.ts) or commits.
    announceAhead: ANNOUNCE_AHEAD[deps.db.dialect],
  });
}
