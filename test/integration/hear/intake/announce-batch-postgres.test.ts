// Runs announced together on PostgreSQL (the intake's workers hand enriched runs on; their incident work shares a
// transaction, src/tell/incidents/failure-batch.ts): when the store goes away under a batch, no run of it is lost and
// none is announced twice. Each one stays claimed by this Steward and is announced again as soon as PostgreSQL is
// back, with its incident counted once. The alert subscriber writes each event to a table of the same store, as
// the notifier's outbox does, so it fails while the store is down.
import { runReport } from "../../../helpers/run-report";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { ConfigSchema } from "../../../../src/composition/config";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { createEventBus } from "../../../../src/platform/core/bus";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createTaskEventEnricher } from "../../../../src/hear/events/enrich-task-event";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { incidentMigrations } from "../../../../src/tell/incidents";
import { createAnnotator } from "../../../../src/tell/incidents/annotator";
import { createClassifier } from "../../../../src/tell/incidents/classify";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { quietIntakeCounters } from "../../../helpers/intake-counters";
import { createRunProcessor } from "../../../../src/hear/intake/run-processor";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

let pg: PostgresService;
let db: SqlDb;

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("announce_batch");
  db = await openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 1_000, tls: false, applicationName: "steward-test" }, [
    intakeMigrations,
    incidentMigrations,
  ]);
  await db.exec("CREATE TABLE test_alerts (event_id TEXT NOT NULL, consecutive INTEGER)");
}, 60_000);

afterAll(async () => {
  await db?.close();
  await pg?.stop();
});

test("a batch of runs whose announcement failed with the store: each run is announced once when it is back, its incident counted once", {
  timeout: 90_000,
}, async () => {
  const log = createSilentLogger();
  const cfg = ConfigSchema.parse({}).intake;
  const incidents = IncidentsSchema.parse({ seedFromQrs: false });
  const annotator = createAnnotator(incidents, { db, classifier: createClassifier(incidents.errorClasses, incidents.hints), clock: systemClock, log });
  const bus = createEventBus<DomainEvents>(log);
  bus.on(
    "task.failed",
    async (e) => void (await db.run("INSERT INTO test_alerts (event_id, consecutive) VALUES (?, ?)", [e.id, e.history?.consecutiveFailures ?? null])),
    { required: true },
  );
  const counters = quietIntakeCounters();
  const processor = createRunProcessor({
    enricher: createTaskEventEnricher(cfg.enrichment, {}, { log, clock: systemClock }),
    bus,
    store: createIntakeStore(db),
    clock: systemClock,
    log,
    dedupe: { enabled: true, ttlMs: 3_600_000 },
    alertUnconfirmed: "qrsUnavailable",
    counters,
    warnOnce: () => {},
    instanceId: "steward-a",
    annotate: (e) => annotator.annotate(e),
    announceAhead: 64,
  });
  processor.open();
  try {
    const runs = Array.from({ length: 6 }, (_, i) => {
      const id = randomUUID();
      return { id, report: runReport(id, { logTimestamp: `2026-03-01 10:${String(i).padStart(2, "0")}:00,000` }) };
    });
    for (const r of runs) expect(await processor.claim(`${r.id}:failed`, r.id, false, "udp")).toBe(true);

    // Claimed, then the store goes: the batch's incident work and every alert write fail.
    await pg.halt("fast");
    const handed = await Promise.all(runs.map((r) => processor.processRun(r.report, `${r.id}:failed`, { announceAhead: true, markInBackground: true })));
    expect(handed.every((h) => "announced" in h)).toBe(true);
    expect(processor.announcing()).toBeGreaterThan(0);
    const results = await Promise.all(handed.map((h) => ("announced" in h ? h.announced : h)));
    expect(results.map((r) => r.dropped)).toEqual(runs.map(() => "retrying"));
    // Still this Steward's: a repeat of any of them is a duplicate here.
    for (const r of runs) expect(processor.inFlight(r.id)).toBe(true);

    await pg.resume();
    const alerted = () => db.all<{ event_id: string; consecutive: number }>("SELECT event_id, consecutive FROM test_alerts");
    await waitFor(async () => (await alerted()).length >= runs.length || undefined, { timeoutMs: 30_000, what: "every run's alert after the store came back" });
    await processor.marksSettled();
    await Bun.sleep(1_500);

    const rows = await alerted();
    expect(rows.map((a) => a.event_id).sort()).toEqual(runs.map((r) => `${r.id}:failed`).sort());
    expect(rows.map((a) => Number(a.consecutive)).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const incident = await db.get<{ failures: number; events: number }>("SELECT failures, events FROM incidents WHERE status = 'open'");
    expect(incident).toMatchObject({ failures: 6, events: 6 });
    const seen = await db.all<{ claimed_by: string | null }>("SELECT claimed_by FROM intake_seen");
    expect(seen.map((s) => s.claimed_by)).toEqual(runs.map(() => null));
    for (const r of runs) expect(processor.inFlight(r.id)).toBe(false);
  } finally {
    processor.close();
  }
});
