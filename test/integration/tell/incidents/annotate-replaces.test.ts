// What the annotator puts on a run's event is its own to say: an event that comes with a history, a cause, an
// incident, warnings or a "heard after its success" of an earlier annotation (a stored event handled again) leaves
// with the store's, and none of the old. Issue 89 made the common case (an enriched event carrying none of them) one
// copy of the event instead of two; this keeps the other case honest.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createIncidentService, incidentMigrations } from "../../../../src/tell/incidents";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-20T01:00:00Z");
const TASK = "3f1a2b3c-0000-4000-8000-00000000000c";
const backend = sqliteBackend();
afterAll(() => backend.shutdown());

function failure(stopMs: number): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskId: TASK, taskName: "Reload Sales", nowMs: stopMs + 1000 });
  e.source = "udp";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - 60_000).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs: 60_000 };
  e.logMessage = "Field 'CustomerKey' not found";
  return e;
}

test("an event annotated before leaves with the store's history, cause and incident, and none of the old", async () => {
  const db = await backend.open([incidentMigrations]);
  const s = createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock: createManualClock(T0 + 86_400_000), log: createSilentLogger() });
  const [plain] = await s.annotate(failure(T0));
  expect(plain!.history!.consecutiveFailures).toBe(1);
  expect(plain!.incident).toMatchObject({ status: "open", failures: 1 });
  expect(plain!.errorClass).toBeDefined();
  expect("warnings" in plain!).toBe(false);
  expect("heardAfterSuccess" in plain!).toBe(false);

  const stale = failure(T0 + 60_000);
  Object.assign(stale, {
    history: { ...plain!.history!, consecutiveFailures: 99 },
    errorClass: "stale-class",
    errorHint: "stale hint",
    errorLine: "stale line",
    incident: { ...plain!.incident!, id: 9_999, failures: 42 },
    warnings: [{ kind: "quick", message: "stale" }],
    heardAfterSuccess: { succeededAt: new Date(T0).toISOString() },
  });
  const [out] = await s.annotate(stale);
  expect(out!.history!.consecutiveFailures).toBe(2);
  expect(out!.incident).toMatchObject({ id: plain!.incident!.id, failures: 2 });
  expect(out!.errorClass).toBe(plain!.errorClass);
  expect(out!.errorHint).not.toBe("stale hint");
  expect(out!.errorLine).not.toBe("stale line");
  expect("warnings" in out!).toBe(false);
  expect("heardAfterSuccess" in out!).toBe(false);
  // The event's own fields are kept, in the order they came.
  expect(out!.executionId).toBe(stale.executionId);
  expect(Object.keys(out!).slice(0, 5)).toEqual(Object.keys(plain!).slice(0, 5));
});
