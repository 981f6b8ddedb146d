// The runs to come that Steward starts itself, as the freshness projection reads them (issue 102), on SQLite and
// PostgreSQL: a retry asked for in 5 minutes, one claimed and one started are due (each with its task and time); an ask
// waiting for a second person and an action cancelled or ended are not. An app reload asked for is Steward's own Engine
// reload of the task's app, from its due time; once submitted, its job is (queued: from its request, running: from the
// Engine's start), and a job that failed or was interrupted counts as nothing.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { controlMigrations, createReloadJobStore, type ReloadJob } from "../../../../src/start/control/reload-jobs";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createPendingRuns } from "../../../../src/start/remediation/pending-runs";
import { postgresBackend, type SqlBackend, sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.UTC(2026, 10, 19, 4, 15, 0);
const MIN = 60_000;
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const iso = (ms: number) => new Date(ms).toISOString();
const job = (id: string, status: ReloadJob["status"], startedAt?: number): ReloadJob => ({
  jobId: id,
  appId: APP,
  status,
  phase: status === "running" ? "reloading" : status === "queued" ? "queued" : "done",
  request: { reloadMode: 0, partialReload: false, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
  requestedBy: { kind: "remediation", name: "anna@corp.example" },
  createdAt: iso(T0 - MIN),
  ...(startedAt !== undefined ? { startedAt: iso(startedAt) } : {}),
  ...(status === "failed" || status === "interrupted" ? { finishedAt: iso(T0) } : {}),
  scriptLogTail: [],
});
const ask = (taskId: string, kind: "retry" | "rerun" | "reload" | "chain", dueAt: number, awaiting?: string) => ({
  incidentId: 1,
  taskId,
  taskName: `Task ${taskId}`,
  kind,
  requestedBy: "rule lock-retry",
  requestedFrom: "rule",
  requestedAt: T0,
  dueAt,
  ...(awaiting ? { awaiting } : {}),
});

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());
    test("due retries and re-runs, by task and time; not an ask awaiting a second person or an ended action", { timeout: 60_000 }, async () => {
      const db = await backend.open([coreMigrations, remediationMigrations, controlMigrations]);
      const store = createActionStore(db);
      const pending = createPendingRuns(db, createManualClock(T0));
      expect(await pending()).toEqual({ runs: [], reloads: [], done: [] });
      await store.add(ask("Extract", "retry", T0 + 5 * MIN));
      const claimed = (await store.add(ask("transform", "rerun", T0))).action;
      expect(await store.claim(claimed.id, "alpha", T0, MIN)).toBeDefined();
      await store.add(ask("second", "retry", T0 + MIN, "key-1"));
      await store.add(ask("reload", "reload", T0));
      const gone = (await store.add(ask("gone", "retry", T0 + 2 * MIN))).action;
      expect(await store.cancel(gone.id, T0, "anna")).toBe(true);
      expect(await pending()).toEqual({
        runs: [
          { taskId: "transform", dueMs: T0 },
          { taskId: "extract", dueMs: T0 + 5 * MIN },
        ],
        reloads: [{ taskId: "reload", startMs: T0, running: false }],
        done: [],
      });
    });

    test("Steward's own Engine reload jobs: queued and running count, failed and interrupted do not; one that succeeded is done", {
      timeout: 60_000,
    }, async () => {
      const db = await backend.open([coreMigrations, remediationMigrations, controlMigrations]);
      const jobs = createReloadJobStore(db, createManualClock(T0), "alpha");
      const pending = createPendingRuns(db, createManualClock(T0));
      await jobs.insert(job("queued", "queued"));
      await jobs.insert(job("running", "running", T0 - 30_000));
      await jobs.insert(job("failed", "failed", T0 - 30_000));
      await jobs.insert(job("interrupted", "interrupted", T0 - 30_000));
      const { reloads } = await pending();
      expect([...reloads].sort((a, b) => a.startMs - b.startMs)).toEqual([
        { appId: APP, startMs: T0 - MIN, running: false },
        { appId: APP, startMs: T0 - 30_000, running: true },
      ]);
      // The running job fails: it counts as nothing from then on.
      await jobs.update({ ...job("running", "failed", T0 - 30_000), error: "Cannot open file" });
      expect((await pending()).reloads).toEqual([{ appId: APP, startMs: T0 - MIN, running: false }]);
      // The queued one runs and succeeds: no run to come any more, a reload done (read for an hour after it ended).
      await jobs.update({ ...job("queued", "succeeded", T0 + 10_000), finishedAt: iso(T0 + 70_000) });
      expect(await pending()).toEqual({ runs: [], reloads: [], done: [{ appId: APP, startMs: T0 + 10_000, endMs: T0 + 70_000 }] });
      expect((await createPendingRuns(db, createManualClock(T0 + 70_000 + 61 * MIN))()).done).toEqual([]);
      // A job left queued past the reloader's timeout is a stopped Steward's: no run to come.
      await jobs.insert(job("left", "queued"));
      expect((await createPendingRuns(db, createManualClock(T0), 30 * MIN)()).reloads).toHaveLength(1);
      expect((await createPendingRuns(db, createManualClock(T0 + 30 * MIN), 30 * MIN)()).reloads).toEqual([]);
    });
  });
}
