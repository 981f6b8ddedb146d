// judgeTurnedOff and the facts it reads from QRS rows: only a change from "runs on its own" to "cannot" is news, a
// list Steward could not read deletes nothing, a fired "once" trigger is not "turned off", and each way of turning a
// task off is named with who and when.
import { describe, expect, test } from "bun:test";
import { findCloudChainBreaks, findDoubleStarts } from "../../../../src/watch/watchdog/cloud-turned-off";
import { withTurnedOffNote } from "../../../../src/watch/watchdog/routes";
import type { ConditionRow } from "../../../../src/watch/watchdog/watch-store";
import { watchdogEvent } from "../../../../src/watch/watchdog/watchdog-event";
import { judgeTurnedOff } from "../../../../src/watch/watchdog/turned-off";
import { readTurnOffFacts } from "../../../../src/watch/watchdog/turned-off-facts";

const T0 = Date.parse("2026-11-23T08:00:00Z");
const task = (id: string, o: { enabled?: boolean; by?: string; at?: string } = {}) => ({
  id,
  name: `Task ${id}`,
  enabled: o.enabled ?? true,
  app: { id: `app-${id}` },
  modifiedDate: o.at ?? "2026-11-20T10:00:00.000Z",
  modifiedByUserName: o.by ?? "CORP\\anna",
});
const schema = (id: string, taskId: string, o: { enabled?: boolean; expires?: string; once?: boolean; by?: string; at?: string } = {}) => ({
  id,
  name: `Trigger ${id}`,
  enabled: o.enabled ?? true,
  incrementOption: o.once ? 0 : 2,
  expirationDate: o.expires ?? "9999-01-01T00:00:00.000",
  timeZone: "Europe/Stockholm",
  reloadTask: { id: taskId },
  modifiedDate: o.at ?? "2026-11-20T10:00:00.000Z",
  modifiedByUserName: o.by ?? "CORP\\anna",
});
const composite = (id: string, taskId: string, ups: Array<string | null>) => ({
  id,
  name: `Chain ${id}`,
  enabled: true,
  reloadTask: { id: taskId },
  compositeRules: ups.map((u) => ({ ruleState: 1, reloadTask: u ? { id: u } : null })),
});
const facts = (tasks: unknown[], schemas: unknown[], composites: unknown[] = []) => readTurnOffFacts([tasks], schemas, composites);

