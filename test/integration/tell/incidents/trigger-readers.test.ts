// The trigger lookups' reads against the simulator's QRS: tasks asked for together share one request and each gets
// its own triggers; chain rules asked for together share one request and each gets exactly the upstream runs its own
// window and outcome match; a read begun before a run was heard of never answers for it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Simulator } from "../../../../src/sim";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { QrsClient } from "../../../../src/platform/qlik";
import { and, compare, eq } from "../../../../src/platform/qlik/qrs-filter";
import { triggerOf } from "../../../../src/tell/incidents/started-by-trigger";
import { createTriggerReaders } from "../../../../src/tell/incidents/trigger-readers";
import { simControl } from "../../../helpers/sim-control";
import { startSimWithQrs } from "../../../helpers/sim-with-qrs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const UPSTREAM = "cc000000-0000-4000-8000-000000000001";
const NIGHTLY = "cc000000-0000-4000-8000-000000000002";
const CHAINED = "cc000000-0000-4000-8000-000000000003";
const EXTERNAL = "cc000000-0000-4000-8000-000000000004";

const SITE = `
site: { name: Trigger reads, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna }
apps:
  - { name: Data, owner: CORP\\anna }
tasks:
  - { id: ${UPSTREAM}, name: Extract, type: reload, app: Data }
  - { id: ${NIGHTLY}, name: Nightly load, type: reload, app: Data, outcome: fail, triggers: [{ type: schema, name: Nightly at 02:00, incrementOption: daily, startDate: "2025-01-01T02:00:00.000", timeZone: UTC }, { type: schema, name: Weekly, incrementOption: weekly, startDate: "2025-01-01T03:00:00.000", timeZone: UTC }] }
  - { id: ${CHAINED}, name: Transform, type: reload, app: Data, outcome: fail, triggers: [{ type: composite, name: After extract, timeConstraint: { minutes: 30 }, rules: [{ task: Extract, state: success }] }] }
  - { id: ${EXTERNAL}, name: Export, type: externalProgram, path: "C:\\\\x.cmd", triggers: [{ type: schema, name: Export hourly, incrementOption: hourly, startDate: "2025-01-01T00:00:00.000", timeZone: UTC }] }
`;

let tmp: TempDir;
let sim: Simulator;
let qrs: QrsClient;
const log = createSilentLogger();
const scheduler = { kind: "scheduler", user: "INTERNAL\\sa_scheduler", text: "a trigger or task chain" } as const;

beforeAll(async () => {
  tmp = createTempDir("steward-trigger-readers-");
  ({ sim, qrs } = await startSimWithQrs(SITE, tmp.path));
});

afterAll(async () => {
  qrs?.close();
  await sim?.stop();
  tmp?.remove();
});

const lastSeq = () => sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
const requestsSince = (seq: number, path: string) => sim.requests.list({ source: "qrs", sinceSeq: seq }).filter((r) => r.path === path);

/** Runs the task to its end; its execution as the simulator keeps it. */
async function runToEnd(taskId: string, outcome: "succeed" | "fail") {
  await waitFor(() => !sim.tasks.isRunning(taskId), { timeoutMs: 5000, what: `${taskId} to be idle` });
  const r = sim.tasks.start(taskId, { outcome, durationMs: 20 });
  if (!r.started) throw new Error(`not started: ${r.reason}`);
  await waitFor(() => !sim.tasks.isRunning(taskId), { timeoutMs: 5000, what: `${taskId} to end` });
  return sim.repo.executions.get(r.executionId.toLowerCase()) ?? [...sim.repo.executions.values()].find((e) => e.executionID === r.executionId)!;
}

test("the triggers of tasks asked for together come in one request per task type, each task with its own", async () => {
  const readers = createTriggerReaders(qrs, systemClock);
  const seq = lastSeq();
  const o = { timeoutMs: 5000 };
  const [nightly, chained, upstream, external] = await Promise.all([
    readers.schedules("reloadTask", NIGHTLY, o),
    readers.schedules("reloadTask", CHAINED, o),
    readers.schedules("reloadTask", UPSTREAM, o),
    readers.schedules("externalProgramTask", EXTERNAL, o),
  ]);
  expect(nightly.map((s) => s.name).sort()).toEqual(["Nightly at 02:00", "Weekly"]);
  expect(chained).toEqual([]);
  expect(upstream).toEqual([]);
  expect(external.map((s) => s.name)).toEqual(["Export hourly"]);
  const reads = requestsSince(seq, "/qrs/schemaevent/full");
  expect(reads.map((r) => r.query.filter).sort()).toEqual([
    `(reloadTask.id eq ${NIGHTLY}) or (reloadTask.id eq ${CHAINED}) or (reloadTask.id eq ${UPSTREAM})`,
    `externalProgramTask.id eq ${EXTERNAL}`,
  ]);
  // Kept: the same tasks asked for again (for runs heard of before the read) cost nothing.
  const again = await readers.chains("reloadTask", CHAINED, o);
  expect(again.map((c) => [c.name, c.compositeRules[0]?.reloadTask?.name])).toEqual([["After extract", "Extract"]]);
  await readers.schedules("reloadTask", CHAINED, { ...o, notBefore: 0 });
  expect(requestsSince(seq, "/qrs/schemaevent/full")).toHaveLength(2);
});

