// Issue 105: the recorded runs a rehearsal judges the watch's thresholds on, read from the store on both back ends:
// the apps' successful reloads (not the failed ones, nor a task's without an app), the runs that waited a minute or
// more for an engine on a node, the apps as the freshness store names them, the chains of the watchdog's stored plan
// with the runs of the tasks others wait for; each read bounded, a cut read said.
import { afterAll, describe, expect, test } from "bun:test";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { tasksAt } from "../../../../src/show/rehearse/recorded-chains";
import { readRecordedRuns } from "../../../../src/show/rehearse/recorded-runs";
import { createStoredChains } from "../../../../src/tell/grouping/stored-chains";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { postgresBackend, type SqlBackend, sqliteBackend } from "../../../helpers/sql-backends";

const MIN = 60_000;
const T0 = Date.parse("2026-11-03T00:00:00Z");
const backends: SqlBackend[] = [sqliteBackend(), postgresBackend()];
const MIGRATIONS = [coreMigrations, watchdogMigrations, freshnessMigrations, groupingMigrations];
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

async function run(db: SqlDb, id: string, r: { app?: string; status: number; created: number; start: number; stop: number; node?: string }) {
  await db.run("INSERT INTO watchdog_runs (result_id, task_id, app_id, status, created_ms, start_ms, stop_ms, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
    id,
    `task-${id}`,
    r.app ?? null,
    r.status,
    r.created,
    r.start,
    r.stop,
    r.node ?? null,
  ]);
}

async function seed(db: SqlDb): Promise<void> {
  await db.run("INSERT INTO freshness_apps (app_id, app_name, stream, tags, lags) VALUES (?, ?, ?, ?, ?)", [
    "app-sales",
    "Sales app",
    "Sales",
    '["Morning"]',
    "[]",
  ]);
  // A success of Sales app, one a week before the window (a weekly promise's previous cycle), a failure, a run of a
  // task without an app.
  await run(db, "ok", { app: "APP-SALES", status: 7, created: T0 + 2 * MIN, start: T0 + 2 * MIN, stop: T0 + 7 * MIN, node: "Reload01" });
  await run(db, "week-ago", { app: "app-sales", status: 7, created: T0 - 7 * 1440 * MIN, start: T0 - 7 * 1440 * MIN, stop: T0 - 7 * 1440 * MIN + MIN });
  await run(db, "failed", { app: "app-sales", status: 8, created: T0 + 10 * MIN, start: T0 + 10 * MIN, stop: T0 + 11 * MIN, node: "Reload01" });
  await run(db, "no-app", { status: 7, created: T0, start: T0, stop: T0 + MIN, node: "Reload01" });
  // Waits on Reload01: ten minutes, and thirty seconds (no wait).
  await run(db, "waited", { app: "app-x", status: 7, created: T0 + 60 * MIN, start: T0 + 70 * MIN, stop: T0 + 75 * MIN, node: "Reload01" });
  await run(db, "quick", { app: "app-x", status: 7, created: T0 + 80 * MIN, start: T0 + 80 * MIN + 30_000, stop: T0 + 85 * MIN, node: "Reload01" });
}

