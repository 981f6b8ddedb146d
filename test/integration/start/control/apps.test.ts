// App reloads and dumps through the simulator's Engine: full and partial reloads as jobs with chained tasks on
// success and on failure (asserted in the simulator's request log), app dump sections, app list, audit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ReloadJob } from "../../../../src/start/control/reload-jobs";
import { waitFor } from "../../../helpers/wait-for";
import { A, startHarness, T, type Harness } from "./harness";
import { wallLimit } from "../../../helpers/time-limit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function reload(appId: string, body: unknown): Promise<{ status: number; job: ReloadJob & { statusUrl: string } }> {
  const r = await h.json<ReloadJob & { statusUrl: string }>(`/v4/app/${appId}/reload`, { method: "PUT", body: JSON.stringify(body) });
  return { status: r.status, job: r.body };
}

async function finished(jobId: string): Promise<ReloadJob> {
  return waitFor(
    async () => {
      const r = await h.json<ReloadJob>(`/v4/app/reloads/${jobId}`);
      return r.body.phase === "done" ? r.body : undefined;
    },
    { what: `reload job ${jobId}`, timeoutMs: 20_000 },
  );
}

/** The Engine calls made on the socket that reloaded `appId` since `seq`. */
const reloadCalls = (seq: number) => h.engineCalls(seq).map((c) => c.method);

