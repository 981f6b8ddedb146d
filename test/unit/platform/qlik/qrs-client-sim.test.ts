// The typed QRS client against the simulator (mTLS, xrfkey checks, filter engine): entity reads, starts,
// execution results and both script-log flows.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createQrsClient, eq, eqString, and, compare, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { AppError } from "../../../../src/platform/core/errors";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { simCertDir } from "../../../helpers/sim-certs";

const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

let tmp: TempDir;
let sim: Simulator;
let qrs: QrsClient;

beforeAll(async () => {
  tmp = createTempDir();
  sim = await startSimulator({
    certDir: simCertDir(join(tmp.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  const cfg = QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 3000, retries: 1 });
  qrs = createQrsClient(cfg, { log: createSilentLogger(), clock: systemClock, baseDir: tmp.path, retryBaseMs: 10 });
});

afterAll(async () => {
  qrs.close();
  await sim.stop();
  tmp.remove();
});

describe("QRS client against the simulator", () => {
  test("about, task by id (condensed and full), tasks by tag and by custom property", async () => {
    expect((await qrs.about()).buildVersion).toBeTruthy();
    expect((await qrs.getTask(SALES_TASK)).name).toBe("Reload Sales dashboard");
    const full = await qrs.getTaskFull(SALES_TASK);
    expect(full.taskType).toBe(0);
    expect(full.app?.id).toBe(SALES_APP);
    expect(full.tags?.map((t) => t.name)).toContain("Butler 5.0 demo");
    const byTag = await qrs.listTasksFull(eqString("tags.name", "butler 5.0 DEMO"));
    expect(byTag.map((t) => t.id)).toContain(SALES_TASK);
    const cp = full.customProperties?.[0];
    if (cp) {
      const byCp = await qrs.listTasksFull(and(eqString("customProperties.definition.name", cp.definition.name), eqString("customProperties.value", cp.value)));
      expect(byCp.map((t) => t.id)).toContain(SALES_TASK);
    }
    expect(await qrs.listTasksFull(eqString("name", "no such task 'quoted' & #hash"))).toEqual([]);
  });

  test("typed reads: reloadtask, app (owner) and user (e-mail), tags and custom property definitions", async () => {
    const rt = await qrs.getReloadTask(SALES_TASK);
    expect(rt.name).toBe("Reload Sales dashboard");
    const app = await qrs.getApp(SALES_APP);
    expect(app.owner?.userId).toBeTruthy();
    expect((await qrs.getAppFull(SALES_APP)).stream?.name).toBe("Sales");
    const user = await qrs.getUser(app.owner!.id);
    expect(user.attributes?.some((a) => a.attributeType?.toLowerCase() === "email")).toBe(true);
    expect((await qrs.listTags()).length).toBeGreaterThan(3);
    expect((await qrs.getCustomPropertyDefinitions(eqString("objectTypes", "ReloadTask"))).length).toBeGreaterThan(0);
    const ext = sim.site.tasks.find((t) => t.taskType === 1)!;
    expect((await qrs.getExternalProgramTask(ext.id)).id).toBe(ext.id);
    const us = sim.site.tasks.find((t) => t.taskType === 2)!;
    expect((await qrs.getUserSyncTask(us.id)).id).toBe(us.id);
    await expect(qrs.getApp("00000000-0000-4000-8000-000000000001")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("start → execution result final → script log via the new flow; old flow when forced; sync start", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    await qrs.startTask(SALES_TASK);
    const result = await waitFor(
      async () => {
        const rows = await qrs.getExecutionResults(and(eq("taskID", SALES_TASK), compare("startTime", "gt", since)));
        return rows.find((r) => [6, 7, 8].includes(r.status));
      },
      { timeoutMs: 5000, what: "a final execution result" },
    );
    expect(result.executionID).toMatch(/^[0-9a-f-]{36}$/);
    const viaNew = await qrs.getScriptLog(SALES_TASK, { executionResultId: result.id, attempts: 3, retryDelayMs: 50 });
    expect(viaNew.flow).toBe("scriptlogfile");
    expect(viaNew.text).toContain("\r\n");

    // Without ids the client reads reloadtask/{id} first; with only a fileReferenceId it uses the old flow.
    const fromTask = await qrs.getScriptLog(SALES_TASK, { retryDelayMs: 50 });
    expect(fromTask.text.length).toBeGreaterThan(0);
    if (result.fileReferenceID && !/^0{8}-/.test(result.fileReferenceID)) {
      const viaOld = await qrs.getScriptLog(SALES_TASK, {
        executionResultId: "00000000-0000-0000-0000-000000000000",
        fileReferenceId: result.fileReferenceID,
        retryDelayMs: 50,
        attempts: 1,
      });
      expect(viaOld.text).toBe(viaNew.text);
    }

    const session = await qrs.startTaskSynchronous(SALES_TASK);
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(async () => !(await qrs.isExecutionSessionActive(session!)), { timeoutMs: 5000, what: "the sync run to end" });
  });

  test("script log not ready yet is retried until it is", async () => {
    // Not ready until the client has been refused once: a window in wall time would be over before a slow machine
    // downloaded the log at all.
    sim.settings.scriptLog.notReadyMs = 3_600_000;
    const since = sim.requests.list().at(-1)?.seq ?? 0;
    try {
      const reading = qrs.getScriptLog(SALES_TASK, { retryDelayMs: 20, attempts: 1_000 });
      await waitFor(() => sim.requests.list({ sinceSeq: since, pathContains: "/download/reloadtask/" }).some((r) => r.status === 404), {
        timeoutMs: 20_000,
        what: "a download refused as not ready",
      });
      sim.settings.scriptLog.notReadyMs = 0;
      const r = await reading;
      expect(r.attempts).toBeGreaterThan(1);
      expect(r.text.length).toBeGreaterThan(0);
    } finally {
      sim.settings.scriptLog.notReadyMs = 0;
    }
  });

  test("injected 500s are retried; an unknown task start is NOT_FOUND", async () => {
    sim.faults.add({ target: "qrs", pathContains: "/qrs/about", status: 500, count: 1 }, Date.now());
    expect((await qrs.about()).buildVersion).toBeTruthy();
    const err = await qrs.startTask("00000000-0000-4000-8000-000000000009").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
  });
});
