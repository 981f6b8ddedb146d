// A burst of failed runs enriched together reads QRS per kind and batch (tasks, apps, owners, executions), not per
// run, and gives the same events as enriching each run alone; an id QRS does not know, or a batch QRS refuses, spoils
// no other run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getEventListeners } from "node:events";
import type { Simulator } from "../../../../src/sim";
import { ConfigSchema } from "../../../../src/composition/config";
import type { QrsClient } from "../../../../src/platform/qlik";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createTaskEventEnricher, type RunReport } from "../../../../src/hear/events/enrich-task-event";
import { createBatchReader } from "../../../../src/platform/qlik/qrs-batch-reader";
import { encodeQueryValue } from "../../../../src/platform/qlik/qrs-filter";
import type { QrsTask } from "../../../../src/platform/qlik/qrs-schemas";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startSimWithQrs } from "../../../helpers/sim-with-qrs";

const TASKS = [
  "aa000000-0000-4000-8000-000000000001",
  "aa000000-0000-4000-8000-000000000002",
  "aa000000-0000-4000-8000-000000000003",
  "aa000000-0000-4000-8000-000000000004",
];
const APPS = ["bb000000-0000-4000-8000-000000000001", "bb000000-0000-4000-8000-000000000002", "bb000000-0000-4000-8000-000000000003"];
const EXTERNAL = "aa000000-0000-4000-8000-000000000005";
const RUNS_PER_TASK = 8;

const SITE = `
site: { name: Burst site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
  - { userDirectory: CORP, userId: bo, name: Bo Ek, email: bo.ek@corp.example }
streams:
  - { name: Sales }
tags: [Nightly, Finance]
customProperties:
  - { name: Department, choiceValues: [Sales, IT], objectTypes: [App, ReloadTask, ExternalProgramTask] }
apps:
  - { id: ${APPS[0]}, name: Sales, owner: CORP\\anna, stream: Sales, tags: [Finance], customProperties: { Department: Sales } }
  - { id: ${APPS[1]}, name: Stock, owner: CORP\\bo, tags: [Finance] }
  - { id: ${APPS[2]}, name: Costs, owner: CORP\\anna }
tasks:
  - { id: ${TASKS[0]}, name: Reload Sales, type: reload, app: Sales, tags: [Nightly], customProperties: { Department: Sales }, scriptError: "Cannot open file: 'lib://Data/a.qvd'" }
  - { id: ${TASKS[1]}, name: Reload Sales again, type: reload, app: Sales, scriptError: "Field not found: <x>" }
  - { id: ${TASKS[2]}, name: Reload Stock, type: reload, app: Stock, tags: [Nightly], scriptError: "Cannot open file: 'lib://Data/b.qvd'" }
  - { id: ${TASKS[3]}, name: Reload Costs, type: reload, app: Costs, customProperties: { Department: IT }, scriptError: "Out of memory" }
  - { id: ${EXTERNAL}, name: Run extract, type: externalProgram, path: "C:\\\\\\\\tools\\\\\\\\x.cmd", tags: [Nightly] }
`;

let tmp: TempDir;
let sim: Simulator;
let qrs: QrsClient;
const reports: RunReport[] = [];
const cfg = ConfigSchema.parse({ intake: { enrichment: { lookupTimeoutMs: 5000, finalStatusAttempts: 3, finalStatusDelayMs: 50 } } }).intake.enrichment;

beforeAll(async () => {
  tmp = createTempDir();
  ({ sim, qrs } = await startSimWithQrs(SITE, tmp.path, { retryBaseMs: 10 }));
  // Eight failed runs of each of five tasks, one after another per task, all ended before the burst is enriched.
  const perTask = await Promise.all(
    [...TASKS, EXTERNAL].map(async (taskId, i) => {
      const runs: RunReport[] = [];
      for (let n = 0; n < RUNS_PER_TASK; n++) {
        await waitFor(() => !sim.tasks.isRunning(taskId), { timeoutMs: 10_000, what: `task ${taskId} to be idle` });
        const started = sim.tasks.start(taskId, { outcome: "fail", durationMs: 20 });
        if (!started.started) throw new Error(`simulator did not start ${taskId}: ${started.reason}`);
        const appId = i < TASKS.length ? APPS[[0, 0, 1, 2][i]!] : undefined;
        runs.push({ source: "udp", outcome: "failed", executionId: started.executionId.toLowerCase(), taskId, appId, host: "sense1.test.example" });
      }
      await waitFor(() => !sim.tasks.isRunning(taskId), { timeoutMs: 10_000, what: `task ${taskId} to end` });
      return runs;
    }),
  );
  reports.push(...perTask.flat());
});

