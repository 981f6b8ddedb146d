// What is being done on each incident as remediation-holds.ts reads it from the store (issue 101), on both stores: a
// person's retry due, running, or waiting for a second person holds its incident and task and names who asked; a rule's
// retries are counted and name the rule; a person's Engine reload of the task's app and restart of its chain hold too,
// saying what runs or what a chain's start waits for; an action that ended, failed, was cancelled or expired holds nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import type { ActionKind } from "../../../../src/start/remediation/action-row";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createRemediationHolds } from "../../../../src/start/remediation/remediation-holds";
import { bothBackends } from "../../../helpers/sql-backends";

const DUE = Date.parse("2026-03-10T02:21:00Z");
const at = (ms: number) => new Date(ms).toISOString().slice(11, 16);

for (const backend of bothBackends()) {
  describe(`what is being done on each incident (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("a person's retries, Engine reloads and chain restarts and a rule's retries hold their incidents, with who asked; ended ones do not", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (n: number, kind: ActionKind, status: string, by: string, from: string) => {
        const { action } = await store.add({
          incidentId: n,
          taskId: `TASK-${n}`,
          taskName: `Task ${n}`,
          kind,
          requestedBy: by,
          requestedFrom: from,
          requestedAt: DUE - 900_000,
          dueAt: DUE,
        });
        await db.run("UPDATE remediation_actions SET status = ? WHERE id = ?", [status, action.id]);
      };
      await add(1, "retry", "pending", "anna@corp.example", "link");
      await add(2, "retry", "started", "key-ops", "rest");
      await add(3, "rerun", "awaiting", "bo@corp.example", "link");
      await add(4, "retry", "ended", "rule:lock-retry", "rule");
      await add(4, "retry", "pending", "rule:lock-retry", "rule");
      for (const [n, status] of [
        [5, "ended"],
        [6, "failed"],
        [7, "cancelled"],
        [8, "skipped"],
      ] as const)
        await add(n, "retry", status, "anna@corp.example", "link");
      await add(9, "reload", "pending", "anna@corp.example", "link");
      await add(10, "chain", "started", "anna@corp.example", "link");
      await add(11, "reload", "started", "key-ops", "rest");
      await add(12, "chain", "pending", "bo@corp.example", "link");
      await db.run("UPDATE remediation_actions SET qlik_answer = ? WHERE incident_id = 12", ["waiting for a free engine on Reload01: 1 of 1 busy"]);
      await add(13, "reload", "ended", "anna@corp.example", "link");
      await add(14, "chain", "failed", "anna@corp.example", "link");

      const holds = createRemediationHolds(db, { rules: true });
      const byIncident = await holds.ofIncidents([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      expect(Object.fromEntries(byIncident)).toEqual({
        1: { rule: null, askedBy: "anna@corp.example", askedFrom: "link", doing: "retry due", dueAt: DUE },
        2: { rule: null, askedBy: "key-ops", askedFrom: "rest", doing: "retry running", dueAt: null },
        3: { rule: null, askedBy: "bo@corp.example", askedFrom: "link", doing: "re-run waiting for a second person to confirm it", dueAt: null },
        4: { rule: "lock-retry", askedBy: "rule:lock-retry", askedFrom: "rule", doing: "retry 2 due", dueAt: DUE },
        // Without the chain plan the app is named by its task.
        9: { rule: null, askedBy: "anna@corp.example", askedFrom: "link", doing: "Engine reload of the app of Task 9 due", dueAt: null },
        10: { rule: null, askedBy: "anna@corp.example", askedFrom: "link", doing: "chain restart from Task 10 running", dueAt: null },
        11: { rule: null, askedBy: "key-ops", askedFrom: "rest", doing: "Engine reload of the app of Task 11 running", dueAt: null },
        12: {
          rule: null,
          askedBy: "bo@corp.example",
          askedFrom: "link",
          doing: "chain restart from Task 12 waiting for a free engine on Reload01: 1 of 1 busy",
          dueAt: null,
        },
      });
      expect(Object.fromEntries(await holds.tasks())).toEqual({
        "task-1": "person",
        "task-2": "person",
        "task-3": "person",
        "task-4": "rule",
        "task-9": "person",
        "task-10": "person",
        "task-11": "person",
        "task-12": "person",
      });
      const words = await holds.byTask(at);
      expect(words.get("task-1")).toBe('anna@corp.example asked to retry task "Task 1" (retry due at 02:21): paged only if it fails');
      expect(words.get("task-4")).toBe('remediation rule lock-retry is retrying task "Task 4" (retry 2 due at 02:21): paged only if it gives up');
      expect(words.get("task-11")).toBe(
        'key-ops asked to reload the app of task "Task 11" through the Engine (Engine reload of the app of Task 11 running): judged again once it ends',
      );
      expect(words.get("task-10")).toBe(
        'anna@corp.example asked to restart the chain from task "Task 10" (chain restart from Task 10 running): paged only if it fails',
      );
      // Without a rule the cause probes' table is not read, and a person's holds are the same.
      expect(Object.fromEntries(await createRemediationHolds(db, { rules: false }).tasks())).toEqual(Object.fromEntries(await holds.tasks()));
    });
  });
}
