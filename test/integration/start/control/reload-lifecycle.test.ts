// App reload jobs over time: a reload past control.reload.timeoutMs is cancelled in the Engine and fails;
// a reload running when Steward stops is "interrupted" after the restart, and finished jobs survive it.
import { afterAll, describe, expect, test } from "bun:test";
import type { ReloadJob } from "../../../../src/start/control/reload-jobs";
import { createTestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { A, startHarness, T, type Harness } from "./harness";

const open: Harness[] = [];
afterAll(async () => {
  for (const h of open) await h.close();
});

async function done(h: Harness, jobId: string): Promise<ReloadJob> {
  return waitFor(
    async () => {
      const r = await h.json<ReloadJob>(`/v4/app/reloads/${jobId}`);
      return r.body.phase === "done" ? r.body : undefined;
    },
    { what: "finished job", timeoutMs: 20_000 },
  );
}

describe("reload timeout", () => {
  test("the reload is cancelled in the Engine and the job fails with the reason; on-failure tasks run", async () => {
    const h = await startHarness("  reload: { timeoutMs: 1000, progressIntervalMs: 100 }\n");
    open.push(h);
    h.sim.repo.findApp(A.sales)!.model.reload.durationMs = 10_000;
    const seq = h.lastSeq();
    const put = await h.json<ReloadJob>(`/v4/app/${A.sales}/reload`, { method: "PUT", body: JSON.stringify({ startQSEoWTaskOnFailure: [T.onFailure] }) });
    const job = await done(h, put.body.jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toContain("control.reload.timeoutMs");
    const methods = h.engineCalls(seq).map((c) => c.method);
    expect(methods).toContain("CancelReload");
    expect(methods).not.toContain("DoSave");
    expect(h.sim.engine.reloads.at(-1)).toMatchObject({ appId: A.sales, status: "cancelled" });
    expect(job.chained).toMatchObject({ on: "failure", started: [{ taskId: T.onFailure, status: "started" }] });
    expect(h.startedInSim(seq)).toEqual([T.onFailure]);
  }, 30_000);
});

describe("restart", () => {
  test("a job running at stop is interrupted after the restart; a finished one is still there", async () => {
    const data = createTempDir();
    const h = await startHarness("", { dataDir: data.path });
    open.push(h);
    const quick = await h.json<ReloadJob>(`/v4/app/${A.finance}/reload`, { method: "PUT", body: "{}" });
    expect((await done(h, quick.body.jobId)).status).toBe("succeeded");
    h.sim.repo.findApp(A.sales)!.model.reload.durationMs = 10_000;
    const slow = await h.json<ReloadJob>(`/v4/app/${A.sales}/reload`, { method: "PUT", body: "{}" });
    await waitFor(async () => ((await h.json<ReloadJob>(`/v4/app/reloads/${slow.body.jobId}`)).body.phase === "reloading" ? true : undefined), {
      what: "reloading",
    });
    await h.t.app.stop();

    const again = createTestApp(h.configYaml);
    try {
      await again.app.start();
      const slowAfter = (await (await again.request(`/v4/app/reloads/${slow.body.jobId}`)).json()) as ReloadJob;
      expect(slowAfter).toMatchObject({ status: "interrupted", phase: "done" });
      expect(slowAfter.error).toContain("stop");
      const quickAfter = (await (await again.request(`/v4/app/reloads/${quick.body.jobId}`)).json()) as ReloadJob;
      expect(quickAfter).toMatchObject({ status: "succeeded", saved: true });
    } finally {
      await again.close();
      data.remove();
    }
  }, 30_000);
});

// Issue 66: the Engine's counts of a reload Steward runs (DoReloadEx: qNbrOfLoadedRows, qNbrOfStoredRows,
// qEndedWithMemoryConstraint, Qlik's Engine API reference) are kept on the job; a success that loaded nothing says so.
describe("the Engine's row counts", () => {
  test("kept on the job; a reload that succeeded with no rows loaded, or constrained by memory, carries a warning", async () => {
    const h = await startHarness("");
    open.push(h);
    const app = h.sim.repo.findApp(A.finance)!.model;
    Object.assign(app.reload, { loadedRows: 48_210, storedRows: 1_200 });
    const full = await h.json<ReloadJob>(`/v4/app/${A.finance}/reload`, { method: "PUT", body: "{}" });
    const ok = await done(h, full.body.jobId);
    expect(ok).toMatchObject({ status: "succeeded", rows: { loaded: 48_210, stored: 1_200 } });
    expect(ok.warning).toBeUndefined();

    Object.assign(app.reload, { loadedRows: 0, storedRows: 0, memoryConstrained: true });
    const empty = await h.json<ReloadJob>(`/v4/app/${A.finance}/reload`, { method: "PUT", body: "{}" });
    const warned = await done(h, empty.body.jobId);
    expect(warned).toMatchObject({ status: "succeeded", rows: { loaded: 0, stored: 0 }, endedWithMemoryConstraint: true });
    expect(warned.warning).toBe(
      "the reload succeeded but the Engine loaded no rows: check the script's sources and filters; the reload ended constrained by the memory it was allowed",
    );
  }, 30_000);
});
