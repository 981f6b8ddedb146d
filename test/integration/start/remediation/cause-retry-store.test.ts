// A rule retries a cause, not each task, on SQLite and PostgreSQL, with two Stewards of a cluster hearing the
// failures of one source: one probe for the whole site, the other tasks held without an action; the probe's task
// running well asks for every other task's retry once (whichever Steward hears it), and those follow-ups count as one
// attempt for the node and the site. A probe whose retries are spent pages and ends, audited with its waiting tasks.
import { afterAll, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createFailureHold } from "../../../../src/start/remediation/auto";
import { createCauseProbes } from "../../../../src/start/remediation/cause-probes";
import { causeTrying } from "../../../../src/start/remediation/cause-retry";
import { remediationSchema } from "../../../../src/start/remediation/config";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";

const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);
const SETS = [coreMigrations, auditMigrations, remediationMigrations];
const NODE = "reload01.corp.example";
const id = (n: number) => `c0de0000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

/** QRS's execution session of a retry's run (the start's answer; the run's end datagram carries it again). */
const session = (n: number) => `5e550000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

/**
 * A run of the task on NODE as the annotator hands it over; a failure reads `source` (its error line names it). A
 * retry's run names the session its start recorded (`execution`); another run, a session of its own.
 */
function run(n: number, source: string, incidentId: number, outcome: "failed" | "succeeded" = "failed", execution?: string): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskId: id(n), taskName: `Load ${n}`, host: NODE });
  return {
    ...e,
    ...(execution ? { id: `${execution}:${outcome}`, executionId: execution } : {}),
    source: "udp",
    scriptLog: undefined,
    ...(outcome === "failed" ? { errorClass: "connection", errorLine: `Cannot connect to '${source}': connection refused` } : {}),
    incident: { id: incidentId, status: outcome === "failed" ? "open" : "closed", failures: 1, openedAt: new Date(T0).toISOString(), paged: false },
  } as TaskEvent;
}

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`a rule retries a cause, not each task (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    async function twoStewards() {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const audit = createAuditLog(db, clock);
      const store = createActionStore(db);
      const probes = createCauseProbes(db);
      const cfg = remediationSchema().parse({ rules: [{ name: "conn", retryAfter: ["5m", "15m"] }], budget: { perNode: 3 } });
      const deps = { store, probes, clock, audit, inMaintenance: () => undefined, poke: async () => {} };
      // Two Stewards of one cluster: each its own service over the one store.
      const holds = [createFailureHold(cfg, deps)!, createFailureHold(cfg, { ...deps, store: createActionStore(db), probes: createCauseProbes(db) })!];
      return { holds, store, probes, audit, clock };
    }

    test("one probe for twelve failures, the others retried together once it ran well, counted as one", { timeout: 30_000 }, async () => {
      const { holds, store, probes, audit, clock } = await twoStewards();
      // Twelve tasks fail on DWH, heard by either Steward: all held, one retry asked (the first failure's).
      for (let n = 1; n <= 12; n++) expect((await holds[n % 2]!(run(n, "DWH", 100 + n)))?.failures).toBeGreaterThanOrEqual(2);
      expect((await store.ofIncident(101)).map((a) => a.taskId)).toEqual([id(1)]);
      for (let n = 2; n <= 12; n++) expect(await store.ofIncident(100 + n)).toEqual([]);
      expect((await probes.waiters((await probes.ofIncident(101))!.id)).map((w) => w.taskName)).toHaveLength(11);
      // The cause's pages say what is tried, when, and who waits.
      expect(await causeTrying({ store, probes }, "source:connection|dwh")).toEqual({
        task: "Load 1",
        at: new Date(T0 + 300_000).toISOString(),
        rule: "conn",
        waiting: 11,
      });
      // The probe's retry runs (claimed and started as the worker does) and succeeds; both Stewards hear it.
      const probeAction = (await store.unfinished(id(1)))!;
      const c = (await store.claim(probeAction.id, "s1", clock.now() + 300_000, 60_000))!;
      await store.started(c.claim, clock.now() + 300_000, session(1), "ok");
      await clock.set(T0 + 301_000);
      await holds[0]!(run(1, "DWH", 101, "succeeded", session(1)));
      await holds[1]!(run(1, "DWH", 101, "succeeded", session(1)));
      expect((await store.get(probeAction.id))?.outcome).toBe("succeeded");
      // Every other task's retry, once, due now, following the probe's.
      for (let n = 2; n <= 12; n++) {
        const asked = await store.ofIncident(100 + n);
        expect(asked.map((a) => [a.status, a.dueAt, a.followsId, a.requestedBy])).toEqual([["pending", T0 + 301_000, probeAction.id, "rule:conn"]]);
      }
      expect((await probes.ofIncident(101))?.status).toBe("released");
      expect(await causeTrying({ store, probes }, "source:connection|dwh")).toBeUndefined();
      // The node's budget (3) counts the probe's retry and its follow-ups as two: a third cause still gets its retry.
      expect(await store.ruleCounts(T0 - 1, id(5), NODE)).toEqual({ task: 1, node: 2, site: 2 });
      expect((await holds[0]!(run(40, "ERP", 140)))?.failures).toBe(2);
      expect((await store.ofIncident(140)).map((a) => a.taskId)).toEqual([id(40)]);
      await audit.flush();
      const follows = (await audit.query({ action: "remediation.request" })).filter((a) => a.details?.followsProbe === probeAction.id);
      expect(follows).toHaveLength(11);
    });

    test("a probe whose retries are spent pages, once, and its waiting tasks stay held", { timeout: 30_000 }, async () => {
      const { holds, store, probes, audit, clock } = await twoStewards();
      for (let n = 1; n <= 4; n++) await holds[0]!(run(n, "Files", 200 + n));
      let retries = 0;
      const retryFails = async () => {
        const a = (await store.unfinished(id(1)))!;
        const c = (await store.claim(a.id, "s1", a.dueAt, 60_000))!;
        const execution = session(++retries);
        await store.started(c.claim, a.dueAt, execution, "ok");
        await clock.set(a.dueAt + 30_000);
        return holds[1]!(run(1, "Files", 201, "failed", execution));
      };
      expect((await retryFails())?.failures).toBe(3); // retry 1 failed: held, retry 2 asked
      expect((await retryFails())?.failures).toBe(3); // retry 2 failed: the 3rd failure pages
      expect((await probes.ofIncident(201))?.status).toBe("gave_up");
      for (let n = 2; n <= 4; n++) expect(await store.ofIncident(200 + n)).toEqual([]);
      // A task of the cause failing again within the hour is not retried over again: it is the cause's symptom now.
      expect(await holds[0]!({ ...run(3, "Files", 203), incident: { ...run(3, "Files", 203).incident!, failures: 2 } })).toBeUndefined();
      for (let n = 2; n <= 4; n++) expect(await store.ofIncident(200 + n)).toEqual([]);
      await audit.flush();
      const gaveUp = await audit.query({ action: "remediation.gave_up" });
      expect(gaveUp.map((a) => [a.target, a.details?.waiting, a.details?.reason])).toEqual([[id(1), 3, "its 2 retries are spent"]]);
    });

    test("a probe nobody ended (its incident resolved by hand) expires: the cause's next failure is a new probe", { timeout: 30_000 }, async () => {
      const { holds, store, probes, clock } = await twoStewards();
      await holds[0]!(run(1, "Sheets", 301));
      // Within the rule's delays and 6 hours, another task of the cause waits for it...
      expect((await holds[1]!(run(2, "Sheets", 302)))?.failures).toBe(2);
      expect(await store.ofIncident(302)).toEqual([]);
      // ... past them (20 minutes of delays and 6 hours), it is retried on its own: the old probe expired.
      await clock.set(T0 + 20 * 60_000 + 6 * 3_600_000 + 1);
      expect((await holds[1]!(run(3, "Sheets", 303)))?.failures).toBe(2);
      expect((await store.ofIncident(303)).map((a) => a.taskId)).toEqual([id(3)]);
      expect((await probes.ofIncident(301))?.status).toBe("expired");
      expect((await probes.ofIncident(303))?.status).toBe("probing");
    });
  });
}
