// Qlik's own documented example responses (qlik.dev's REST reference, verbatim in test/fixtures/qlik-cloud/, each
// file's source in its README) through Steward's Cloud parsers: each is taken, and what Steward derives from it (the
// outcome, the times, the error, the space's name, the data task's state) is what the example says.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_STATUS } from "../../../../src/hear/cloud/automation-events";
import { AutomationSchema, RunSchema } from "../../../../src/hear/cloud/automation-watch";
import { CloudReloadSchema, SpaceSchema } from "../../../../src/hear/cloud/cloud-client";
import {
  DATA_TASK_STATE,
  DataTaskDatasetsSchema,
  DataTaskListSchema,
  DataTaskStateSchema,
  DiProjectListSchema,
  lastRunOf,
} from "../../../../src/hear/cloud/data-task-read";
import { cloudReloadEvent, FINAL } from "../../../../src/hear/cloud/reload-event";
import { runError } from "../../../../src/hear/cloud/run-error";
import { readRuns } from "../../../../src/watch/watchdog/cloud-plan";

const DIR = join(import.meta.dir, "../../../fixtures/qlik-cloud");
const example = (file: string): any => JSON.parse(readFileSync(join(DIR, file), "utf8"));

describe("Reloads (qlik.dev reloads: GET /api/v1/reloads, GET /api/v1/reloads/{reloadId})", () => {
  test("the list's reload and the single reload are read as a failed run with its times and error", () => {
    const list = example("reloads-list.json");
    const one = example("reload-get.json");
    // The list page's item is the same reload as the single answer.
    expect(list.data[0]).toEqual(one);
    for (const raw of [list.data[0], one]) {
      const r = CloudReloadSchema.parse(raw);
      expect(FINAL[r.status]).toBe("failed");
      const e = cloudReloadEvent({
        tenant: { name: "corp", url: "https://corp.eu.qlikcloud.com" },
        reload: r,
        app: undefined,
        log: undefined,
        missing: [],
        nowMs: Date.parse("2020-11-03T17:01:00Z"),
        logLines: { head: 10, tail: 10 },
      });
      expect(e.kind).toBe("task.failed");
      const x = e.execution!;
      expect(x.startTime).toBe("2020-11-03T17:00:06.351Z");
      expect(x.stopTime).toBe("2020-11-03T17:00:11.865Z");
      expect(x.durationMs).toBe(5_514);
      expect(x.details.map((d) => d.message)).toEqual([
        "Qlik Cloud reload scheduled (tenant corp)",
        "EngineConnectionError: failed to complete reload: unexpected EOF",
      ]);
      expect(e.task.isPartialReload).toBe(false);
      expect(e.user).toBe("FyPG6xWp6prDU6BXQ3g7LY9gWR_YRkkx");
    }
    // The page's links are Qlik's placeholders: the next link is a string the client resolves (and refuses off the tenant).
    expect(list.links.next.href).toBe("http://example.com");
  });
});

describe("Scheduling Task runs (qlik.dev: GET /api/scheduling/tasks/{id}/runs)", () => {
  test("the run is read with its status, times and trigger (the Task example itself: cloud-task-read.test.ts)", () => {
    const page = example("scheduling-task-runs-list.json");
    expect(readRuns(page.data)).toEqual([
      {
        id: "0c42b269-51d4-453a-a8ea-55734d209aa9",
        startedMs: Date.parse("2018-03-20T09:12:28Z"),
        endedMs: Date.parse("2018-03-20T09:12:28Z"),
        status: "SUCCEEDED",
        triggeredBy: "manual",
      },
    ]);
  });
});

describe("Automations (qlik.dev: GET /api/v1/automations, deprecated; GET /api/workflows/automations, its successor)", () => {
  test("both list examples are read: the automation, its space, owner, state and last run status", () => {
    const v1 = example("automations-v1-list.json");
    const workflows = example("workflows-automations-list.json");
    expect(workflows).toEqual(v1);
    const a = AutomationSchema.parse(workflows.data[0]);
    expect(a).toMatchObject({
      id: "e0e720d0-4947-11ec-a1d2-9559fa35801d",
      state: "available",
      runMode: "triggered",
      spaceId: "5f0f78b239ff4f0001234567",
      ownerId: "sWYAHxZxhtcmBT7Ptc5xJ5I6N7HxwnEy",
      lastRunStatus: "finished",
    });
    expect(RUN_STATUS[a.lastRunStatus!]).toBe("ok");
    // The last run embedded in the automation is a run as the runs list gives it.
    expect(RunSchema.safeParse(workflows.data[0].lastRun).success).toBe(true);
  });
});

describe("Automation runs (qlik.dev: GET /api/workflows/automations/{id}/runs, and the deprecated /api/v1/… one)", () => {
  test("the run is read as a failed test run; its error array of one empty object is no error text (not '{}')", () => {
    const page = example("workflows-automation-runs-list.json");
    expect(example("automation-runs-v1-list.json")).toEqual(page);
    const r = RunSchema.parse(page.data[0]);
    expect(RUN_STATUS[r.status]).toBe("failed");
    expect([r.startTime, r.stopTime]).toEqual(["2021-12-23T12:28:21.000000Z", "2021-12-23T12:28:21.000000Z"]);
    // A test run from the editor: Steward leaves it to its author (automation-watch.ts readRuns).
    expect([r.context, r.testRun, r.isTestRun]).toEqual(["test_run", true, true]);
    // Qlik documents `error` as an array of objects whose fields it does not name; the example's element is empty.
    expect(runError(r.error)).toEqual({});
    // Qlik's example gives `duration` as a string ("9001") where its schema says integer: Steward does not read it.
    expect(page.data[0].duration).toBe("9001");
  });
});

describe("Spaces (qlik.dev: GET /api/v1/spaces)", () => {
  test("a listed space is read for its id and name (the stream of a Cloud reload's event)", () => {
    const page = example("spaces-list.json");
    expect(SpaceSchema.parse(page.data[0])).toMatchObject({ id: "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69", name: "string", type: "shared" });
  });
});

describe("Data tasks (qlik.dev: Data Integration Projects API)", () => {
  test("projects, data tasks, a runtime state and its datasets are read as Steward's watcher reads them", () => {
    const projects = DiProjectListSchema.parse(example("di-projects-list.json")).projects!;
    expect(projects.map((p) => [p.id, p.name, p.type, p.spaceId])).toEqual([["string", "string", "DATA_PIPELINE", "string"]]);
    const tasks = DataTaskListSchema.parse(example("di-tasks-list.json")).dataTasks!;
    expect(tasks.map((t) => [t.id, t.type])).toEqual([["string", "LANDING"]]);
    const run = lastRunOf(DataTaskStateSchema.parse(example("di-task-runtime-state.json")), "GET runtime/state");
    // STARTING: a run under way, neither a failure nor a recovery.
    expect(run).toMatchObject({ state: "STARTING", startTime: "2018-10-30T07:06:22Z", endTime: "2018-10-30T07:06:22Z", traceId: "string" });
    expect(DATA_TASK_STATE[run!.state]).toBe("running");
    // Its message and each error's title and detail, as one line.
    expect(run!.error).toBe("string; string: string");
    const datasets = DataTaskDatasetsSchema.parse(example("di-task-runtime-datasets.json")).datasets!;
    expect(datasets.map((d) => [d.datasetId, d.name, d.dataReadiness])).toEqual([["string", "string", "READY"]]);
  });
});
