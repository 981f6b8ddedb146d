// Issue 74: which cause a failed run is told under in the reports' "Failures by cause": only the cause that recorded it
// (its runs, or a symptom standing for that run); a task listed as waiting that then fails for its own reason is a cause
// of its own; every cause open during the span is listed, with its state; too many causes are counted, not listed.
import { expect, test } from "bun:test";
import { buildReport, CAUSE_LINES, type ReportInputs } from "../../../../src/show/report/build-report";
import { type CauseRecord, failuresByCause } from "../../../../src/show/report/failures-by-cause";
import { reportDay, reportTime } from "../../../../src/show/report/report-time";
import type { ParentRow, SymptomRow } from "../../../../src/tell/grouping/cause-store";
import type { FailedRun } from "../../../../src/tell/incidents/failed-runs";

const TO = Date.parse("2026-11-24T06:00:00Z");
const FROM = TO - 4 * 3_600_000;
const at = (hhmm: string) => Date.parse(`2026-11-24T${hhmm}:00Z`);

const parent = (id: number, title: string, closedAt: number | null): ParentRow => ({
  id,
  causeKey: `k${id}`,
  title,
  status: closedAt === null ? "open" : "closed",
  openedAt: at("02:15"),
  lastAt: at("02:30"),
  closedAt,
  firstEventId: "e",
  lastPageAt: null,
  updates: 0,
  acknowledgedAt: null,
  acknowledgedBy: null,
  acknowledgedNote: null,
});
const symptom = (parentId: number, task: string, kind: string, state: SymptomRow["state"], eventId = `ev-${task}`): SymptomRow => ({
  parentId,
  subject: `task:${task}`,
  taskName: task,
  taskId: task,
  appName: null,
  appId: null,
  stream: null,
  kind,
  eventId,
  state,
  firstAt: at("02:15"),
  lastAt: at("02:15"),
  recoveredAt: null,
});
const run = (id: string, task: string, errorClass: string | null, hhmm: string): FailedRun => ({
  executionId: id,
  outcome: "failed",
  taskId: task,
  taskName: task,
  errorClass,
  finishedAt: at(hhmm),
});

// The queue on sense2 (ended 02:40): Wait 1 and Wait 2 cancelled (runs recorded), Wait 3 cancelled just after it ended
// (listed in the ended cause by its event, no run recorded), Late 1 and Late 2 listed as waiting and later failing on
// their own. An upstream cause opened the day before, still open, holding Extract and Transform waiting for it.
const queue: CauseRecord = {
  parent: parent(7, "reload queue backed up on sense2", at("02:40")),
  symptoms: [
    { ...symptom(7, "Scheduler queue on sense2", "scheduler.queue_backlog", "recovered"), taskId: null, subject: "watch:queue:sense2" },
    symptom(7, "Wait 1", "task.cancelled_in_queue", "recovered"),
    symptom(7, "Wait 2", "task.cancelled_in_queue", "recovered"),
    symptom(7, "Wait 3", "task.cancelled_in_queue", "recovered", "r3:failed"),
    symptom(7, "Late 1", "task.waiting", "waiting"),
    symptom(7, "Late 2", "task.waiting", "waiting"),
  ],
  runIds: ["r1", "r2"],
};
const upstream: CauseRecord = {
  parent: { ...parent(3, "Extract failed: the tasks after it do not run", null), openedAt: at("01:50") - 86_400_000 },
  symptoms: [symptom(3, "Extract", "task.failed", "open"), symptom(3, "Transform", "task.waiting", "waiting")],
  runIds: ["x0"],
};
const runs = [
  run("r1", "Wait 1", "queue", "02:30"),
  run("r2", "Wait 2", "queue", "02:30"),
  run("r3", "Wait 3", "queue", "02:41"),
  run("l1", "Late 1", "connection", "02:45"),
  run("l2", "Late 2", "file", "02:45"),
  run("l2b", "Late 2", "lock", "03:45"),
];

test("a run is its cause's only when the cause recorded it; the waiting tasks' own failures are causes of one each", () => {
  const causes = failuresByCause(runs, [queue, upstream], { openTaskIds: new Set(["Late 2", "Extract"]), closedAt: new Map([["Late 1", at("03:45")]]) });
  expect(causes).toEqual([
    { title: "reload queue backed up on sense2", own: false, open: false, endedAt: at("02:40"), runs: 3, tasks: ["Wait 1", "Wait 2", "Wait 3"], heldUp: 2 },
    { title: "Late 2 failed: file, lock", own: true, open: true, runs: 2, tasks: ["Late 2"], heldUp: 0 },
    { title: "Late 1 failed: connection", own: true, open: false, endedAt: at("03:45"), runs: 1, tasks: ["Late 1"], heldUp: 0 },
    { title: "Extract failed: the tasks after it do not run", own: false, open: true, runs: 0, tasks: ["Extract"], heldUp: 1 },
  ]);
});

const inputs = (o: Partial<ReportInputs>): ReportInputs => ({
  kind: "morning",
  from: FROM,
  to: TO,
  host: "sense1",
  formatTime: (ms) => reportTime(ms, "UTC", TO),
  day: reportDay(TO, "UTC"),
  runs: [
    { appName: null, outcome: "succeeded", runs: 10 },
    { appName: null, outcome: "failed", runs: 6 },
  ],
  touched: [],
  open: [],
  notHappened: [],
  promises: [],
  slowest: [],
  growing: [],
  ...o,
});