describe("task.disabled: what changed since the last look", () => {
  const before = facts([task("a"), task("b"), task("c")], [schema("sa", "a"), schema("sc", "c")], [composite("cb", "b", ["a"])]);
  const { seen } = judgeTurnedOff(undefined, before, T0, T0);

  test("the first look is history: nothing, even for a task already disabled", () => {
    expect(judgeTurnedOff(undefined, facts([task("a", { enabled: false })], [schema("sa", "a")]), T0, T0).changes).toEqual([]);
    expect(seen.a!.runnable && seen.b!.runnable && seen.c!.runnable).toBe(true);
  });

  test("the snapshot is plain JSON: kept as judged, it is what reading its stored text back gives (a deleted upstream, a task gone)", () => {
    const gone = facts([task("a"), task("c")], [schema("sa", "a"), schema("sc", "c")], [composite("cb", "b", [null])]);
    const next = judgeTurnedOff(seen, gone, T0 + 2 * 3_600_000, T0 + 2 * 3_600_000).seen;
    expect(JSON.parse(JSON.stringify(next))).toStrictEqual(next);
    expect(JSON.parse(JSON.stringify(seen))).toStrictEqual(seen);
  });

  test("nothing changed: nothing to say", () => {
    expect(judgeTurnedOff(seen, before, T0 + 60_000, T0 + 60_000).changes).toEqual([]);
  });

  test("'last seen' of an unchanged task moves on at most hourly (the stored snapshot is not rewritten every look); a change moves it at once", () => {
    const later = judgeTurnedOff(seen, before, T0 + 5 * 60_000, T0 + 5 * 60_000).seen;
    expect([later.a!.seenAtMs, later.b!.seenAtMs, later.c!.seenAtMs]).toEqual([T0, T0, T0]);
    const hourLater = judgeTurnedOff(later, before, T0 + 60 * 60_000, T0 + 60 * 60_000).seen;
    expect(hourLater.a!.seenAtMs).toBe(T0 + 60 * 60_000);
    const renamed = facts([task("a"), task("b"), task("c")], [{ ...schema("sa", "a"), name: "Renamed" }, schema("sc", "c")], [composite("cb", "b", ["a"])]);
    const afterRename = judgeTurnedOff(later, renamed, T0 + 10 * 60_000, T0 + 10 * 60_000).seen;
    expect([afterRename.a!.seenAtMs, afterRename.c!.seenAtMs]).toEqual([T0 + 10 * 60_000, T0]);
  });

  test("a task disabled: who and when from its modifiedByUserName and modifiedDate", () => {
    const now = facts(
      [task("a"), task("b"), task("c", { enabled: false, by: "CORP\\bob", at: "2026-11-23T07:59:00.000Z" })],
      [schema("sa", "a"), schema("sc", "c")],
      [composite("cb", "b", ["a"])],
    );
    expect(judgeTurnedOff(seen, now, T0, T0).changes).toEqual([
      {
        taskId: "c",
        taskName: "Task c",
        appId: "app-c",
        turnedOff: "task-disabled",
        changedBy: "CORP\\bob",
        changedAtMs: Date.parse("2026-11-23T07:59:00.000Z"),
      },
    ]);
  });

  test("its last trigger disabled, or ended: the trigger's own who and when", () => {
    const off = facts(
      [task("a"), task("b"), task("c")],
      [schema("sa", "a"), schema("sc", "c", { enabled: false, by: "CORP\\carl" })],
      [composite("cb", "b", ["a"])],
    );
    expect(judgeTurnedOff(seen, off, T0, T0).changes.map((c) => [c.taskId, c.turnedOff, c.trigger, c.changedBy])).toEqual([
      ["c", "trigger-disabled", "Trigger sc", "CORP\\carl"],
    ]);
    // An end date is local time in the trigger's zone: 08:30 in Stockholm is 07:30 UTC.
    const ended = facts(
      [task("a"), task("b"), task("c")],
      [schema("sa", "a"), schema("sc", "c", { expires: "2026-11-23T08:30:00.000" })],
      [composite("cb", "b", ["a"])],
    );
    const c = judgeTurnedOff(seen, ended, T0, T0).changes[0]!;
    expect([c.turnedOff, c.changedAtMs]).toEqual(["trigger-expired", Date.parse("2026-11-23T07:30:00Z")]);
  });

  test("a deleted upstream: the task it was deleted from and the task that waited for it (QRS nulls the rule)", () => {
    const gone = facts([task("b"), task("c")], [schema("sc", "c")], [composite("cb", "b", [null])]);
    const changes = judgeTurnedOff(seen, gone, T0 + 60_000, T0 + 60_000).changes;
    expect(changes.map((c) => [c.taskId, c.turnedOff, c.upstreamTask, c.lastSeenAtMs])).toEqual([
      ["a", "task-deleted", undefined, T0],
      ["b", "upstream-deleted", "Task a", T0],
    ]);
  });

  test("a list Steward could not read deletes nothing; a task it cannot read keeps what was seen", () => {
    const partial = facts([task("a"), task("b"), { id: "c" }], [schema("sa", "a")], [composite("cb", "b", ["a"])]);
    const r = judgeTurnedOff(seen, partial, T0, T0);
    expect(partial.complete).toBe(false);
    expect(r.changes).toEqual([]);
    expect(r.seen.c).toEqual(seen.c);
    // A trigger row it cannot read is not a trigger gone.
    const badTrigger = facts([task("a"), task("b"), task("c")], [schema("sa", "a"), { id: "sc", reloadTask: { id: "c" } }], [composite("cb", "b", ["a"])]);
    expect(judgeTurnedOff(seen, badTrigger, T0, T0).changes).toEqual([]);
  });

  test("a task whose only trigger was a 'once' is not turned off when it fired", () => {
    const once = facts([task("o")], [schema("so", "o", { once: true })]);
    const first = judgeTurnedOff(undefined, once, T0, T0).seen;
    expect(first.o!.runnable).toBe(false);
    expect(judgeTurnedOff(first, facts([task("o")], []), T0, T0).changes).toEqual([]);
  });

  test("re-enabled, then disabled again: a new change each time it goes off", () => {
    const off = facts([task("a"), task("b"), task("c", { enabled: false })], [schema("sa", "a"), schema("sc", "c")], [composite("cb", "b", ["a"])]);
    const s1 = judgeTurnedOff(seen, off, T0, T0).seen;
    const s2 = judgeTurnedOff(s1, before, T0 + 1, T0 + 1).seen;
    expect(judgeTurnedOff(s1, off, T0, T0).changes).toEqual([]);
    expect(judgeTurnedOff(s2, off, T0 + 2, T0 + 2).changes).toHaveLength(1);
  });
});

