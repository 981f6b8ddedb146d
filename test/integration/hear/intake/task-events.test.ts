// End to end against the simulator: every task type × outcome arrives on the bus as the right typed, enriched
// event; legacy prefixes, `;` and non-ASCII names; metrics; links.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent, TaskType } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "./harness";

let tmp: TempDir;
let h: Harness;

beforeAll(async () => {
  tmp = createTempDir();
  h = await startHarness({ dir: tmp.path });
});

afterAll(async () => {
  await h?.close();
  tmp.remove();
});

const TYPES: TaskType[] = ["reload", "externalProgram", "userSync", "distribute", "preload"];
const OUTCOMES = [
  { run: "succeed", kind: "task.succeeded", status: 7 },
  { run: "fail", kind: "task.failed", status: 8 },
  { run: "abort", kind: "task.aborted", status: 6 },
] as const;

describe("task events from the simulator", () => {
  for (const o of OUTCOMES) {
    test(`all five task types: ${o.kind}`, async () => {
      const runs = await Promise.all(TYPES.map(async (type) => ({ type, executionId: await h.runWhenIdle(IDS[type], o.run) })));
      for (const { type, executionId } of runs) {
        const e: TaskEvent = await h.eventFor(executionId);
        const ctx = `${type} ${o.run}: ${JSON.stringify(e.missing)}`;
        expect(e.kind, ctx).toBe(o.kind);
        expect(e.outcome).toBe(o.kind.slice(5) as TaskEvent["outcome"]);
        expect(e.taskType, ctx).toBe(type);
        expect(e.source).toBe("udp");
        expect(e.id).toBe(`${executionId}:${e.outcome}`);
        expect(e.complete, ctx).toBe(true);
        expect(e.missing).toEqual([]);
        expect(e.task.id).toBe(IDS[type]);
        expect(e.host).toBe("sense1.test.example");
        expect(e.execution?.statusCode, ctx).toBe(o.status);
        expect(e.execution?.startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(e.execution?.stopTime).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(e.execution?.executingNode).toBe("sense1.test.example");
        expect(e.execution?.details.length).toBeGreaterThan(0);
        if (type === "reload") {
          expect(e.task).toMatchObject({ name: "Reload Sales dashboard", tags: ["Nightly"], customProperties: [{ name: "Department", value: "Sales" }] });
          expect(e.app).toMatchObject({
            id: IDS.app,
            name: "Sales dashboard",
            stream: "Sales",
            tags: ["Finance"],
            customProperties: [{ name: "Department", value: "Sales" }],
          });
          expect(e.app?.owner).toMatchObject({ userDirectory: "CORP", userId: "anna", emails: ["anna.svensson@corp.example"] });
          expect(e.links?.hubApp).toBe(`https://sense1.test.example/sense/app/${IDS.app}`);
          expect(e.logMessage).toBeTruthy();
          // A success's log is read for the incidents' warnings (incidents.warnings, on by default); its full text is
          // not kept on the event when no route attaches it.
          if (o.run === "succeed") expect(e.scriptLog?.text).toBeUndefined();
          else {
            expect(e.scriptLog?.head.length).toBeGreaterThan(0);
            expect(e.scriptLog?.totalLines).toBeGreaterThan(2);
            if (o.run === "fail") expect(e.scriptLog?.tail.join("\n")).toContain("Cannot open file");
          }
        }
        if (type === "externalProgram")
          expect(e.task).toMatchObject({ name: "Run ERP extract", tags: ["Ops"], customProperties: [{ name: "Department", value: "IT" }] });
        if (type === "userSync") expect(e.task.name).toBe("User sync CORP");
        // Distribute and preload datagrams carry no app, but their tasks reference one in QRS: the event gets it,
        // enriched from app/full like a reload's (owner included).
        if (type === "distribute" || type === "preload") {
          expect(e.app, ctx).toMatchObject({ id: IDS.app, name: "Sales dashboard", stream: "Sales", tags: ["Finance"] });
          expect(e.app?.owner).toMatchObject({ userDirectory: "CORP", userId: "anna" });
          expect(e.links?.hubApp).toBe(`https://sense1.test.example/sense/app/${IDS.app}`);
        }
        if (type === "externalProgram" || type === "userSync") expect(e.app).toBeUndefined();
      }
    });
  }

  test("legacy appender prefixes (/scheduler-reload-failed/, /scheduler-reloadtask-success/, /scheduler-reload-aborted/)", async () => {
    h.sim.settings.udp.generation = "legacy";
    try {
      for (const [run, kind] of [
        ["fail", "task.failed"],
        ["succeed", "task.succeeded"],
        ["abort", "task.aborted"],
      ] as const) {
        const e = await h.eventFor(await h.runWhenIdle(IDS.reload, run));
        expect(e.kind).toBe(kind);
        expect(e.complete).toBe(true);
      }
      const prefixes = h.sim.udp
        .recent()
        .slice(-3)
        .map((d) => d.prefix);
      expect(prefixes).toEqual(["/scheduler-reload-failed/", "/scheduler-reloadtask-success/", "/scheduler-reload-aborted/"]);
    } finally {
      h.sim.settings.udp.generation = "current";
    }
  });

  test("`;` and non-ASCII in task names and messages; (null) for missing app fields", async () => {
    Object.assign(h.sim.settings.udp, { semicolons: true, nonAscii: true, nullForMissing: true });
    try {
      const reload = await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"));
      expect(reload.kind).toBe("task.failed");
      // The datagram's message ("…; see log; code=1") is parsed whole (the intake's counters show no rejection), but it
      // is not one the Scheduler writes for a failure, so the alert shows QRS's (src/hear/events/datagram-claims.ts).
      expect(h.sim.udp.recent().some((d) => d.text.includes("; see log; code=1") && d.text.includes(reload.executionId))).toBe(true);
      expect(reload.logMessage).toBe("Changing task state from Started to FinishedFail");
      // QRS names win over the datagram's (which had "; part 2 – Försäljning Åäö 東京" appended).
      expect(reload.task.name).toBe("Reload Sales dashboard");
      expect(reload.app?.name).toBe("Sales dashboard");
      // A misaligned split would have shifted the user field.
      expect(reload.user).toBe("INTERNAL\\sa_scheduler");
      const ext = await h.eventFor(await h.runWhenIdle(IDS.externalProgram, "succeed"));
      expect(ext.kind).toBe("task.succeeded");
      expect(ext.app).toBeUndefined();
      const sent = h.sim.udp.recent().at(-1)!.text;
      expect(sent).toContain("東京");
      expect(sent).toContain("(null)");
    } finally {
      Object.assign(h.sim.settings.udp, { semicolons: false, nonAscii: false, nullForMissing: false });
    }
  });

  test("QRS behind the Scheduler: the final state is waited for, the script log retried, the old endpoint's failure and a zero fileReferenceID tolerated", async () => {
    Object.assign(h.sim.settings.timing, { qrsLagMs: 200 });
    Object.assign(h.sim.settings.scriptLog, { notReadyMs: 120, oldEndpointFails: true, zeroFileReference: true });
    try {
      const failed = await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"));
      expect(failed).toMatchObject({ kind: "task.failed", complete: true });
      expect(failed.execution?.statusCode).toBe(8);
      expect(failed.scriptLog?.tail.join("\n")).toContain("Cannot open file");
      const ok = await h.eventFor(await h.runWhenIdle(IDS.userSync, "succeed"));
      expect(ok.execution).toMatchObject({ statusCode: 7, status: "FinishedSuccess" });
      expect(ok.execution?.durationMs).toBeGreaterThan(0);
    } finally {
      Object.assign(h.sim.settings.timing, { qrsLagMs: 0 });
      Object.assign(h.sim.settings.scriptLog, { notReadyMs: 0, oldEndpointFails: false, zeroFileReference: false });
    }
  });

  test("/metrics counts received, parsed, enriched and emitted", async () => {
    expect(await h.metric("steward_intake_datagrams_received_total")).toBeGreaterThanOrEqual(20);
    expect(await h.metric("steward_intake_datagrams_parsed_total", { kind: "scheduler" })).toBeGreaterThanOrEqual(20);
    expect(await h.metric("steward_intake_events_enriched_total", { complete: "true" })).toBeGreaterThanOrEqual(20);
    expect(await h.metric("steward_intake_events_emitted_total", { kind: "task.failed", source: "udp" })).toBeGreaterThanOrEqual(6);
    expect(await h.metric("steward_intake_queue_depth")).toBe(0);
    const ready = (await (await h.t.request("/ready")).json()) as { components: Record<string, { ok: boolean; required: boolean }> };
    expect(ready.components.qrs).toMatchObject({ ok: true, required: true });
    expect(ready.components.udp).toMatchObject({ ok: true });
  });
});
