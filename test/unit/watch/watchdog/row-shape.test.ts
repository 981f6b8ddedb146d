// The watchdog reads QRS execution results with a check of the fields it uses instead of a schema parse (issue 78: a
// look reads every run in progress, 768 at once on the ×50 site's night). The check accepts exactly the rows the
// schema it replaced accepted, and the look reads the same runs from them.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { executionRow, readExecutions } from "../../../../src/watch/watchdog/observations";

/** The schema the look parsed each row with before. */
const Before = z.looseObject({
  id: z.string(),
  executionID: z.string().nullish(),
  taskID: z.string().nullish(),
  appID: z.string().nullish(),
  status: z.number(),
  createdDate: z.string().nullish(),
  modifiedDate: z.string().nullish(),
  startTime: z.string().nullish(),
  stopTime: z.string().nullish(),
  executingNodeName: z.string().nullish(),
  details: z.unknown().optional(),
});

const FIELDS = ["id", "executionID", "taskID", "appID", "status", "createdDate", "modifiedDate", "startTime", "stopTime", "executingNodeName", "details"];

const good = (k: number): Record<string, unknown> => ({
  id: `0e000000-0000-4000-8000-${String(k).padStart(12, "0")}`,
  executionID: `0f000000-0000-4000-8000-${String(k).padStart(12, "0")}`,
  taskID: "0a000000-0000-4000-8000-000000000001",
  appID: "00000000-0000-0000-0000-000000000000",
  status: 7,
  createdDate: "2026-11-24T01:00:00.000Z",
  modifiedDate: "2026-11-24T01:05:00.000Z",
  startTime: "2026-11-24T01:00:02.000Z",
  stopTime: "2026-11-24T01:05:00.000Z",
  executingNodeName: "Reload01",
  duration: 298_000,
  details: [{ detailsType: 2, message: "Changing task state from Started to FinishedSuccess", detailCreatedDate: "2026-11-24T01:05:00.000Z" }],
  schemaPath: "ExecutionResult",
});

/** Values of every kind JSON can carry, and a few it cannot (a row built by hand). */
const ODD: unknown[] = [null, undefined, "", "text", 0, 3, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true, false, [], ["x"], {}, { id: "x" }];

describe("an execution result row", () => {
  test("is accepted exactly when the schema it replaced accepted it (2,000 rows with fields of every type)", () => {
    const random = createRandom(78);
    let accepted = 0;
    for (let k = 0; k < 2_000; k++) {
      const row = good(k);
      // Up to three fields of the row given a value of another kind, or dropped.
      for (let n = random.int(0, 3); n > 0; n--) {
        const field = FIELDS[random.int(0, FIELDS.length - 1)]!;
        if (random.next() < 0.2) delete row[field];
        else row[field] = ODD[random.int(0, ODD.length - 1)];
      }
      const ok = executionRow(row) !== undefined;
      expect([k, ok]).toEqual([k, Before.safeParse(row).success]);
      if (ok) accepted++;
    }
    // Both kinds were tried, many times.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(1_900);
    for (const notARow of [null, undefined, 7, "row", [], [good(1)]]) expect(executionRow(notARow)).toBeUndefined();
  });

  test("reads as before: the run, its node and times; a row without a task is counted unreadable, not read", () => {
    const row = good(1);
    const { taskID: _none, ...taskless } = good(2);
    const read = readExecutions([row, taskless, { ...good(3), status: "7" }]);
    expect(read.unreadable).toBe(2);
    expect(read.executions).toEqual([
      {
        resultId: "0e000000-0000-4000-8000-000000000001",
        executionId: "0f000000-0000-4000-8000-000000000001",
        taskId: "0a000000-0000-4000-8000-000000000001",
        status: 7,
        createdMs: Date.parse("2026-11-24T01:00:00.000Z"),
        modifiedMs: Date.parse("2026-11-24T01:05:00.000Z"),
        startMs: Date.parse("2026-11-24T01:00:02.000Z"),
        stopMs: Date.parse("2026-11-24T01:05:00.000Z"),
        node: "Reload01",
      },
    ]);
  });
});
