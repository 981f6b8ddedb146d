// The real pieces the intake's parts are built on, for their unit tests: a SQLite store with the intake's tables,
// the run processor (enrichment without QRS: every run is emitted as "QRS unavailable"), the intake's counters and
// a bus whose events are collected.
import { runReport } from "../../../helpers/run-report";
import { randomUUID } from "node:crypto";
import { ConfigSchema } from "../../../../src/composition/config";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createTaskEventEnricher } from "../../../../src/hear/events/enrich-task-event";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { quietIntakeCounters } from "../../../helpers/intake-counters";
import { createRunProcessor } from "../../../../src/hear/intake/run-processor";
import type { QueueItem } from "../../../../src/hear/intake/run-queue";
import { openStore } from "../../../../src/platform/store/database";
import { createTempDir } from "../../../helpers/temp-dir";

export const T0 = Date.parse("2026-03-01T10:00:00Z");

export type IntakeParts = ReturnType<typeof intakeParts>;

export function intakeParts(instanceId = "steward-a") {
  const dir = createTempDir("steward-intake-parts-");
  const db = openStore(dir.path, [intakeMigrations]);
  const cfg = ConfigSchema.parse({}).intake;
  const clock = createManualClock(T0);
  const log = createSilentLogger();
  const store = createIntakeStore(db.sql);
  const counters = quietIntakeCounters();
  const bus = createEventBus<DomainEvents>(log);
  const events: TaskEvent[] = [];
  bus.onAny((_k, e) => void events.push(e as TaskEvent));
  /** A run processor of a Steward with this id on the same store. */
  const processorOf = (id: string) => {
    const p = createRunProcessor({
      enricher: createTaskEventEnricher(cfg.enrichment, {}, { log, clock }),
      bus,
      store,
      clock,
      log,
      dedupe: { enabled: true, ttlMs: 3_600_000 },
      alertUnconfirmed: "qrsUnavailable",
      counters,
      warnOnce: () => {},
      instanceId: id,
    });
    p.open();
    return p;
  };
  const processor = processorOf(instanceId);
  return {
    db,
    cfg,
    clock,
    log,
    store,
    counters,
    processor,
    processorOf,
    events,
    close() {
      processor.close();
      db.close();
      dir.remove();
    },
  };
}

/** A queued run of a task as a datagram would make it. */
export function runItem(outcome: "failed" | "succeeded" | "aborted" = "failed", extra: Partial<QueueItem["report"]> = {}): QueueItem {
  const executionId = randomUUID();
  return {
    report: runReport(executionId, { outcome, logTimestamp: "2026-03-01 09:59:00,000", logMessage: "Task finished", ...extra }),
    key: `${executionId}:${outcome}`,
    source: "10.0.0.5",
  };
}
