// A run whose incident work fails because the store is away for a moment (PostgreSQL's pooled connection cut at a
// restart, while the outbox's next connection works) is held and announced again with its incident: never sent without
// one. Sent without, its page was keyed to no incident (PagerDuty's steward-task-<id>), which no recovery or sweep
// ever ends, and the incident never counted the run. The fault is the PostgreSQL driver's error for a connection the
// server ended (SQLSTATE 57P01) thrown once by the store seam the annotator reads; the store, the annotator, the bus and
// the run processor are real.
import { runReport } from "../../../helpers/run-report";
import { afterEach, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { ConfigSchema } from "../../../../src/composition/config";
import { createTaskEventEnricher } from "../../../../src/hear/events/enrich-task-event";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { createRunProcessor } from "../../../../src/hear/intake/run-processor";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { openStore, type Store } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { incidentMigrations } from "../../../../src/tell/incidents";
import { createAnnotator } from "../../../../src/tell/incidents/annotator";
import { createClassifier } from "../../../../src/tell/incidents/classify";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { quietIntakeCounters } from "../../../helpers/intake-counters";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const T0 = Date.parse("2026-03-01T10:00:00Z");
let dir: TempDir | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  dir?.remove();
});

/** The store as the annotator sees it: its next `n` statements fail as a connection PostgreSQL ended does. */
function cutFor(db: SqlDb, n: number): SqlDb {
  let left = n;
  const cut = () => {
    if (left <= 0) return undefined;
    left--;
    return Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01", severity: "FATAL" });
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || !["get", "all", "run", "transaction", "exec"].includes(String(prop))) return v;
      return (...args: unknown[]) => {
        const err = cut();
        return err ? Promise.reject(err) : (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

test("a failure whose incident work meets a cut store connection is held, then announced once with its incident; never without it", async () => {
  dir = createTempDir("steward-annotate-outage-");
  store = openStore(dir.path, [intakeMigrations, incidentMigrations]);
  const clock = createManualClock(T0 + 60_000);
  const log = createSilentLogger();
  const incidents = IncidentsSchema.parse({ seedFromQrs: false });
  const annotator = createAnnotator(incidents, {
    db: cutFor(store.sql, 1),
    classifier: createClassifier(incidents.errorClasses, incidents.hints),
    clock,
    log,
  });
  const bus = createEventBus<DomainEvents>(log);
  const announced: TaskEvent[] = [];
  bus.on("task.failed", (e) => void announced.push(e), { required: true });
  const processor = createRunProcessor({
    enricher: createTaskEventEnricher(ConfigSchema.parse({}).intake.enrichment, {}, { log, clock }),
    bus,
    store: createIntakeStore(store.sql),
    clock,
    log,
    dedupe: { enabled: true, ttlMs: 3_600_000 },
    alertUnconfirmed: "qrsUnavailable",
    counters: quietIntakeCounters(),
    warnOnce: () => {},
    instanceId: "steward-a",
    annotate: (e) => annotator.annotate(e),
  });
  processor.open();
  try {
    const id = randomUUID();
    expect(await processor.claim(`${id}:failed`, id, false, "udp")).toBe(true);
    const first = await processor.processRun(runReport(id), `${id}:failed`);
    expect(first).toEqual({ dropped: "retrying" });
    expect(announced).toEqual([]);
    expect(processor.inFlight(id)).toBe(true);

    // The next try (a second later on the clock) finds the store answering.
    for (let i = 0; i < 5 && announced.length === 0; i++) await clock.advance(1_000);
    expect(announced.map((e) => ({ id: e.id, incident: e.incident?.id, failures: e.incident?.failures }))).toEqual([
      { id: `${id}:failed`, incident: expect.any(Number), failures: 1 },
    ]);
    const rows = await store.sql.all<{ incident_id: number | null }>("SELECT incident_id FROM incident_runs WHERE execution_id = ?", [id]);
    expect(rows.map((r) => r.incident_id)).toEqual([announced[0]!.incident!.id]);
  } finally {
    processor.close();
  }
});
