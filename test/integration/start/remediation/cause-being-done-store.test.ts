// What GET /v4/causes and the Causes page say is being done about a cause and what came of it (cause-being-done.ts,
// issue 101), read from the store on both stores: a person's re-run of a queue cause's three cancelled runs is one line
// naming what each waits for (the first a free engine on its node, the others the one before them); a person's retry
// of one of the cause's tasks that succeeded is told as the cause's channels told it; a rule's retry due names its
// attempt of the rule's retries; an action asked before the cause opened, or on a task of no symptom of it, is not its.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ActionKind } from "../../../../src/start/remediation/action-row";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createCauseBeingDone } from "../../../../src/start/remediation/cause-being-done";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createRemediationHolds } from "../../../../src/start/remediation/remediation-holds";
import { bothBackends } from "../../../helpers/sql-backends";

const OPENED = Date.parse("2026-03-10T02:00:00Z");
const MIN = 60_000;
const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

for (const backend of bothBackends()) {
  describe(`what is being done about a cause (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("a re-run of three runs is one line, a person's retry's outcome reads as its channels got it, a rule's retry names its attempt", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (n: number, kind: ActionKind, by: string, from: string, more: { causeId?: number; afterId?: number; at?: number } = {}) => {
        const { action } = await store.add({
          incidentId: n,
          taskId: `TASK-${n}`,
          taskName: `Load ${n}`,
          kind,
          requestedBy: by,
          requestedFrom: from,
          requestedAt: more.at ?? OPENED + 10 * MIN,
          dueAt: OPENED + 20 * MIN,
          ...(more.causeId ? { causeId: more.causeId } : {}),
          ...(more.afterId ? { afterId: more.afterId } : {}),
          node: "reload01",
        });
        return action.id;
      };
      const set = (id: number, sql: string, args: Array<string | number>) => db.run(`UPDATE remediation_actions SET ${sql} WHERE id = ?`, [...args, id]);
      // Cause 7, a queue's: its three cancelled runs re-run in chain order, asked by ann.
      const first = await add(1, "rerun", "ann@corp.example", "link", { causeId: 7 });
      await set(first, "qlik_answer = ?", ["waiting for a free engine on reload01: 2 of 2 busy"]);
      const second = await add(2, "rerun", "ann@corp.example", "link", { causeId: 7, afterId: first });
      await add(3, "rerun", "ann@corp.example", "link", { causeId: 7, afterId: second });
      // Cause 8, a source's (tasks 4, 5, 6): ann's retry of task 4 succeeded; a rule's retry 2 of task 5 is due.
      const retried = await add(4, "retry", "ann@corp.example", "link");
      await set(retried, "status = 'ended', outcome = 'succeeded', started_at = ?, ended_at = ?, qlik_answer = ?", [
        OPENED + 40 * MIN,
        OPENED + 41 * MIN,
        "Qlik started the task",
      ]);
      const ruleFirst = await add(5, "retry", "rule:night-retry", "rule");
      await set(ruleFirst, "status = 'ended', outcome = 'failed', started_at = ?, ended_at = ?, outcome_line = ?", [
        OPENED + 5 * MIN,
        OPENED + 6 * MIN,
        "Connection refused",
      ]);
      await add(5, "retry", "rule:night-retry", "rule");
      // Task 6's retry was asked before the cause opened, task 9 is no symptom of it.
      const before = await add(6, "retry", "bo@corp.example", "rest", { at: OPENED - MIN });
      await set(before, "status = 'ended', outcome = 'failed', ended_at = ?", [OPENED - 30_000]);
      await add(9, "retry", "bo@corp.example", "rest");

      const holds = createRemediationHolds(db, { rules: false });
      const read = createCauseBeingDone(db, { holds: holds.all, formatTime: hhmm, attemptsOf: (rule) => (rule === "night-retry" ? 3 : undefined) });
      const got = await read([
        { id: 7, taskIds: [], openedAt: OPENED },
        { id: 8, taskIds: ["task-4", "task-5", "task-6"], openedAt: OPENED },
        { id: 10, taskIds: ["task-77"], openedAt: OPENED },
      ]);
      expect(got.get(7)?.doing.map((d) => d.text)).toEqual([
        "Re-run of 3 cancelled runs (asked by ann@corp.example, in chain order): Load 1 waiting for a free engine on reload01: 2 of 2 busy; Load 2, Load 3 waiting for the re-run before it (chain order)",
      ]);
      expect(got.get(7)?.done).toEqual([]);
      expect(got.get(8)?.doing.map((d) => d.text)).toEqual(["Load 5: retry 2 due at 02:20 UTC (rule night-retry, attempt 2 of 3)"]);
      expect(got.get(8)?.done.map((d) => [d.tone, d.text])).toEqual([
        ["ok", "Load 4: Retried by ann@corp.example (from the alert's link) at 02:40 UTC: Qlik started the task; the retry succeeded."],
        ["fail", "Load 5: Retried by rule:night-retry (from a remediation rule) at 02:05 UTC: started; the retry failed. Its failing line: Connection refused"],
      ]);
      // Nothing was done about cause 10: absent.
      expect(got.has(10)).toBe(false);
    });
  });
}
