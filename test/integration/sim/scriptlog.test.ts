// Script-log retrieval by both flows (fileReferenceId and executionResultId), the download, and the modes:
// not-ready refs, expiry, failing old endpoint, zero fileReferenceID.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestSim, waitForStatus, type TestSim } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const FAILING = "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23"; // Nightly – Försäljning, always fails
const SALES = "7552d9fc-d1bb-4975-9a38-18357de531ea";

async function lastResult(taskId: string) {
  return (await t.qrs.get(`reloadtask/${taskId}`)).json().operational.lastExecutionResult;
}

async function download(ref: string, name = "scriptlog.txt") {
  return t.qrs.get(`download/reloadtask/${ref}/${name}`);
}

describe("sim script logs", () => {
  test("old flow: scriptlog?fileReferenceId → {value} → download CRLF text with the error", async () => {
    await t.control.send("PATCH", `/tasks/${FAILING}`, { maxRetries: 0 });
    await t.qrs.post(`task/${FAILING}/start`);
    await waitForStatus(t.qrs, FAILING, 8);
    const last = await lastResult(FAILING);
    const ref = await t.qrs.get(`reloadtask/${FAILING}/scriptlog?fileReferenceId=${last.fileReferenceID}`);
    expect(ref.status).toBe(200);
    expect(Object.keys(ref.json())).toEqual(["value"]);
    const log = await download(ref.json().value);
    expect(log.status).toBe(200);
    expect(log.text.includes("\r\n")).toBe(true);
    expect(log.text.replace(/\r\n/g, "").includes("\n")).toBe(false);
    const lines = log.text.split("\r\n");
    expect(lines[0]).toMatch(/^\d{8}T\d{6}\.\d{3}[+-]\d{4} Execution started\.$/);
    expect(log.text).toContain("Error: Cannot open file: 'lib://Data/försäljning/orders_2025.qvd'");
    expect(lines.at(-2)).toMatch(/ Execution finished\.$/);
    expect(lines.at(-3)).toMatch(/ Execution Failed$/);
    expect(Buffer.byteLength(log.text, "utf8")).toBe(last.scriptLogSize);
  });

  test("new flow: scriptlogfile?executionResultId → {value} → download; any file name", async () => {
    await t.qrs.post(`task/${SALES}/start`);
    await waitForStatus(t.qrs, SALES, 7);
    const last = await lastResult(SALES);
    const ref = await t.qrs.get(`reloadtask/${SALES}/scriptlogfile?executionResultId=${last.id}`);
    expect(ref.status).toBe(200);
    const log = await download(ref.json().value, "Reload%20Sales%20dashboard.log");
    expect(log.status).toBe(200);
    expect(log.text).toContain("0007  LIB CONNECT TO 'SalesDB';");
    expect(log.text).toContain("Lines fetched");
    expect(log.text).toMatch(/ App saved\r\n/);
    expect(log.text).toContain("Reload Executed By            INTERNAL\\sa_repository");
  });

  test("each run has its own log; an unknown or foreign reference → 404", async () => {
    const first = await lastResult(SALES);
    await t.qrs.post(`task/${SALES}/start`);
    await waitForStatus(t.qrs, SALES, 7);
    const second = await lastResult(SALES);
    expect(second.fileReferenceID).not.toBe(first.fileReferenceID);
    // The first run's log is still reachable by its own ids.
    expect((await t.qrs.get(`reloadtask/${SALES}/scriptlog?fileReferenceId=${first.fileReferenceID}`)).status).toBe(200);
    expect((await t.qrs.get(`reloadtask/${SALES}/scriptlog?fileReferenceId=00000000-0000-4000-8000-000000000001`)).status).toBe(404);
    expect((await t.qrs.get(`reloadtask/${FAILING}/scriptlogfile?executionResultId=${second.id}`)).status).toBe(404);
    expect((await download("00000000-0000-4000-8000-000000000002")).status).toBe(404);
  });

  test("refs are not ready for notReadyMs and expire after expireMs", async () => {
    // The windows are read at each download, so one ref's age is put on each side of them by changing the settings:
    // windows of a few hundred milliseconds of wall time were crossed by a loaded machine between two requests.
    await t.control.send("PATCH", "/settings", { scriptLog: { notReadyMs: 3_600_000, expireMs: 7_200_000 } });
    try {
      const last = await lastResult(SALES);
      const { value } = (await t.qrs.get(`reloadtask/${SALES}/scriptlogfile?executionResultId=${last.id}`)).json();
      expect((await download(value)).status).toBe(404);
      await t.control.send("PATCH", "/settings", { scriptLog: { notReadyMs: 0 } });
      expect((await download(value)).status).toBe(200);
      await Bun.sleep(5);
      await t.control.send("PATCH", "/settings", { scriptLog: { expireMs: 1 } });
      expect((await download(value)).status).toBe(404);
    } finally {
      await t.control.send("PATCH", "/settings", { scriptLog: { notReadyMs: 0, expireMs: 300_000 } });
    }
  });

  test("oldEndpointFails forces the scriptlogfile fallback", async () => {
    await t.control.send("PATCH", "/settings", { scriptLog: { oldEndpointFails: true } });
    try {
      const last = await lastResult(SALES);
      expect((await t.qrs.get(`reloadtask/${SALES}/scriptlog?fileReferenceId=${last.fileReferenceID}`)).status).toBe(404);
      expect((await t.qrs.get(`reloadtask/${SALES}/scriptlogfile?executionResultId=${last.id}`)).status).toBe(200);
    } finally {
      await t.control.send("PATCH", "/settings", { scriptLog: { oldEndpointFails: false } });
    }
  });

  test("zeroFileReference: new runs carry the zero GUID, the log stays reachable by executionResultId", async () => {
    await t.control.send("PATCH", "/settings", { scriptLog: { zeroFileReference: true } });
    try {
      await t.qrs.post(`task/${SALES}/start`);
      await waitForStatus(t.qrs, SALES, 7);
      const last = await lastResult(SALES);
      expect(last.fileReferenceID).toBe("00000000-0000-0000-0000-000000000000");
      expect(last.scriptLogAvailable).toBe(false);
      expect((await t.qrs.get(`reloadtask/${SALES}/scriptlog?fileReferenceId=${last.fileReferenceID}`)).status).toBe(404);
      const ref = await t.qrs.get(`reloadtask/${SALES}/scriptlogfile?executionResultId=${last.id}`);
      expect((await download(ref.json().value)).status).toBe(200);
    } finally {
      await t.control.send("PATCH", "/settings", { scriptLog: { zeroFileReference: false } });
    }
  });

  test("a run with a shaped log: the control API sets its length and the line of its error", async () => {
    await t.control.send("PATCH", `/tasks/${FAILING}`, { maxRetries: 0 });
    const run = await t.control.send("POST", `/tasks/${FAILING}/run`, { outcome: "fail", durationMs: 60, scriptLog: { lines: 61, errorLine: 30 } });
    expect(run.status).toBe(201);
    await waitForStatus(t.qrs, FAILING, 8);
    const last = await lastResult(FAILING);
    const ref = await t.qrs.get(`reloadtask/${FAILING}/scriptlogfile?executionResultId=${last.id}`);
    const lines = (await download(ref.json().value)).text.split("\r\n").slice(0, -1);
    expect(lines.length).toBe(61);
    expect(lines[29]).toMatch(/^\d{8}T\d{6}\.\d{3}[+-]\d{4} {7}Error: Cannot open file: /);
    expect(lines.at(-2)).toMatch(/ Execution Failed$/);
    const bad = await t.control.send("POST", `/tasks/${FAILING}/run`, { scriptLog: { lines: 0 } });
    expect(bad.status).toBe(400);
  });

  test("the control API serves a run's log too", async () => {
    const last = await lastResult(SALES);
    const r = await t.control.get(`/executions/${last.id}/scriptlog`);
    expect(r.status).toBe(200);
    expect(r.text).toContain("Execution finished.");
  });
});
