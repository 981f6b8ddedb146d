// Task starts over REST against the simulator: both body forms, tags and custom properties matching several
// tasks of different types, missing and malformed ids, allTaskIdsMustExist, key-value items, wait=true.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StartResponse } from "../../../../src/start/control/start-response";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, T, UNKNOWN_TASK, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const start = (path: string, body?: unknown, method = "POST") =>
  h.json<StartResponse & { error?: string; details?: unknown }>(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
const sorted = (xs: string[]) => [...xs].sort();

describe("start by id", () => {
  test("one id in the path, empty body: started through QRS", async () => {
    const seq = h.lastSeq();
    const r = await start(`/v4/reloadtask/${T.salesReload}/start`);
    expect(r.status).toBe(200);
    expect(r.body.tasksStarted).toEqual([{ taskId: T.salesReload, taskName: "Reload Sales", status: "started", via: ["id"] }]);
    expect(r.body.totalTasksStarted).toBe(1);
    expect(r.body.tasksNotFound).toEqual([]);
    expect(r.body.tasksId.started).toEqual([{ taskId: T.salesReload, taskName: "Reload Sales" }]);
    expect(h.startedInSim(seq)).toEqual([T.salesReload]);
  });

  test("PUT and the body-only path behave the same", async () => {
    const seq = h.lastSeq();
    const a = await start("/v4/reloadtask/start", { taskId: [T.financeReload] }, "PUT");
    const b = await start("/v4/reloadtask/-/start", { taskId: [T.allowedById] }, "PUT");
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(sorted(h.startedInSim(seq))).toEqual(sorted([T.financeReload, T.allowedById]));
  });

  test("an unknown id is reported, the known ones still start", async () => {
    const seq = h.lastSeq();
    const r = await start("/v4/reloadtask/-/start", { taskId: [T.adSync, UNKNOWN_TASK] });
    expect(r.status).toBe(200);
    expect(r.body.tasksNotFound).toEqual([UNKNOWN_TASK]);
    expect(r.body.tasksId.invalid).toEqual([{ taskId: UNKNOWN_TASK }]);
    expect(r.body.tasksStarted.map((s) => s.taskId)).toEqual([T.adSync]);
    expect(h.startedInSim(seq)).toEqual([T.adSync]);
  });

  test("allTaskIdsMustExist=true: one unknown id holds back every id-selected task", async () => {
    const seq = h.lastSeq();
    const r = await start("/v4/reloadtask/-/start?allTaskIdsMustExist=true", { taskId: [T.extract, UNKNOWN_TASK] });
    expect(r.status).toBe(200);
    expect(r.body.totalTasksStarted).toBe(0);
    expect(r.body.tasksId.denied).toEqual([{ taskId: T.extract, taskName: "Run extract" }]);
    expect(r.body.tasksId.invalid).toEqual([{ taskId: UNKNOWN_TASK }]);
    expect(h.startedInSim(seq)).toEqual([]);
  });

  test("a malformed id in the object form's taskId is 400 'Invalid task ID format' and nothing starts", async () => {
    const seq = h.lastSeq();
    const b = await start("/v4/reloadtask/-/start", { taskId: [T.salesReload, "12345"] });
    expect(b.status).toBe(400);
    expect(b.body.error).toBe("Invalid task ID format");
    expect(String(b.body.details)).toContain("Task ID must be a valid GUID");
    expect(h.startedInSim(seq)).toEqual([]);
  });

  test("a placeholder word in the path (Butler's StartTask sub with tags only) is listed as invalid and the rest starts", async () => {
    let seq = h.lastSeq();
    const a = await start(
      "/v4/reloadtask/none/start",
      [
        { type: "starttasktag", payload: { tag: "HR" } },
        { type: "starttaskid", payload: { taskId: "abc" } },
      ],
      "POST",
    );
    expect(a.status).toBe(200);
    expect(a.body.tasksId.invalid).toEqual([{ taskId: "none" }, { taskId: "abc" }]);
    expect(a.body.tasksTag.map((x) => x.taskId)).toEqual([T.hrReloadFails]);
    expect(h.startedInSim(seq)).toEqual([T.hrReloadFails]);
    // Alone, the placeholder starts nothing and says why.
    seq = h.lastSeq();
    const b = await start("/v4/reloadtask/not-a-task/start");
    expect(b.status).toBe(200);
    expect(b.body.tasksId.invalid).toEqual([{ taskId: "not-a-task" }]);
    expect(h.startedInSim(seq)).toEqual([]);
  });

  test("nothing named at all is a 400, not a silent 200", async () => {
    const r = await start("/v4/reloadtask/-/start", {});
    expect(r.status).toBe(400);
  });

  test("a disabled task: QRS does not run it, and the answer says so", async () => {
    const r = await start(`/v4/reloadtask/${T.disabled}/start?wait=true&timeout=5s`);
    expect(r.status).toBe(200);
    expect(r.body.tasksStarted).toEqual([expect.objectContaining({ taskId: T.disabled, status: "failed" })]);
    expect(r.body.tasksStarted[0]!.error).toContain("QRS did not start the task");
    expect(r.body.totalTasksStarted).toBe(0);
  });
});

describe("start by tag and custom property", () => {
  test("seed 000 object form: a tag matching tasks of four types, a custom property matching two, each started once", async () => {
    const seq = h.lastSeq();
    const r = await start("/v4/reloadtask/-/start", { tag: ["etl"], customProperty: [{ name: "taskGroup", value: "finance" }] });
    expect(r.status).toBe(200);
    const etl = [T.salesReload, T.financeReload, T.extract, T.distribute];
    expect(sorted(r.body.tasksStarted.map((s) => s.taskId))).toEqual(sorted(etl));
    expect(r.body.totalTasksStarted).toBe(4);
    expect(sorted(r.body.tasksTag.map((x) => x.taskId))).toEqual(sorted(etl));
    expect(sorted(r.body.tasksCP.map((x) => x.taskId))).toEqual(sorted([T.salesReload, T.financeReload]));
    // Sales matched by tag and by custom property: one start.
    expect(sorted(h.startedInSim(seq))).toEqual(sorted(etl));
    expect(r.body.tasksStarted.find((s) => s.taskId === T.salesReload)?.via).toEqual(["tag:etl", "cp:taskGroup=finance"]);
  });

  test("Butler's array form with a key-value item: the pair is stored before the tasks start", async () => {
    const seq = h.lastSeq();
    const r = await start("/v4/reloadtask/-/start", [
      { type: "keyvaluestore", payload: { namespace: "chain", key: "runDate", value: "2025-11-03", ttl: 60000 } },
      { type: "starttasktag", payload: { tag: "nightly" } },
      { type: "starttaskcustomproperty", payload: { customPropertyName: "taskGroup", customPropertyValue: "ops" } },
      { type: "starttaskid", payload: { taskId: T.preload } },
    ]);
    expect(r.status).toBe(200);
    expect(sorted(r.body.tasksTag.map((x) => x.taskId))).toEqual(sorted([T.salesReload, T.adSync]));
    expect(r.body.tasksCP).toEqual([{ taskId: T.extract, taskName: "Run extract", name: "taskGroup", value: "ops" }]);
    expect(r.body.tasksId.started).toEqual([{ taskId: T.preload, taskName: "Preload Sales" }]);
    expect(sorted(h.startedInSim(seq))).toEqual(sorted([T.salesReload, T.adSync, T.extract, T.preload]));
    const kv = await h.json<{ value: string }>("/v4/keyvalues/chain?key=runDate");
    expect(kv.status).toBe(200);
    expect(kv.body.value).toBe("2025-11-03");
  });

  test("a tag nobody carries starts nothing and says so", async () => {
    const r = await start("/v4/reloadtask/-/start", { tag: ["no-such-tag"] });
    expect(r.status).toBe(200);
    expect(r.body.totalTasksStarted).toBe(0);
    expect(r.body.tasksTag).toEqual([]);
  });
});

describe("wait=true", () => {
  // Runs started by the tests above must end first: QRS does not start a task that is still running.
  beforeAll(() => waitFor(() => h.sim.tasks.runningSessions().length === 0, { what: "idle simulator", timeoutMs: 10_000 }));

  test("a succeeding reload: outcome, duration and the script log tail", async () => {
    const r = await start(`/v4/reloadtask/${T.financeReload}/start?wait=true&timeout=20s`);
    expect(r.status).toBe(200);
    const run = r.body.executions?.[0];
    expect(run).toMatchObject({ taskId: T.financeReload, outcome: "succeeded", status: "FinishedSuccess", statusCode: 7 });
    expect(run!.durationMs).toBeGreaterThan(0);
    expect(run!.scriptLogTail.length).toBeGreaterThan(0);
    expect(run!.scriptLogTail.join("\n")).toContain("Execution finished");
  }, 30_000);

  test("a failing reload: outcome failed with the script error in the tail", async () => {
    const r = await start(`/v4/reloadtask/${T.hrReloadFails}/start?wait=true&timeout=20s`);
    const run = r.body.executions?.[0];
    expect(run).toMatchObject({ taskId: T.hrReloadFails, outcome: "failed", status: "FinishedFail", statusCode: 8 });
    expect(run!.scriptLogTail.join("\n")).toContain("Cannot open file");
  }, 30_000);

  test("a run that outlasts the timeout is reported as such", async () => {
    h.sim.repo.findTask(T.allowedById)!.model.durationMs = 5000;
    const r = await start(`/v4/reloadtask/${T.allowedById}/start?wait=true&timeout=1000`);
    expect(r.body.executions?.[0]).toMatchObject({ taskId: T.allowedById, outcome: "timeout" });
    h.sim.repo.findTask(T.allowedById)!.model.durationMs = 300;
  }, 20_000);
});

describe("audit", () => {
  test("every start decision is in the audit log with who, what and the result", async () => {
    const r = await h.json<{
      entries: Array<{ actor: { kind: string; name: string }; action: string; target?: string; result: string; details?: Record<string, unknown> }>;
    }>(`/v4/audit?action=task.start&target=${T.extract}`);
    expect(r.status).toBe(200);
    const results = r.body.entries.map((e) => e.result);
    expect(results).toContain("ok");
    expect(results).toContain("denied"); // held back by allTaskIdsMustExist
    expect(r.body.entries[0]!.actor).toEqual({ kind: "anonymous", name: "anonymous" });
    const notFound = await h.json<{ entries: Array<{ result: string; details?: { reason?: string } }> }>(`/v4/audit?target=${UNKNOWN_TASK}`);
    expect(notFound.body.entries[0]).toMatchObject({ result: "failed", details: { reason: "no such task on the Qlik site" } });
  });
});
