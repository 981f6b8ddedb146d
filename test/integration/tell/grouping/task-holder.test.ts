// Which cause holds a task up (issue 76), the lookup the freshness judge names a stopped chain's cause with: an open
// cause holds every task it lists (a node's cause lists what the node runs, as waiting); an ended one only a task it
// really held (a stopped chain), and only when it ended since the time asked about. On both store back ends.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { createTaskHolders } from "../../../../src/tell/grouping/task-holder";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-19T04:20:00Z");
const MIN = 60_000;

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("an open cause holds what it lists, waiting or not; an ended one what it really held, ended since the time asked", async () => {
      const db = await backend.open([groupingMigrations]);
      const store = createCauseStore(db);
      const holders = createTaskHolders(db);
      const node = { key: "node:reload01", title: "Qlik services down on reload01" };
      const { parentId } = await store.attach(node, { subject: "service:reload01|qlik sense scheduler service", kind: "service.stopped", eventId: "e1" }, T0);
      await store.addWaiting(
        parentId,
        [
          { subject: "task:t-transform", kind: "task.waiting", eventId: "e1", taskId: "T-Transform", taskName: "Transform orders" },
          { subject: "task:t-reload", kind: "task.waiting", eventId: "e1", taskId: "t-reload", taskName: "Reload Sales dashboard" },
        ],
        T0,
      );
      expect(await holders.holderOf(["t-other"], T0)).toBeUndefined();
      // The first task asked about that it holds, by its id in any case.
      expect(await holders.holderOf(["t-other", "t-reload", "t-transform"], T0)).toEqual({
        id: parentId,
        causeKey: "node:reload01",
        title: "Qlik services down on reload01",
        openedAt: T0,
        closedAt: null,
        taskId: "t-reload",
        taskName: "Reload Sales dashboard",
      });
      // Transform's chain broke while the node was down; the node came back and its cause ended.
      await store.attach(node, { subject: "watch:chain_broken:t-transform", kind: "task.chain_broken", eventId: "e2", taskId: "t-transform" }, T0 + 15 * MIN);
      expect(await store.closeOver(parentId, T0 + 50 * MIN)).toBe(true);
      expect(await holders.holderOf(["t-transform"], T0 - 60 * MIN)).toMatchObject({ id: parentId, closedAt: T0 + 50 * MIN, taskId: "t-transform" });
      // Only waiting in the ended cause: it did not hold that task up.
      expect(await holders.holderOf(["t-reload"], T0 - 60 * MIN)).toBeUndefined();
      // Ended before the time asked about (the chain's cycle began after it): not this chain's cause.
      expect(await holders.holderOf(["t-transform"], T0 + 51 * MIN)).toBeUndefined();
      // A PostgreSQL server of the file's own starts within the test on a busy machine.
    }, 120_000);

    test("a job's cause whose job checked in holds nothing up: what it feeds only awaits a reload of the data that came", async () => {
      const db = await backend.open([groupingMigrations]);
      const store = createCauseStore(db);
      const holders = createTaskHolders(db);
      const job = { key: "checkin:erp-extract", title: 'Job "erp-extract" did not deliver' };
      const { parentId } = await store.attach(job, { subject: "watch:checkin:erp-extract", kind: "checkin.missed", eventId: "j1" }, T0);
      await store.addWaiting(
        parentId,
        [{ subject: "task:t-transform", kind: "task.waiting", eventId: "j1", taskId: "t-transform", taskName: "Transform orders" }],
        T0,
      );
      expect(await holders.holderOf(["t-transform"], T0)).toMatchObject({ id: parentId, taskId: "t-transform" });
      // The job checked in: Transform now awaits a reload of the new data, and a failure of it is a cause of its own.
      await store.awaitReloads(parentId, ["task:t-transform"], T0 + 20 * MIN);
      expect(await holders.holderOf(["t-transform"], T0)).toBeUndefined();
    }, 120_000);
  });
}