test("chain rules asked for together share one request; each gets exactly what its own clause matches in QRS", async () => {
  const ok = await runToEnd(UPSTREAM, "succeed");
  const failed = await runToEnd(UPSTREAM, "fail");
  const readers = createTriggerReaders(qrs, systemClock);
  const stop = ok.stopMs!;
  const asks = [
    { taskId: UPSTREAM, status: 7, fromMs: stop - 60_000, toMs: stop + 1 },
    { taskId: UPSTREAM, status: 7, fromMs: stop + 1, toMs: stop + 60_000 },
    { taskId: UPSTREAM, status: 8, fromMs: stop - 60_000, toMs: failed.stopMs! + 1 },
    { taskId: UPSTREAM, status: 8, fromMs: stop - 60_000, toMs: stop },
    { taskId: CHAINED, status: 7, fromMs: stop - 60_000, toMs: stop + 60_000 },
  ];
  const seq = lastSeq();
  const answers = await Promise.all(asks.map((a) => readers.upstreamRuns(a, { timeoutMs: 5000 })));
  expect(requestsSince(seq, "/qrs/executionresult/full")).toHaveLength(1);
  // Each as QRS answers its clause alone.
  for (const [i, a] of asks.entries()) {
    const alone = await qrs.getExecutionResults(
      and(
        eq("taskID", a.taskId),
        compare("status", "eq", a.status),
        compare("stopTime", "ge", new Date(a.fromMs).toISOString()),
        compare("stopTime", "le", new Date(a.toMs).toISOString()),
      ),
    );
    expect(answers[i]!.map((r) => r.id).sort()).toEqual(alone.map((r) => r.id).sort());
  }
  expect(answers.map((rows) => rows.length)).toEqual([1, 0, 1, 0, 0]);
});

test("a read begun before the run was heard of does not answer for it; one begun after does; nothing is guessed", async () => {
  const readers = createTriggerReaders(qrs, systemClock);
  const early = await readers.schedules("reloadTask", NIGHTLY, { timeoutMs: 5000 });
  expect(early.find((s) => s.name === "Nightly at 02:00")?.operational?.lastEventDate).toStartWith("1753-");
  const nightlyId = sim.repo.tasks.get(NIGHTLY)!.model.triggers.find((t) => t.name === "Nightly at 02:00")!.id;
  await waitFor(() => !sim.tasks.isRunning(NIGHTLY), { timeoutMs: 5000, what: "the nightly task to be idle" });
  await simControl(sim, "POST", `/triggers/${nightlyId}/fire`);
  await waitFor(() => !sim.tasks.isRunning(NIGHTLY), { timeoutMs: 5000, what: "the nightly run to end" });
  const run = [...sim.repo.executions.values()].filter((e) => e.taskId.toLowerCase() === NIGHTLY).at(-1)!;
  const heard = systemClock.now();
  const seq = lastSeq();
  // The early rows (no fire yet) are still kept, but the run was heard of after they were read: QRS is asked again.
  const startedBy = await triggerOf(readers, { taskId: NIGHTLY, taskType: "reload", startMs: run.startMs! }, scheduler, log, { notBefore: heard });
  expect(startedBy).toEqual({ ...scheduler, trigger: { type: "schedule", name: "Nightly at 02:00" }, text: 'the trigger "Nightly at 02:00"' });
  expect(requestsSince(seq, "/qrs/schemaevent/full")).toHaveLength(1);
  // A run that started long after the trigger's last fire, of a task with no chain: no trigger named.
  const later = await triggerOf(readers, { taskId: NIGHTLY, taskType: "reload", startMs: run.startMs! + 10 * 60_000 }, scheduler, log, { notBefore: heard });
  expect(later).toEqual(scheduler);
});
