// Which incident and which cause a run belongs to (GET /v4/runs, the assistant's runs), on both store back ends: what
// the incidents recorded of the run, the first cause that folded it in, or a cause whose symptom stands for the run;
// a task merely listed as waiting is no member, and a run nothing recorded is left out.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { incidentMigrations, runLinksOf } from "../../../../src/tell/incidents";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`run links on ${backend.name}`, () => {
    test("each run of a page with its incident and its cause, in one look", async () => {
      const db = await backend.open([incidentMigrations, groupingMigrations]);
      const run = (id: string, outcome: string, incident: number | null) =>
        db.run(
          `INSERT INTO incident_runs (execution_id, outcome, task_id, finished_at, duration_ms, error_class, tables, incident_id, consecutive_failures, source, recorded_at)
           VALUES (?, ?, 't', 1000, 10, NULL, NULL, ?, 1, 'udp', 1000)`,
          [id, outcome, incident],
        );
      await run("Run-A", "failed", 5);
      await run("run-b", "succeeded", null);
      await run("run-c", "aborted", 6);
      await run("run-e", "succeeded", 7); // the success that closed incident 7
      // Run-A folded into two causes (a node's, then its queue's): the first tells it, as the report does.
      for (const parent of [3, 2]) await db.run("INSERT INTO cause_runs (parent_id, run_id, at) VALUES (?, 'run-a', 1000)", [parent]);
      const symptom = (parent: number, subject: string, kind: string, eventId: string, state: string) =>
        db.run(`INSERT INTO cause_symptoms (parent_id, subject, task_name, kind, event_id, state, first_at, last_at) VALUES (?, ?, 'T', ?, ?, ?, 1000, 1000)`, [
          parent,
          subject,
          kind,
          eventId,
          state,
        ]);
      await symptom(4, "task:c", "task.cancelled_in_queue", "run-c:aborted", "recovered");
      await symptom(9, "task:b", "task.waiting", "run-b:succeeded", "waiting");
      await symptom(8, "task:e", "task.failed", "run-e:failed", "open"); // another outcome of the id: not this run

      const links = await runLinksOf(db, [
        { executionId: "Run-A", outcome: "failed" },
        { executionId: "run-b", outcome: "succeeded" },
        { executionId: "run-c", outcome: "aborted" },
        { executionId: "run-d", outcome: "failed" },
        { executionId: "run-e", outcome: "succeeded" },
      ]);
      expect(Object.fromEntries(links)).toEqual({
        "run-a:failed": { incidentId: 5, causeId: 2 },
        "run-c:aborted": { incidentId: 6, causeId: 4 },
        "run-e:succeeded": { incidentId: 7, causeId: null },
      });
      expect((await runLinksOf(db, [])).size).toBe(0);
    });
  });
}
