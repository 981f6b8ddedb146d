// The deliveries of one event are built at once (the outbox worker sends them side by side), each asking the store
// which actions it tells. On PostgreSQL the first to mark an action commits while the others wait for its row: they
// must still get the action, told by the same event (issue 101's nights on PostgreSQL: Reload Stock's retry that
// healed was told to one mail recipient of three; the other mail and the Teams card, built in the same instant, came
// without the line, and the action was marked told). SQLite writes one statement at a time: no such wait there.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { postgresBackend } from "../../../helpers/sql-backends";

const TASK = "5a1e0000-0000-4000-8000-00000000000c";
const RECOVERED = "retry-run:recovered";

describe("a delivery built while another of the same event marks the action (postgres)", () => {
  const backend = postgresBackend();
  afterAll(() => backend.shutdown());
  beforeAll(() => backend.open([remediationMigrations]), 120_000);

  test("the delivery that waited for the mark still tells the action", async () => {
    const db = await backend.open([remediationMigrations]);
    const store = createActionStore(db);
    const { action } = await store.add({
      incidentId: 3,
      taskId: TASK,
      taskName: "Reload Stock",
      kind: "retry",
      requestedBy: "anna@corp.example",
      requestedFrom: "link",
      requestedAt: 1_000,
      dueAt: 1_000,
    });
    await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'succeeded', started_at = 2000, ended_at = 3000 WHERE id = ?", [action.id]);

    // The first delivery's mark, not yet committed.
    let commit = () => {};
    let marked = () => {};
    const isMarked = new Promise<void>((resolve) => {
      marked = resolve;
    });
    const first = db.transaction(async (tx) => {
      await tx.run("UPDATE remediation_actions SET told_event_id = ? WHERE id = ?", [RECOVERED, action.id]);
      marked();
      await new Promise<void>((resolve) => {
        commit = resolve;
      });
    });
    await isMarked;
    // The second delivery of the same event asks meanwhile: its statement waits for the row.
    const second = store.tell(3, RECOVERED, { taskId: TASK, recovered: true, executionId: "9c1e4d2a-0000-4000-8000-000000000001" });
    let waiting = false;
    for (let look = 0; look < 3000 && !waiting; look++) {
      const r = await db.get<{ n: number | string }>(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
      );
      waiting = Number(r?.n ?? 0) > 0;
      if (!waiting) await Bun.sleep(10);
    }
    // Else the second statement began after the commit, and this test would prove nothing.
    expect(waiting).toBe(true);
    commit();
    await first;
    expect((await second).map((a) => [a.id, a.toldEventId])).toEqual([[action.id, RECOVERED]]);
    // A third, after both: the same.
    expect((await store.tell(3, RECOVERED, { taskId: TASK, recovered: true, executionId: "9c1e4d2a-0000-4000-8000-000000000001" })).map((a) => a.id)).toEqual([
      action.id,
    ]);
  });
});
