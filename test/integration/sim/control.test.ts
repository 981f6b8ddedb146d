// The control API: state, task runs with a chosen outcome, task/app edits, fault injection (5xx, delays,
// refused connections, Engine errors), the request log, settings and validation errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { canConnect, waitFor } from "../../helpers/wait-for";
import { engineClient, startTestSim, waitForStatus, XRF, USER, type TestSim } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

describe("sim control: state and runs", () => {
  test("GET / lists the endpoints; /health", async () => {
    expect((await t.control.get("/")).json().endpoints).toContain("POST /tasks/{id}/run");
    expect((await t.control.get("/health")).json()).toEqual({ ok: true, qrs: true, engine: true });
  });
  test("GET /state has tasks, executions, apps, engine reloads", async () => {
    const s = (await t.control.get("/state")).json();
    expect(s.tasks).toHaveLength(23);
    expect(s.apps).toHaveLength(14);
    expect(s.tasks.find((x: any) => x.id === SALES_TASK)).toMatchObject({
      name: "Reload Sales dashboard",
      type: "reload",
      enabled: true,
      running: false,
      lastStatusName: "NeverStarted",
    });
    expect(Array.isArray(s.executions)).toBe(true);
    expect(Array.isArray(s.engineReloads)).toBe(true);
  });
  test("POST /tasks/{id}/run with an outcome; GET /executions shows it", async () => {
    const r = await t.control.send("POST", `/tasks/${SALES_TASK}/run`, { outcome: "fail", user: "CORP\\joe" });
    expect(r.status).toBe(201);
    const { executionId, executionResultId } = r.json();
    expect((await t.control.send("POST", `/tasks/${SALES_TASK}/run`, {})).json()).toMatchObject({ reason: "running", executionId });
    await waitForStatus(t.qrs, SALES_TASK, 8);
    const ex = (await t.control.get(`/executions?taskId=${SALES_TASK}`)).json<any[]>();
    expect(ex.at(-1)).toMatchObject({ id: executionResultId, executionId, statusName: "FinishedFail", taskName: "Reload Sales dashboard" });
    expect((await t.control.get(`/tasks/${SALES_TASK}`)).json()).toMatchObject({ lastStatus: 8, running: false });
  });
  test("validation errors are 400 with details; unknown ids 404", async () => {
    const bad = await t.control.send("POST", `/tasks/${SALES_TASK}/run`, { outcome: "explode" });
    expect(bad.status).toBe(400);
    expect(bad.json().details[0]).toContain("outcome");
    expect((await t.control.send("POST", "/tasks/00000000-0000-4000-8000-000000000000/run", {})).status).toBe(404);
    expect((await t.control.get("/nope")).status).toBe(404);
    const notJson = await fetch(`${t.sim.urls.control}/faults`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });
  test("PATCH /tasks/{id} changes the fixture behaviour; PATCH /apps/{id} changes engine reloads", async () => {
    const id = (await t.control.get("/tasks")).json<any[]>().find((x) => x.name === "Reload License monitor").id;
    expect((await t.control.send("PATCH", `/tasks/${id}`, { enabled: true, outcome: { failThenSucceed: 1 } })).json()).toMatchObject({
      enabled: true,
      outcome: { failThenSucceed: 1 },
    });
    expect((await t.qrs.get(`task/${id}`)).json().enabled).toBe(true);
    await t.qrs.post(`task/${id}/start`);
    expect((await waitForStatus(t.qrs, id, [7, 8])).status).toBe(8);
    expect((await t.control.send("PATCH", `/apps/${SALES_APP}`, { reload: { outcome: "fail" } })).json().reload.outcome).toBe("fail");
    const c = await engineClient(t.sim, `/app/${SALES_APP}`);
    try {
      const doc = (await c.call("OpenDoc", [SALES_APP])).result.qReturn.qHandle;
      expect((await c.call("DoReload", [0], doc)).result.qReturn).toBe(false);
    } finally {
      c.close();
      await t.control.send("PATCH", `/apps/${SALES_APP}`, { reload: { outcome: "succeed" } });
    }
  });
});

describe("sim control: faults", () => {
  test("5xx on matching QRS paths for N requests, then normal", async () => {
    const add = await t.control.send("POST", "/faults", {
      target: "qrs",
      method: "GET",
      pathContains: "/qrs/app",
      status: 503,
      count: 2,
      body: "Service Unavailable",
    });
    expect(add.status).toBe(201);
    expect((await t.qrs.get(`app/${SALES_APP}`)).status).toBe(503);
    expect((await t.qrs.get("about")).status).toBe(200);
    const second = await t.qrs.get("app");
    expect(second.status).toBe(503);
    expect(second.text).toBe("Service Unavailable");
    expect((await t.qrs.get("app")).status).toBe(200);
    expect((await t.control.get("/faults")).json()).toEqual([]);
  });
  test("delays (timing not asserted beyond the delay itself) and time-limited faults", async () => {
    await t.control.send("POST", "/faults", { target: "qrs", pathContains: "/qrs/about", delayMs: 150, count: 1 });
    const t0 = Date.now();
    expect((await t.qrs.get("about")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await t.control.send("POST", "/faults", { target: "qrs", pathContains: "/start", status: 500, forMs: 150 });
    expect((await t.qrs.post(`task/${SALES_TASK}/start`)).status).toBe(500);
    await Bun.sleep(170);
    expect((await t.control.get("/faults")).json()).toEqual([]);
  });
  test("faults can be listed and removed", async () => {
    const f = (await t.control.send("POST", "/faults", { target: "qrs", pathContains: "/qrs/tag", status: 500 })).json();
    expect((await t.qrs.get("tag")).status).toBe(500);
    expect((await t.control.get("/faults")).json<any[]>().map((x) => x.id)).toEqual([f.id]);
    expect((await t.control.send("DELETE", `/faults/${f.id}`)).status).toBe(204);
    expect((await t.qrs.get("tag")).status).toBe(200);
    await t.control.send("POST", "/faults", { target: "qrs", status: 500 });
    expect((await t.control.send("DELETE", "/faults")).status).toBe(204);
    expect((await t.qrs.get("tag")).status).toBe(200);
  });
  test("a held request is answered once its fault is released", async () => {
    const f = (await t.control.send("POST", "/faults", { target: "qrs", pathContains: "/qrs/about", delayMs: 600_000 })).json();
    let status = 0;
    const held = t.qrs.get("about").then((r) => (status = r.status));
    await waitFor(async () => (await t.control.get("/faults")).json<Array<{ hits: number }>>()[0]?.hits === 1, { what: "the request held" });
    expect(status).toBe(0);
    expect((await t.control.send("POST", `/faults/${f.id}/release`)).status).toBe(204);
    await held;
    expect(status).toBe(200);
    expect((await t.control.get("/faults")).json()).toEqual([]);
    expect((await t.control.send("POST", `/faults/${f.id}/release`)).status).toBe(404);
  });
  test("Engine faults: JSON-RPC error on a method, refused upgrade on a path", async () => {
    await t.control.send("POST", "/faults", { target: "engine", rpcMethod: "GetDocList", rpcErrorCode: 5, body: "Access denied", count: 1 });
    const c = await engineClient(t.sim, "");
    try {
      expect((await c.call("GetDocList")).error).toEqual({ code: 5, parameter: "GetDocList", message: "Access denied" });
      expect((await c.call("GetDocList")).result.qDocList.length).toBe(14);
    } finally {
      c.close();
    }
    await t.control.send("POST", "/faults", { target: "engine", pathContains: "/app/", status: 503, count: 1 });
    await expect(engineClient(t.sim, `/app/${SALES_APP}`)).rejects.toThrow();
    const ok = await engineClient(t.sim, `/app/${SALES_APP}`);
    ok.close();
  });
  test("a listener can refuse connections for a while, and come back by itself or on request", async () => {
    const port = t.sim.ports.qrs;
    const down = await t.control.send("POST", "/listeners/qrs/down", { ms: 300 });
    expect(down.json()).toMatchObject({ up: false, backInMs: 300 });
    expect(await canConnect("127.0.0.1", port)).toBe(false);
    await waitFor(() => canConnect("127.0.0.1", port), { timeoutMs: 3_000, what: "QRS back" });
    expect((await t.qrs.get("about")).status).toBe(200);
    await t.control.send("POST", "/listeners/engine/down", {});
    expect(await canConnect("127.0.0.1", t.sim.ports.engine)).toBe(false);
    expect((await t.control.get("/health")).json().engine).toBe(false);
    await t.control.send("POST", "/listeners/engine/up", {});
    expect(await canConnect("127.0.0.1", t.sim.ports.engine)).toBe(true);
    expect((await t.control.send("POST", "/listeners/nope/down", {})).status).toBe(404);
  });
});

describe("sim control: request log, settings", () => {
  test("GET /requests filters by source, method, path and sequence; DELETE clears", async () => {
    expect((await t.control.send("DELETE", "/requests")).status).toBe(204);
    await t.qrs.get(`app/${SALES_APP}`);
    await t.qrs.post(`task/${SALES_TASK}/start/synchronous`, { ignored: true });
    const c = await engineClient(t.sim, "");
    await c.call("EngineVersion");
    c.close();
    const all = (await t.control.get("/requests")).json<any[]>();
    expect(all.map((r) => `${r.source} ${r.method} ${r.path}`)).toEqual([
      `qrs GET /qrs/app/${SALES_APP}`,
      `qrs POST /qrs/task/${SALES_TASK}/start/synchronous`,
      "engine GET /",
      "engine RPC /",
    ]);
    expect(all[1]).toMatchObject({ status: 201, body: { ignored: true }, headers: { xrfkey: XRF, user: USER, contentType: "application/json" } });
    expect(all[1].time).toMatch(/Z$/);
    expect((await t.control.get("/requests?source=qrs&method=POST")).json<any[]>()).toHaveLength(1);
    expect((await t.control.get(`/requests?path=/qrs/app`)).json<any[]>()).toHaveLength(1);
    expect((await t.control.get(`/requests?sinceSeq=${all[2].seq}`)).json<any[]>().map((r) => r.rpc?.method)).toEqual(["EngineVersion"]);
  });
  test("GET/PATCH /settings validates and applies only what was sent", async () => {
    const before = (await t.control.get("/settings")).json();
    const r = await t.control.send("PATCH", "/settings", { timing: { timeScale: 0.5 } });
    expect(r.json().timing).toMatchObject({ timeScale: 0.5, durationOverrideMs: 80 });
    expect(r.json().udp).toEqual(before.udp);
    expect((await t.control.send("PATCH", "/settings", { timing: { timeScale: -1 } })).status).toBe(400);
    expect((await t.control.send("PATCH", "/settings", { bogus: 1 })).status).toBe(400);
    await t.control.send("PATCH", "/settings", { timing: { timeScale: 1 } });
  });
});