afterAll(async () => {
  qrs?.close();
  await sim?.stop();
  tmp?.remove();
});

const enricherOf = () => createTaskEventEnricher(cfg, { qmcUrl: "https://sense1.test.example/qmc" }, { qrs, log: createSilentLogger(), clock: systemClock });

/** QRS requests since `seq`, by kind. */
function requestsSince(seq: number) {
  const list = sim.requests.list({ source: "qrs", sinceSeq: seq });
  const of = (re: RegExp) => list.filter((r) => re.test(r.path)).length;
  return {
    total: list.length,
    task: of(/^\/qrs\/task\/full$/),
    app: of(/^\/qrs\/app\/full$/),
    user: of(/^\/qrs\/user(\/|$)/),
    execution: of(/^\/qrs\/executionresult/),
    scriptLog: of(/scriptlog/),
  };
}
const lastSeq = () => sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
const comparable = (e: TaskEvent) => ({ ...e, receivedAt: undefined });

/** Enriches `rs` with `workers` at a time, in order, as the intake's work queue does. */
async function enrichPool(rs: RunReport[], workers: number, enrich: (r: RunReport) => Promise<TaskEvent>): Promise<TaskEvent[]> {
  const out: TaskEvent[] = new Array(rs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < rs.length) {
        const i = next++;
        out[i] = await enrich(rs[i]!);
      }
    }),
  );
  return out;
}

