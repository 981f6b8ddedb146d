// Steward's own runs as the queue's grouping rule asks for them (action-store isOwnRun), on both stores: a run a
// retry or a re-run started is Steward's whatever the action's state now and however QRS cases its id; an Engine
// reload's job and another run are not.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { bothBackends } from "../../../helpers/sql-backends";

for (const backend of bothBackends()) {
  describe(`Steward's own runs (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("a run a retry or re-run started is Steward's, ended or not; a reload job and another run are not", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (n: number, kind: "retry" | "rerun" | "reload", status: string, executionId: string) => {
        const { action } = await store.add({
          incidentId: n,
          taskId: `task-${n}`,
          taskName: `Task ${n}`,
          kind,
          requestedBy: "ops",
          requestedFrom: "api",
          requestedAt: 1_000,
          dueAt: 1_000,
        });
        await db.run("UPDATE remediation_actions SET status = ?, execution_id = ? WHERE id = ?", [status, executionId, action.id]);
      };
      await add(1, "retry", "started", "AB12CD34-0000-4000-8000-000000000001");
      await add(2, "rerun", "ended", "ab12cd34-0000-4000-8000-000000000002");
      await add(3, "reload", "ended", "ab12cd34-0000-4000-8000-000000000003");
      expect(await store.isOwnRun("ab12cd34-0000-4000-8000-000000000001")).toBe(true);
      expect(await store.isOwnRun("AB12CD34-0000-4000-8000-000000000002")).toBe(true);
      expect(await store.isOwnRun("ab12cd34-0000-4000-8000-000000000003")).toBe(false);
      expect(await store.isOwnRun("ab12cd34-0000-4000-8000-000000000009")).toBe(false);
    });
  });
}