describe("app reload", () => {
  test(
    "full reload: 201 with a job, progress while running, DoSave, then the on-success task (not the on-failure one)",
    async () => {
      const seq = h.lastSeq();
      const { status, job } = await reload(A.sales, {
        reloadMode: 0,
        partialReload: false,
        startQSEoWTaskOnSuccess: [T.onSuccess],
        startQSEoWTaskOnFailure: [T.onFailure],
      });
      expect(status).toBe(201);
      expect(job).toMatchObject({ appId: A.sales, statusUrl: `/v4/app/reloads/${job.jobId}`, requestedBy: { kind: "anonymous", name: "anonymous" } });
      expect(["queued", "running"]).toContain(job.status);
      const running = await waitFor(
        async () => {
          const r = await h.json<ReloadJob>(`/v4/app/reloads/${job.jobId}`);
          return r.body.status === "running" && r.body.phase === "reloading" ? r.body : undefined;
        },
        { what: "running job" },
      );
      expect(running.startedAt).toBeDefined();
      const done = await finished(job.jobId);
      expect(done).toMatchObject({ status: "succeeded", saved: true, request: { partialReload: false, reloadMode: 0 } });
      expect(done.durationMs).toBeGreaterThan(0);
      expect(done.progress?.elapsedMs).toBeGreaterThan(0);
      expect(done.scriptLogTail.join("\n")).toContain("Lines fetched");
      expect(done.chained).toMatchObject({ on: "success", started: [{ taskId: T.onSuccess, status: "started" }] });

      const calls = h.engineCalls(seq);
      const doReload = calls.find((c) => c.method === "DoReloadEx");
      expect(doReload?.params).toEqual([{ qMode: 0, qPartial: false, qDebug: false }]);
      const methods = calls.map((c) => c.method);
      expect(methods).toContain("OpenDoc");
      expect(methods).toContain("GetProgress");
      expect(methods.indexOf("DoSave")).toBeGreaterThan(methods.indexOf("DoReloadEx"));
      expect(h.startedInSim(seq)).toEqual([T.onSuccess]);
      // The save happened before the chained start: the QRS start came after DoSave in the simulator's log.
      const log = h.sim.requests.list({ sinceSeq: seq });
      const saveSeq = log.find((r) => r.rpc?.method === "DoSave")!.seq;
      const startSeq = log.find((r) => r.source === "qrs" && r.method === "POST" && r.path.includes(T.onSuccess))!.seq;
      expect(startSeq).toBeGreaterThan(saveSeq);
    },
    wallLimit(30_000),
  );

  test(
    "partial reload: qPartial true, mode passed through",
    async () => {
      const seq = h.lastSeq();
      const { status, job } = await reload(A.finance, { reloadMode: 1, partialReload: true, startQSEoWTaskOnSuccess: [T.onSuccess] });
      expect(status).toBe(201);
      const done = await finished(job.jobId);
      expect(done).toMatchObject({ status: "succeeded", saved: true, request: { partialReload: true, reloadMode: 1 } });
      expect(h.engineCalls(seq).find((c) => c.method === "DoReloadEx")?.params).toEqual([{ qMode: 1, qPartial: true, qDebug: false }]);
      const simReload = h.sim.engine.reloads.at(-1)!;
      expect(simReload).toMatchObject({ appId: A.finance, partial: true, status: "succeeded" });
      expect(h.startedInSim(seq)).toEqual([T.onSuccess]);
    },
    wallLimit(30_000),
  );

  test(
    "a failing reload: no save, the on-failure task starts, the error is on the job",
    async () => {
      const seq = h.lastSeq();
      const { job } = await reload(A.hrFails, { startQSEoWTaskOnSuccess: [T.onSuccess], startQSEoWTaskOnFailure: [T.onFailure] });
      const done = await finished(job.jobId);
      expect(done.status).toBe("failed");
      expect(done.saved).toBeUndefined();
      // The Engine's own script error, not just "DoReload returned false": Steward asks for error data
      // (ConfigureReload) before the reload and reads the final progress after it.
      expect(done.error).toStartWith("the load script failed: Cannot open file: 'lib://Data/hr.qvd'");
      expect(done.scriptLogTail.join("\n")).toContain("Error: Cannot open file: 'lib://Data/hr.qvd'");
      const calls = h.engineCalls(seq);
      expect(calls.find((c) => c.method === "ConfigureReload")?.params).toEqual([true, true, false]);
      expect(calls.findIndex((c) => c.method === "ConfigureReload")).toBeLessThan(calls.findIndex((c) => c.method === "DoReloadEx"));
      expect(done.chained).toMatchObject({ on: "failure", started: [{ taskId: T.onFailure, status: "started" }] });
      expect(reloadCalls(seq)).not.toContain("DoSave");
      expect(h.startedInSim(seq)).toEqual([T.onFailure]);
    },
    wallLimit(30_000),
  );

  test(
    "an unknown app: the job fails with the Engine's answer; on-failure tasks still start",
    async () => {
      const seq = h.lastSeq();
      const { job } = await reload("d4000000-0000-4000-8000-000000000001", { startQSEoWTaskOnFailure: [T.onFailure] });
      const done = await finished(job.jobId);
      expect(done.status).toBe("failed");
      expect(done.error).toMatch(/not found|1003/i);
      expect(h.startedInSim(seq)).toEqual([T.onFailure]);
    },
    wallLimit(30_000),
  );

  test("bad ids are 400 before anything runs; unknown jobs are 404", async () => {
    const seq = h.lastSeq();
    expect((await reload("not-an-app", {})).status).toBe(400);
    const badTask = await h.json<{ error: string }>(`/v4/app/${A.sales}/reload`, {
      method: "PUT",
      body: JSON.stringify({ startQSEoWTaskOnSuccess: ["nope"] }),
    });
    expect(badTask.status).toBe(400);
    expect(badTask.body.error).toBe("Invalid task ID format");
    expect((await h.json(`/v4/app/${A.sales}/reload`, { method: "PUT", body: JSON.stringify({ reloadMode: 3 }) })).status).toBe(400);
    expect((await h.json("/v4/app/reloads/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect(h.engineCalls(seq)).toEqual([]);
  });

  test("jobs are listed, newest first, and audited with who asked", async () => {
    const list = await h.json<{ jobs: ReloadJob[] }>(`/v4/app/reloads?appId=${A.sales}`);
    expect(list.body.jobs.length).toBeGreaterThanOrEqual(1);
    expect(list.body.jobs.every((j) => j.appId === A.sales)).toBe(true);
    const audit = await h.json<{ entries: Array<{ action: string; target: string; result: string; actor: { kind: string }; details: { jobId: string } }> }>(
      "/v4/audit?action=app.reload",
    );
    const results = audit.body.entries.map((e) => `${e.target}:${e.result}`);
    expect(results).toContain(`${A.sales}:ok`);
    expect(results).toContain(`${A.finance}:ok`);
    expect(results).toContain(`${A.hrFails}:failed`);
    const chained = await h.json<{ entries: Array<{ actor: { kind: string; name: string }; target: string; result: string }> }>(
      `/v4/audit?action=task.start&actorKind=chain`,
    );
    expect(chained.body.entries.map((e) => e.target)).toContain(T.onFailure);
    expect(chained.body.entries[0]!.actor.name).toContain("app reload");
  });
});

describe("app dump and list", () => {
  const SECTIONS = [
    "properties",
    "loadScript",
    "lineage",
    "sheets",
    "stories",
    "masterobjects",
    "appprops",
    "dimensions",
    "measures",
    "bookmarks",
    "embeddedmedia",
    "snapshots",
    "fields",
    "dataconnections",
    "variables",
    "appId",
  ];

  test("every section of spec §3.4 is present and filled from the app", async () => {
    const seq = h.lastSeq();
    const r = await h.json<Record<string, unknown>>(`/v4/app/${A.sales}/dump`);
    expect(r.status).toBe(200);
    for (const s of SECTIONS) expect(r.body).toHaveProperty(s);
    const d = r.body as {
      appId: string;
      loadScript: string;
      properties: { qTitle?: string };
      sheets: unknown[];
      stories: unknown[];
      masterobjects: unknown[];
      dimensions: Array<{ qDim?: { qFieldDefs?: string[] } }>;
      measures: Array<{ qMeasure?: { qDef?: string } }>;
      bookmarks: Array<{ qData?: { qBookMark?: unknown } }>;
      snapshots: unknown[];
      embeddedmedia: Array<{ qUrlDef: string }>;
      fields: unknown[];
      dataconnections: unknown[];
      variables: Array<{ qName?: string }>;
    };
    expect(d.appId).toBe(A.sales);
    expect(d.properties.qTitle).toBe("Sales dashboard");
    expect(d.loadScript).toBe(h.sim.repo.findApp(A.sales)!.script);
    expect(d.sheets).toHaveLength(2);
    expect(d.stories).toHaveLength(1);
    expect(d.masterobjects).toHaveLength(1);
    expect(d.dimensions[0]!.qDim?.qFieldDefs).toEqual(["Region"]);
    expect(d.measures[0]!.qMeasure?.qDef).toBe("Sum(Sales)");
    expect(d.bookmarks).toHaveLength(1);
    expect(d.bookmarks[0]!.qData?.qBookMark).toBeDefined();
    expect(d.snapshots).toHaveLength(1);
    expect(d.embeddedmedia.map((m) => m.qUrlDef)).toEqual(["/media/Logo.png"]);
    expect(d.fields.length).toBeGreaterThan(0);
    expect(d.dataconnections.length).toBeGreaterThan(0);
    expect(d.variables.map((v) => v.qName)).toContain("vToday");
    // Opened without data, on the engineData path, as the dump must not load the app's data.
    const open = h.engineCalls(seq).find((c) => c.method === "OpenDoc");
    expect(open?.params).toEqual([A.sales, "", "", "", true]);
    expect(h.engineCalls(seq).map((c) => c.method)).not.toContain("DoReloadEx");
  });

  test("the Butler alias gives the same dump; an unknown app is 404; a malformed id 400; both are audited", async () => {
    const a = await h.json<{ loadScript: string }>(`/v4/senseappdump/${A.finance}`);
    expect(a.status).toBe(200);
    expect(a.body.loadScript).toBe(h.sim.repo.findApp(A.finance)!.script);
    expect((await h.json("/v4/app/d4000000-0000-4000-8000-000000000001/dump")).status).toBe(404);
    expect((await h.json("/v4/app/nope/dump")).status).toBe(400);
    const audit = await h.json<{ entries: Array<{ target: string; result: string }> }>("/v4/audit?action=app.dump");
    expect(audit.body.entries.map((e) => `${e.target}:${e.result}`)).toEqual([
      "nope:failed",
      "d4000000-0000-4000-8000-000000000001:failed",
      `${A.finance}:ok`,
      `${A.sales}:ok`,
    ]);
  });

  test("list apps on both paths", async () => {
    for (const path of ["/v4/apps/list", "/v4/senselistapps"]) {
      const r = await h.json<Array<{ id: string; name: string }>>(path);
      expect(r.status).toBe(200);
      expect(r.body.map((x) => x.id).sort()).toEqual([A.sales, A.finance, A.hrFails].sort());
      expect(r.body.find((x) => x.id === A.sales)?.name).toBe("Sales dashboard");
    }
  });
});