test("each cause is one line: its runs, its state, its members, what it held up; the summary counts the causes of failures", () => {
  const causes = failuresByCause(runs, [queue, upstream], { openTaskIds: new Set(["Late 2", "Extract"]), closedAt: new Map() });
  const r = buildReport(inputs({ causes }));
  expect(r.sections!.find((s) => s.title === "Failures by cause")!.lines).toEqual([
    { text: "reload queue backed up on sense2 (3 failed runs, ended Tue 24 Nov 02:40): Wait 1, Wait 2, Wait 3; 2 more tasks held up", tone: "warn" },
    { text: "Late 2 failed: file, lock (2 failed runs, still open)", tone: "fail" },
    { text: "Late 1 failed: connection (1 failed run)", tone: "warn" },
    // No run of it failed in the span: it says it is open, not "0 failed runs".
    { text: "Extract failed: the tasks after it do not run (still open): Extract; 1 more task held up", tone: "fail" },
  ]);
  expect(r.summary).toContain("6 of 16 runs failed or aborted (3 causes)");
});

test(`past ${CAUSE_LINES} causes the rest are counted`, () => {
  const many = Array.from({ length: CAUSE_LINES + 3 }, (_, i) => run(`m${i}`, `Task ${String(i).padStart(2, "0")}`, "script", "03:00"));
  const lines = buildReport(inputs({ causes: failuresByCause(many, [], { openTaskIds: new Set(), closedAt: new Map() }) })).sections!.find(
    (s) => s.title === "Failures by cause",
  )!.lines;
  expect(lines).toHaveLength(CAUSE_LINES + 1);
  expect(lines.at(-1)!.text).toBe("… and 3 more causes (3 failed runs)");
});

test("a cause that made a freshness promise late says how far the promise went, also after the cause ended (issue 76)", () => {
  const node: CauseRecord = {
    parent: parent(9, "Qlik services down on reload01", at("02:40")),
    symptoms: [
      { ...symptom(9, "Transform orders", "task.chain_broken", "recovered"), subject: "watch:chain:t" },
      {
        ...symptom(9, "Sales", "app.freshness_recovered", "recovered"),
        taskName: null,
        taskId: null,
        appName: "Sales",
        subject: "watch:freshness:sales-morning:app-1",
      },
    ],
    runIds: [],
  };
  const causes = failuresByCause([], [node], { openTaskIds: new Set(), closedAt: new Map() });
  expect(causes[0]!.promises).toEqual(["sales-morning (Sales): fresh again"]);
  const r = buildReport(inputs({ causes }));
  expect(r.sections!.find((s) => s.title === "Failures by cause")!.lines[0]!.text).toBe(
    "Qlik services down on reload01 (ended Tue 24 Nov 02:40): Transform orders; promise sales-morning (Sales): fresh again",
  );
});

test("a cause's line says who is on it: the cause's acknowledgement, or that of one of the incidents it left open", () => {
  const acked: CauseRecord = { ...upstream, parent: { ...upstream.parent, acknowledgedAt: at("05:00"), acknowledgedBy: "anna@corp.example" } };
  const own = {
    openTaskIds: new Set(["Late 2", "Extract", "Wait 1"]),
    closedAt: new Map(),
    acknowledgedBy: new Map([
      ["Wait 1", "bob"],
      ["Late 2", "carol"],
    ]),
  };
  const causes = failuresByCause(runs, [queue, acked], own);
  const lines = buildReport(inputs({ causes }))
    .sections!.find((s) => s.title === "Failures by cause")!
    .lines.map((l) => l.text);
  expect(lines).toEqual([
    "reload queue backed up on sense2 (3 failed runs, ended Tue 24 Nov 02:40, acknowledged by bob): Wait 1, Wait 2, Wait 3; 2 more tasks held up",
    "Late 2 failed: file, lock (2 failed runs, still open, acknowledged by carol)",
    "Late 1 failed: connection (1 failed run)",
    "Extract failed: the tasks after it do not run (still open, acknowledged by anna@corp.example): Extract; 1 more task held up",
  ]);
});

test("a hub reload's cause counts its failed reloads in the span; a node's cause that held no failed run says only its state (issue 84)", () => {
  const reloads: CauseRecord = {
    parent: parent(11, "Reloads of Sales dashboard failing outside the Scheduler", null),
    symptoms: [
      { ...symptom(11, "x", "app.reload_failed", "open"), subject: "app-reload:a1", taskName: null, taskId: null, appName: "Sales dashboard", appId: "a1" },
    ],
    runIds: ["engine:n|a1|s1|t1", "engine:n|a1|s2|t2", "engine:n|a1|s0|t0"],
    reloadIds: ["engine:n|a1|s1|t1", "engine:n|a1|s2|t2"],
  };
  const node: CauseRecord = {
    parent: parent(12, "Qlik services down on sense3", null),
    symptoms: [{ ...symptom(12, "x", "service.stopped", "open"), subject: "service:sense3|qliksenseschedulerservice", taskName: null, taskId: null }],
    runIds: [],
  };
  const causes = failuresByCause([], [reloads, node], { openTaskIds: new Set(), closedAt: new Map() });
  expect(
    buildReport(inputs({ causes }))
      .sections!.find((s) => s.title === "Failures by cause")!
      .lines.map((l) => l.text),
  ).toEqual(["Reloads of Sales dashboard failing outside the Scheduler (2 failed reloads, still open)", "Qlik services down on sense3 (still open)"]);
});