test("a dataset-triggered task started twice within 5 minutes (not by hand) is a double start", () => {
  const t = { id: "x", name: "X", enabled: true, updatedAt: "", trigger: { kind: "dataset" as const, datasetId: "d" } };
  expect(findDoubleStarts(t, [{ startedMs: T0 }, { startedMs: T0 + 1_000 }])).toEqual([T0 + 1_000]);
  expect(findDoubleStarts(t, [{ startedMs: T0 }, { startedMs: T0 + 1_000, triggeredBy: "manual" }])).toEqual([]);
  expect(findDoubleStarts(t, [{ startedMs: T0 }, { startedMs: T0 + 3_600_000 }])).toEqual([]);
});

test("GET /v4/watchdog: an open condition of a task turned off says so; other tasks' and the task.disabled itself do not", () => {
  const row = (key: string, type: "missed" | "disabled", taskId: string): ConditionRow => ({
    key,
    type,
    taskId,
    openedMs: T0,
    openAnnounced: true,
    closeAnnounced: false,
    openEvent: watchdogEvent({
      kind: type === "missed" ? "task.missed" : "task.disabled",
      condition: { type, key, openedAtMs: T0 },
      nowMs: T0,
      host: "sense1",
      task: { id: taskId, name: taskId, tags: [], customProperties: [] },
      details: type === "disabled" ? { turnedOff: "task-disabled" } : { expectedAtMs: T0 },
    }),
  });
  const open = [row("missed:a:t", "missed", "a"), row("disabled:a", "disabled", "a"), row("missed:b:t", "missed", "b")];
  expect(withTurnedOffNote(open[0]!, open).note).toContain("turned off at 2026-11-23T08:00:00.000Z (task-disabled)");
  expect(withTurnedOffNote(open[1]!, open).note).toBeUndefined();
  expect(withTurnedOffNote(open[2]!, open).note).toBeUndefined();
});

test("a Cloud chain: the upstream ended as awaited and nothing started is a break; a start, a run still going or another outcome is not", () => {
  const up = { id: "u", name: "Up", enabled: true, updatedAt: "" };
  const down = (last?: { startedMs: number; endedMs?: number }) => ({
    id: "d",
    name: "Down",
    enabled: true,
    updatedAt: "",
    trigger: { kind: "task" as const, upstreamId: "u", on: "succeeded" as const },
    ...(last ? { last: { ...last, status: "RUNNING" } } : {}),
  });
  const end = T0 + 60_000;
  const run = (status: number) => ({ resultId: "r", taskId: "u", status, createdMs: T0, startMs: T0, stopMs: end });
  const judge = (d: ReturnType<typeof down>, status: number, starts: number[] = []) =>
    findCloudChainBreaks({
      tasks: [up, d],
      runsOf: (id) => (id === "u" ? [run(status)] : []),
      startsOf: (id) => (id === "d" ? starts : []),
      watched: () => true,
      graceOf: () => 180_000,
      nowMs: end + 200_000,
      checkedUntilMs: end + 100_000,
      watchingSinceMs: T0 - 1,
    }).map((b) => [b.task.id, b.outcome]);
  expect(judge(down(), 7)).toEqual([["d", "success"]]);
  expect(judge(down(), 8)).toEqual([]); // it waits for success
  expect(judge(down(), 7, [end + 2_000])).toEqual([]);
  expect(judge(down({ startedMs: T0 - 1_000 }), 7)).toEqual([]); // still running from before
});
