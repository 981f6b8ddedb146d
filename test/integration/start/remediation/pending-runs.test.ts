// The runs remediation has due, as the freshness projection reads them (issue 102), on SQLite and PostgreSQL: a retry
// asked for in 5 minutes, one claimed and one started are due (each with its task and time); an ask waiting for a
// second person, an app reload, and an action cancelled or ended are not.
import { afterAll, describe, expect, test } from "bun:test";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createPendingRuns } from "../../../../src/start/remediation/pending-runs";
import { postgresBackend, type SqlBackend, sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.UTC(2026, 10, 19, 4, 15, 0);
const MIN = 60_000;
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
    test("due retries and re-runs, by task and time; not an ask awaiting a second person, a reload, or an ended action", { timeout: 60_000 }, async () => {
      const db = await backend.open([coreMigrations, remediationMigrations]);
      const store = createActionStore(db);
      const pending = createPendingRuns(db);
      expect(await pending()).toEqual([]);
      await store.add(ask("Extract", "retry", T0 + 5 * MIN));
      const claimed = (await store.add(ask("transform", "rerun", T0))).action;
      expect(await store.claim(claimed.id, "alpha", T0, MIN)).toBeDefined();
      await store.add(ask("second", "retry", T0 + MIN, "key-1"));
      await store.add(ask("reload", "reload", T0));
      const gone = (await store.add(ask("gone", "retry", T0 + 2 * MIN))).action;
      expect(await store.cancel(gone.id, T0, "anna")).toBe(true);
      expect(await pending()).toEqual([
        { taskId: "transform", dueMs: T0 },
        { taskId: "extract", dueMs: T0 + 5 * MIN },
      ]);
    });
  });
}