describe("enrichment of a burst of failures", () => {
  let alone: TaskEvent[];
  let aloneRequests: ReturnType<typeof requestsSince>;

  test("one run at a time, each with its own reads: about five QRS requests per run", async () => {
    const seq = lastSeq();
    alone = [];
    for (const r of reports) alone.push(await enricherOf().enrich(r));
    aloneRequests = requestsSince(seq);
    console.log(`one at a time: ${reports.length} runs, ${JSON.stringify(aloneRequests)}`);
    for (const e of alone) expect(e.complete, JSON.stringify(e.missing)).toBe(true);
    expect(alone.filter((e) => e.scriptLog?.tail.join("\n").match(/Cannot open file|Field not found|Out of memory/)).length).toBe(32);
  });

  test("the same runs arriving together: the same events, one read per task, app and owner", async () => {
    const heardAtMs = systemClock.now();
    const seq = lastSeq();
    const enricher = enricherOf();
    const burst = await Promise.all(reports.map((r) => enricher.enrich({ ...r, heardAtMs })));
    const got = requestsSince(seq);
    console.log(`burst, all at once: ${reports.length} runs, ${JSON.stringify(got)}`);
    expect(burst.map(comparable)).toEqual(alone.map(comparable));
    // Each task, app and owner is read once for the whole burst (5 tasks, 3 apps, 2 owners), in one request per kind.
    expect(got.task).toBe(1);
    expect(got.app).toBe(1);
    expect(got.user).toBe(1);
    // The last run of each task is the task's own last execution; the others' executions are read in batches of 50.
    expect(got.execution).toBeLessThanOrEqual(2);
    expect(got.scriptLog).toBe(aloneRequests.scriptLog);
    expect(got.total - got.scriptLog).toBeLessThanOrEqual(5);
  });

  test("through four workers, as the intake enriches: the same events, each task, app and owner read at most once", async () => {
    const heardAtMs = systemClock.now();
    const seq = lastSeq();
    const enricher = enricherOf();
    const pooled = await enrichPool(
      reports.map((r) => ({ ...r, heardAtMs })),
      4,
      (r) => enricher.enrich(r),
    );
    const got = requestsSince(seq);
    console.log(`burst, four workers: ${reports.length} runs, ${JSON.stringify(got)}`);
    expect(pooled.map(comparable)).toEqual(alone.map(comparable));
    expect(got.task).toBeLessThanOrEqual(5);
    expect(got.app).toBeLessThanOrEqual(3);
    expect(got.user).toBeLessThanOrEqual(2);
    expect(got.execution).toBeLessThanOrEqual(aloneRequests.execution);
    expect(got.total).toBeLessThan(aloneRequests.total / 2);
  });

  test("runs waiting in the queue have their reads asked for as they arrive: one request per kind for the burst", async () => {
    const heardAtMs = systemClock.now();
    const seq = lastSeq();
    const enricher = enricherOf();
    const queued = reports.map((r) => ({ ...r, heardAtMs }));
    for (const r of queued) enricher.prefetch?.(r);
    const pooled = await enrichPool(queued, 4, (r) => enricher.enrich(r));
    const got = requestsSince(seq);
    console.log(`burst, four workers, queued runs prefetched: ${reports.length} runs, ${JSON.stringify(got)}`);
    expect(pooled.map(comparable)).toEqual(alone.map(comparable));
    expect(got.task).toBe(1);
    expect(got.app).toBe(1);
    expect(got.user).toBe(1);
    expect(got.execution).toBe(1);
    expect(got.total).toBe(4 + got.scriptLog);
    expect(got.scriptLog).toBe(aloneRequests.scriptLog);
  });

  test("rows read before a run was heard of are not used for it", async () => {
    const enricher = enricherOf();
    const first = lastSeq();
    await enricher.enrich({ ...reports[0]!, heardAtMs: systemClock.now() });
    const seq = lastSeq();
    expect(requestsSince(first).task).toBe(1);
    await enricher.enrich({ ...reports[1]!, heardAtMs: systemClock.now() + 1 });
    expect(requestsSince(seq).task).toBe(1);
  });

  test("a task and an app QRS does not know fail their own runs only", async () => {
    const heardAtMs = systemClock.now();
    const unknownTask = "cc000000-0000-4000-8000-000000000001";
    const unknownApp = "cc000000-0000-4000-8000-000000000002";
    const bad: RunReport[] = [
      { source: "reconcile", outcome: "failed", executionId: "dd000000-0000-4000-8000-000000000001", taskId: unknownTask, appId: unknownApp, host: "x" },
    ];
    const enricher = enricherOf();
    const seq = lastSeq();
    const events = await Promise.all([...reports.slice(0, 10), ...bad].map((r) => enricher.enrich({ ...r, heardAtMs })));
    for (const [i, e] of events.slice(0, 10).entries()) expect(comparable(e)).toEqual(comparable(alone[i]!));
    const broken = events[10]!;
    expect(broken.complete).toBe(false);
    expect(broken.missing).toContainEqual({ item: "task", reason: `no task with id ${unknownTask} on the Qlik site` });
    expect(broken.missing).toContainEqual({ item: "app", reason: `no app with id ${unknownApp} on the Qlik site` });
    // The unknown ids went in the same requests as the known ones.
    expect(requestsSince(seq).task).toBe(1);
  });

  test("a batch QRS refuses as a whole is asked again id by id; each run keeps its own result", async () => {
    sim.faults.add({ target: "qrs", method: "GET", pathContains: "app/full", status: 400, body: "bad filter", count: 1 }, Date.now());
    const heardAtMs = systemClock.now();
    const enricher = enricherOf();
    const seq = lastSeq();
    const picked = [reports[0]!, reports[RUNS_PER_TASK * 2]!, reports[RUNS_PER_TASK * 3]!];
    const events = await Promise.all(picked.map((r) => enricher.enrich({ ...r, heardAtMs })));
    for (const e of events) expect(e.complete, JSON.stringify(e.missing)).toBe(true);
    expect(events.map((e) => e.app?.name)).toEqual(["Sales", "Stock", "Costs"]);
    const appReads = sim.requests.list({ source: "qrs", sinceSeq: seq, pathContains: "app/full" });
    expect(appReads.map((r) => r.status)).toEqual([400, 200, 200, 200]);
  });

  test("when QRS is down the whole batch fails at once, each run with the reason", async () => {
    sim.faults.add({ target: "qrs", method: "GET", pathContains: "task/full", status: 503, count: 2 }, Date.now());
    const heardAtMs = systemClock.now();
    const enricher = enricherOf();
    const seq = lastSeq();
    const events = await Promise.all(reports.slice(0, 3).map((r) => enricher.enrich({ ...r, heardAtMs })));
    for (const e of events) {
      expect(e.complete).toBe(false);
      expect(e.missing.find((m) => m.item === "task")?.reason).toContain("503");
    }
    // One request and its one retry, for all three runs; nothing more is asked of a QRS that is down.
    expect(sim.requests.list({ source: "qrs", sinceSeq: seq }).length).toBe(2);
  });

  test("a request names at most 50 ids and stays under the filter length; each id gets its own rows", async () => {
    const ids = [...TASKS, ...Array.from({ length: 116 }, (_, i) => `cc000000-0000-4000-8000-${String(i).padStart(12, "0")}`)];
    for (const [maxFilterChars, most] of [
      [undefined, 50],
      [600, 10],
    ] as const) {
      const reader = createBatchReader<QrsTask>({
        what: "task",
        field: "id",
        keyOf: (t) => t.id,
        fetch: (f, o) => qrs.listTasksFull(f, o),
        clock: systemClock,
        ttlMs: 0,
        ...(maxFilterChars ? { maxFilterChars } : {}),
      });
      const seq = lastSeq();
      const rows = await Promise.all(ids.map((id) => reader.read(id)));
      expect(rows.map((r) => r.length)).toEqual(ids.map((_, i) => (i < TASKS.length ? 1 : 0)));
      const sent = sim.requests.list({ source: "qrs", sinceSeq: seq });
      const sizes = sent.map((r) => (r.query.filter ?? "").split(" or ").length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(ids.length);
      expect(Math.max(...sizes)).toBe(most);
      if (maxFilterChars) for (const r of sent) expect(encodeQueryValue(r.query.filter ?? "").length).toBeLessThanOrEqual(maxFilterChars);
      expect(reader.requests).toBe(sent.length);
    }
  });

  test("a run whose budget ends while its batch is read gives up alone; the others get their rows", async () => {
    sim.faults.add({ target: "qrs", method: "GET", pathContains: "task/full", delayMs: 400, count: 1 }, Date.now());
    const reader = createBatchReader<QrsTask>({
      what: "task",
      field: "id",
      keyOf: (t) => t.id,
      fetch: (f, o) => qrs.listTasksFull(f, o),
      clock: systemClock,
      ttlMs: 0,
    });
    const hurried = reader.read(TASKS[0]!, { signal: AbortSignal.timeout(50) });
    const patient = reader.read(TASKS[1]!, { signal: AbortSignal.timeout(10_000) });
    await expect(hurried).rejects.toThrow(/no answer from QRS for task/);
    expect((await patient).map((t) => t.name)).toEqual(["Reload Sales again"]);
  });

  test("a read answered stops listening to its caller's signal: a look's signal that outlives its reads keeps no listener of theirs", async () => {
    const reader = createBatchReader<QrsTask>({
      what: "task",
      field: "id",
      keyOf: (t) => t.id,
      fetch: (f, o) => qrs.listTasksFull(f, o),
      clock: systemClock,
      ttlMs: 0,
    });
    const look = new AbortController();
    const rows = await Promise.all([reader.read(TASKS[0]!, { signal: look.signal }), reader.read(TASKS[1]!, { signal: look.signal })]);
    expect(rows.map((r) => r.length)).toEqual([1, 1]);
    // Before, each read left two listeners (its own and its batch's) until the look's end, and its end made an error each.
    expect(getEventListeners(look.signal, "abort")).toHaveLength(0);
    look.abort();
  });

  test("each caller gets rows of its own: a change to one reaches neither the other callers nor the next read from the cache", async () => {
    const reader = createBatchReader<QrsTask>({
      what: "task",
      field: "id",
      keyOf: (t) => t.id,
      fetch: (f, o) => qrs.listTasksFull(f, o),
      clock: systemClock,
      ttlMs: 60_000,
    });
    const seq = lastSeq();
    // A run heard of before the read is served from it (notBefore), as the enrichment's runs of a burst are.
    const heardAt = systemClock.now();
    const [[first], [second]] = await Promise.all([reader.read(TASKS[0]!), reader.read(TASKS[0]!)]);
    expect(first).toEqual(second!);
    first!.name = "changed by a caller";
    first!.tags?.push({ id: "x", name: "added by a caller" });
    const [cached] = await reader.read(TASKS[0]!, { notBefore: heardAt });
    expect(sim.requests.list({ source: "qrs", sinceSeq: seq }).length).toBe(1);
    expect(second!.name).not.toBe("changed by a caller");
    expect(cached!.name).toBe(second!.name);
    expect(cached!.tags).toEqual(second!.tags);
  });
});
