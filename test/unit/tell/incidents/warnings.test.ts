// "Succeeded with warnings": each rule speaks only with evidence (errors in this log; a table earlier runs filled;
// a usual duration from enough runs of a task that takes long enough).
import { describe, expect, test } from "bun:test";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import { detectWarnings, type WarningInput } from "../../../../src/tell/incidents/warnings";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const settings = IncidentsSchema.parse({}).warnings;
const base = (over: Partial<WarningInput> = {}): WarningInput => ({
  event: syntheticTaskEvent({ outcome: "succeeded", full: false }),
  successes: 0,
  previousTables: [],
  ...over,
});

describe("detectWarnings", () => {
  test("errors the script continued past", () => {
    const e = syntheticTaskEvent({ outcome: "succeeded", full: false });
    e.scriptLog = scriptLogExcerpt(
      [
        "Execution started.",
        "0010  LOAD * FROM x.qvd;",
        "      Error: Cannot open file 'lib://Data/x.qvd'",
        "      Error: Field 'Y' not found",
        "Execution finished.",
      ].join("\r\n"),
      20,
      40,
      0,
    );
    expect(detectWarnings(base({ event: e }), settings)).toEqual([
      { kind: "skippedErrors", message: "The script continued past 2 errors (ErrorMode): Cannot open file 'lib://Data/x.qvd'" },
    ]);
    expect(detectWarnings(base({ event: e }), { ...settings, skippedErrors: false })).toEqual([]);
  });

  test("a table earlier runs filled loaded 0 rows; not a table that was empty before, nor one seen once", () => {
    const previousTables: Array<Record<string, number>> = [{ Orders: 1200, Errors: 0 }, { Orders: 1100, Errors: 3 }, { Orders: 1000 }];
    const w = detectWarnings(base({ tables: { Orders: 0, Errors: 0, New: 0 }, previousTables }), settings);
    expect(w).toEqual([{ kind: "emptyTable", table: "Orders", message: "Table Orders loaded 0 rows; the last 3 runs loaded 1 000 to 1 200 rows" }]);
    expect(detectWarnings(base({ tables: { Orders: 0 }, previousTables: [{ Orders: 5 }, { Orders: 5 }] }), settings)).toEqual([]);
    // All of the last 10 runs that loaded it must have filled it: one empty run among them is enough to stay quiet.
    const filled = Array.from({ length: 9 }, () => ({ Orders: 5 }));
    expect(detectWarnings(base({ tables: { Orders: 0 }, previousTables: [...filled, { Orders: 0 }] }), settings)).toEqual([]);
    expect(detectWarnings(base({ tables: { Orders: 0 }, previousTables: [...filled, { Orders: 7 }, { Orders: 0 }] }), settings)[0]!.message).toBe(
      "Table Orders loaded 0 rows; the last 10 runs loaded 5 to 7 rows",
    );
  });

  test("a run in a small fraction of its usual time, only for tasks that take long enough and with enough runs", () => {
    const usual = { usualDurationMs: 600_000, quickestMs: 420_000, successes: 5 };
    expect(detectWarnings(base({ ...usual, durationMs: 60_000 }), settings)).toEqual([
      { kind: "shortRun", message: "The run took 1 min 00 s, usually 10 min 00 s" },
    ]);
    // A task whose runs vary widely: quicker than a fifth of the median, but not than half the quickest run.
    expect(detectWarnings(base({ ...usual, quickestMs: 100_000, durationMs: 60_000 }), settings)).toEqual([]);
    expect(detectWarnings(base({ ...usual, durationMs: 180_000 }), settings)).toEqual([]);
    expect(detectWarnings(base({ ...usual, successes: 4, durationMs: 1_000 }), settings)).toEqual([]);
    expect(detectWarnings(base({ usualDurationMs: 30_000, successes: 10, durationMs: 1_000 }), settings)).toEqual([]);
  });
});