for (const backend of backends)
  describe(`on ${backend.name}`, () => {
    test("the reloads, the waits and the apps of the window; nothing else", async () => {
      const db = await backend.open(MIGRATIONS);
      await seed(db);
      const r = await readRecordedRuns(db, T0, T0 + 1440 * MIN, "sense1");
      expect(r.reloads).toEqual([
        { appId: "app-sales", startMs: T0 - 7 * 1440 * MIN, stopMs: T0 - 7 * 1440 * MIN + MIN },
        { appId: "app-sales", startMs: T0 + 2 * MIN, stopMs: T0 + 7 * MIN },
        { appId: "app-x", startMs: T0 + 70 * MIN, stopMs: T0 + 75 * MIN },
        { appId: "app-x", startMs: T0 + 80 * MIN + 30_000, stopMs: T0 + 85 * MIN },
      ]);
      expect(r.waits).toEqual([{ node: "Reload01", createdMs: T0 + 60 * MIN, startMs: T0 + 70 * MIN }]);
      expect(r.apps).toEqual([{ appId: "app-sales", appName: "Sales app", stream: "Sales", tags: ["Morning"] }]);
      expect(r.truncatedAt).toBeUndefined();
    });

    test("a read past its bound says up to when the runs are complete", async () => {
      const db = await backend.open(MIGRATIONS);
      await seed(db);
      const r = await readRecordedRuns(db, T0, T0 + 1440 * MIN, "sense1", 2);
      expect(r.reloads).toHaveLength(2);
      expect(r.truncatedAt).toBe(T0 + 7 * MIN);
    });
    test("the chains of the stored plan, and the runs of the tasks others wait for: the tasks as the watchdog saw them then", async () => {
      const db = await backend.open(MIGRATIONS);
      // Extract orders (no app) → Load Sales (Sales app) on success; Clean-up runs after Extract orders fails.
      const task = (id: string, name: string, chains: Array<{ upstreamIds: string[]; ruleStates: number[] }>, appId?: string) => [
        id,
        { id, name, enabled: true, ...(appId ? { appId } : {}), chains },
      ];
      const plan = {
        tasks: new Map([
          task("task-extract", "Extract orders", []),
          task("task-load", "Load Sales", [{ upstreamIds: ["TASK-EXTRACT"], ruleStates: [1] }], "app-sales"),
          task("task-cleanup", "Clean-up", [{ upstreamIds: ["task-extract"], ruleStates: [2] }]),
        ] as Array<[string, { id: string; name: string; enabled: boolean; appId?: string; chains: Array<{ upstreamIds: string[]; ruleStates: number[] }> }]>),
        apps: new Map([["app-sales", { id: "app-sales", name: "Sales app" }]]),
      };
      await createStoredChains(db).note(plan, T0);
      await db.run("INSERT INTO watchdog_runs (result_id, task_id, app_id, status, created_ms, start_ms, stop_ms) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        "extract-1",
        "task-extract",
        null,
        8,
        T0 + 60 * MIN,
        T0 + 60 * MIN,
        T0 + 65 * MIN,
      ]);
      await db.run("INSERT INTO watchdog_runs (result_id, task_id, app_id, status, created_ms, start_ms, stop_ms) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        "extract-2",
        "task-extract",
        null,
        7,
        T0 + 90 * MIN,
        T0 + 90 * MIN,
        T0 + 95 * MIN,
      ]);
      const r = await readRecordedRuns(db, T0, T0 + 1440 * MIN, "sense1");
      const chains = r.chains!;
      expect(chains.tasks.find((t) => t.id === "task-load")?.after).toEqual([{ upstreamIds: ["task-extract"], onSuccess: true }]);
      expect(chains.tasks.find((t) => t.id === "task-cleanup")?.after).toEqual([{ upstreamIds: ["task-extract"], onSuccess: false }]);
      // Only the runs of a task another waits for are kept (Load Sales's own reloads are the reloads above).
      expect([...chains.runs.keys()]).toEqual(["task-extract"]);
      const extractAt = (t: number) => tasksAt(chains, t).find((v) => v.id === "task-extract")!;
      expect(extractAt(T0 + 62 * MIN)).toMatchObject({ runningSinceMs: T0 + 60 * MIN });
      expect(extractAt(T0 + 62 * MIN).lastRunMs).toBeUndefined();
      expect(extractAt(T0 + 70 * MIN)).toMatchObject({ lastRunMs: T0 + 65 * MIN, lastStatus: 8 });
      expect(extractAt(T0 + 70 * MIN).runningSinceMs).toBeUndefined();
      expect(extractAt(T0 + 100 * MIN)).toMatchObject({ lastRunMs: T0 + 95 * MIN, lastStatus: 7 });
    });

    test("no plan kept (the watchdog off, or no plan read yet): no chains, the promises judged on the reloads alone", async () => {
      const db = await backend.open(MIGRATIONS);
      expect((await readRecordedRuns(db, T0, T0 + 1440 * MIN, "sense1")).chains).toBeUndefined();
    });
  });
