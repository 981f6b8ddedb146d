// Every QRS endpoint of the spec's table answers with the documented JSON shape for the default site.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { f, startTestSim, waitForStatus, type TestSim } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const SALES_TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("sim QRS: tasks", () => {
  test("GET task (condensed) has id, name, taskType, enabled, privileges for all five types", async () => {
    const r = await t.qrs.get("task");
    expect(r.status).toBe(200);
    const tasks = r.json<any[]>();
    expect(tasks.length).toBe(23);
    expect(new Set(tasks.map((x) => x.taskType))).toEqual(new Set([0, 1, 2, 3, 4]));
    for (const x of tasks) {
      expect(x.id).toMatch(GUID);
      expect(typeof x.name).toBe("string");
      expect(typeof x.enabled).toBe("boolean");
      expect(x.privileges).toBeNull();
      expect(x).not.toHaveProperty("customProperties");
    }
  });

  test("GET task/full has the spec §2.8.1 shape", async () => {
    const [task] = (await t.qrs.get(`task/full?${f(`id eq ${SALES_TASK}`)}`)).json<any[]>();
    expect(task).toMatchObject({
      id: SALES_TASK,
      name: "Reload Sales dashboard",
      taskType: 0,
      enabled: true,
      taskSessionTimeout: 1440,
      maxRetries: 0,
      isManuallyTriggered: false,
      isPartialReload: false,
      privileges: null,
      schemaPath: "ReloadTask",
      app: { id: SALES_APP, name: "Sales dashboard", published: true, stream: { id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", name: "Sales" } },
    });
    expect(task.createdDate).toMatch(ISO);
    expect(task.modifiedDate).toMatch(ISO);
    expect(task.modifiedByUserName).toBe("INTERNAL\\sa_repository");
    expect(task.tags.map((x: any) => x.name)).toEqual(["Butler 5.0 demo", "startTask1", "daily-reports"]);
    expect(task.tags[0].id).toBe("11111111-2222-4333-8444-555555555555");
    const cp = task.customProperties.find((c: any) => c.definition.name === "Butler_SuccessReloadTask_InfluxDB");
    expect(cp).toMatchObject({ value: "Yes", schemaPath: "CustomPropertyValue", definition: { valueType: "Text", choiceValues: ["Yes", "No"] } });
    expect(task.operational.nextExecution).toMatch(ISO);
    expect(task.operational.nextExecution.startsWith("1753")).toBe(false);
    const last = task.operational.lastExecutionResult;
    expect(last).toMatchObject({
      status: 0,
      startTime: "1753-01-01T00:00:00.000Z",
      stopTime: "1753-01-01T00:00:00.000Z",
      duration: 0,
      fileReferenceID: "00000000-0000-0000-0000-000000000000",
      details: [],
    });
  });

  test("task/count, ?privileges=true, orderby", async () => {
    expect((await t.qrs.get("task/count")).json()).toEqual({ value: 23 });
    expect((await t.qrs.get(`task/count?${f("taskType eq 4")}`)).json()).toEqual({ value: 2 });
    const withPriv = (await t.qrs.get("tag?privileges=true")).json<any[]>();
    expect(Array.isArray(withPriv[0].privileges)).toBe(true);
    const ordered = (await t.qrs.get("task?orderby=name%20desc")).json<any[]>().map((x) => x.name);
    expect(ordered).toEqual([...ordered].sort((a, b) => b.localeCompare(a)));
  });

  test("reloadtask, externalprogramtask, usersynctask lists, /full and /{id}", async () => {
    const reload = (await t.qrs.get("reloadtask")).json<any[]>();
    expect(reload.every((x) => x.taskType === 0)).toBe(true);
    expect((await t.qrs.get("reloadtask/full")).json<any[]>().length).toBe(reload.length);
    const one = (await t.qrs.get(`reloadtask/${SALES_TASK}`)).json();
    expect(one.operational.lastExecutionResult).toBeDefined();
    const ext = (await t.qrs.get("externalprogramtask/full")).json<any[]>();
    expect(ext.length).toBe(2);
    expect(ext[0]).toMatchObject({ taskType: 1, schemaPath: "ExternalProgramTask", path: "C:\\Scripts\\erp-extract.cmd" });
    expect(ext[0]).not.toHaveProperty("app");
    expect((await t.qrs.get(`externalprogramtask/${ext[0].id}`)).json().id).toBe(ext[0].id);
    const us = (await t.qrs.get("usersynctask/full")).json<any[]>();
    expect(us.map((x) => x.userDirectory.name)).toEqual(["CORP", "AZUREAD"]);
    expect((await t.qrs.get("usersynctask/6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098")).json().name).toBe("User sync CORP");
    // Wrong type for the endpoint → 404; preload and distribute ids are served leniently by reloadtask/{id} (spec §6).
    expect((await t.qrs.get(`usersynctask/${SALES_TASK}`)).status).toBe(404);
    expect((await t.qrs.get("reloadtask/1f0d8a44-62c9-4b0e-a5e7-2c1e0b7d9a35")).json().taskType).toBe(4);
    expect((await t.qrs.get("reloadtask/8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918")).json().taskType).toBe(3);
  });
});

describe("sim QRS: apps, users, tags, custom properties", () => {
  test("app, app/full, app/{id}", async () => {
    const condensed = (await t.qrs.get("app")).json<any[]>();
    expect(condensed.length).toBe(14);
    expect(condensed[0]).not.toHaveProperty("owner");
    const [full] = (await t.qrs.get(`app/full?${f(`id eq ${SALES_APP}`)}`)).json<any[]>();
    expect(full).toMatchObject({
      id: SALES_APP,
      name: "Sales dashboard",
      description: "Daily sales by region, product and sales rep.",
      published: true,
      stream: { name: "Sales" },
      owner: { userId: "anna", userDirectory: "CORP", name: "Anna Svensson" },
      schemaPath: "App",
    });
    expect(full.fileSize).toBeGreaterThan(0);
    expect(full.lastReloadTime).toMatch(ISO);
    expect(full.publishTime).toMatch(ISO);
    expect(full.tags.map((x: any) => x.name)).toEqual(["Sales", "Butler 5.0 demo"]);
    expect(full.customProperties.map((c: any) => `${c.definition.name}=${c.value}`)).toEqual(["Department=Sales", "Butler_FailedTaskAlert_Email=Team Sales"]);
    const byId = (await t.qrs.get(`app/${SALES_APP}`)).json();
    expect(byId.owner.id).toBe(full.owner.id);
    const unpublished = (await t.qrs.get(`app/full?${f("published eq false")}`)).json<any[]>();
    expect(unpublished.every((a) => a.stream === null && a.publishTime.startsWith("1753"))).toBe(true);
  });

  test("user and user/{id} with email attributes", async () => {
    const users = (await t.qrs.get("user")).json<any[]>();
    // The site's 8, and the INTERNAL service accounts QRS lists beside them (sa_scheduler is one of the 8 already).
    expect(users.length).toBe(13);
    expect(users.filter((u) => u.userDirectory === "INTERNAL").map((u) => u.userId)).toContain("sa_repository");
    const [joe] = (await t.qrs.get(`user/full?${f("userId eq 'joe'")}`)).json<any[]>();
    const one = (await t.qrs.get(`user/${joe.id}`)).json();
    expect(one).toMatchObject({
      userId: "joe",
      userDirectory: "CORP",
      name: "Joe Bloggs",
      inactive: false,
      removedExternally: false,
      blacklisted: false,
      schemaPath: "User",
    });
    expect(one.attributes.map((a: any) => `${a.attributeType}:${a.attributeValue}`)).toEqual([
      "Email:joe.bloggs@corp.example",
      "Email:joe@corp-finance.example",
    ]);
    expect(one.tags.map((x: any) => x.name)).toEqual(["Finance"]);
    const sa = (await t.qrs.get(`user/full?${f("userId eq 'sa_scheduler'")}`)).json<any[]>();
    expect(sa[0].attributes).toEqual([]);
  });

  test("tag, custompropertydefinition and /full", async () => {
    const tags = (await t.qrs.get("tag")).json<any[]>();
    expect(tags.map((x) => x.name)).toContain("Butler 5.0 demo");
    expect((await t.qrs.get("tag/full")).json<any[]>()[0].schemaPath).toBe("Tag");
    const defs = (await t.qrs.get(`custompropertydefinition/full?${f("objectTypes eq 'ReloadTask'")}`)).json<any[]>();
    expect(defs.map((d) => d.name)).toContain("Butler_SuccessReloadTask_InfluxDB");
    expect(defs.every((d) => d.objectTypes.includes("ReloadTask"))).toBe(true);
    const [tg] = (await t.qrs.get(`custompropertydefinition/full?${f("name eq 'taskGroup'")}`)).json<any[]>();
    expect(tg).toMatchObject({
      name: "taskGroup",
      valueType: "Text",
      choiceValues: ["financial-reports", "operational-dashboards", "regulatory-compliance"],
      schemaPath: "CustomPropertyDefinition",
    });
    const condensed = (await t.qrs.get("custompropertydefinition")).json<any[]>();
    expect(condensed[0]).not.toHaveProperty("objectTypes");
    expect((await t.qrs.get("stream")).json<any[]>().length).toBe(6);
    expect((await t.qrs.get("servernodeconfiguration/full")).json<any[]>().map((n) => n.hostName)).toEqual([
      "sense1.corp.example",
      "sense2.corp.example",
      "SENSE3",
    ]);
  });
});

describe("sim QRS: license and about", () => {
  test("license has isExpired and a Valid To line", async () => {
    const l = (await t.qrs.get("license")).json();
    expect(l).toMatchObject({
      serial: "9999000000001234",
      name: "Corp Qlik Sense",
      organization: "Corp Example AB",
      isBlacklisted: false,
      isInvalid: false,
      schemaPath: "License",
    });
    expect(typeof l.isExpired).toBe("boolean");
    expect(l.keyDetails).toContain("Valid To: 2026-12-31");
  });
  test("accesstypeoverview serves userAccess.userTokens and usedTokens", async () => {
    const o = (await t.qrs.get("license/accesstypeoverview")).json();
    expect(o.professionalAccess).toMatchObject({ enabled: true, total: 50, allocated: 4 });
    expect(o.analyzerAccess.allocated).toBe(2);
    expect(o.userAccess).toHaveProperty("userTokens");
    expect(o.userAccess).toHaveProperty("usedTokens");
  });
  test("access type allocations: filter on lastUsed, DELETE → 204, then gone", async () => {
    const old = (await t.qrs.get(`license/professionalaccesstype/full?${f("lastUsed le '2025-08-01T23:59:59.999Z'")}`)).json<any[]>();
    expect(old.map((a) => a.user.userId).sort()).toEqual(["erik", "li.wei"]);
    const del = await t.qrs.request("DELETE", `license/professionalaccesstype/${old[0].id}`);
    expect(del.status).toBe(204);
    expect((await t.qrs.request("DELETE", `license/professionalaccesstype/${old[0].id}`)).status).toBe(404);
    expect((await t.qrs.get("license/professionalaccesstype/count")).json().value).toBe(3);
    expect((await t.qrs.get("license/analyzeraccesstype/full")).json<any[]>().length).toBe(2);
  });
  test("version endpoint /v1/systeminfo: client certificate, no xrfkey", async () => {
    const url = `${t.sim.urls.version}/v1/systeminfo`;
    const r = await fetch(url, { tls: t.qrs.tls } as RequestInit);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      productName: "Qlik Sense",
      deploymentType: "QlikSenseServer",
      version: "14.212.7",
      releaseLabel: "May 2025",
      contentHash: expect.any(String),
      copyrightYearRange: "1993-2025",
    });
    await expect(fetch(url, { tls: { ca: t.sim.certs.ca } } as RequestInit)).rejects.toThrow();
    expect(t.sim.requests.list({ source: "version" }).at(-1)).toMatchObject({ path: "/v1/systeminfo", status: 200 });
  });
  test("about", async () => {
    expect((await t.qrs.get("about")).json()).toMatchObject({ buildVersion: "34.12.3", schemaPath: "AboutService" });
  });
});

describe("sim QRS: starts and execution results", () => {
  test("POST task/{id}/start → 204 empty; executionresult and executionresult/full by taskID; executionsession while running", async () => {
    // Two seconds, not the suite's 80 ms: the run must still be going at the second request on a busy machine.
    t.sim.settings.timing.durationOverrideMs = 2_000;
    const start = await t.qrs.post(`task/${SALES_TASK}/start`, {});
    t.sim.settings.timing.durationOverrideMs = 80;
    expect(start.status).toBe(204);
    expect(start.text).toBe("");
    const running = (await t.qrs.get("executionsession")).json<any[]>();
    const session = running.find((s) => s.task.id === SALES_TASK);
    expect(session).toBeDefined();
    expect((await t.qrs.get(`executionsession/${session.id}`)).status).toBe(200);
    await waitForStatus(t.qrs, SALES_TASK, 7);
    expect((await t.qrs.get(`executionsession/${session.id}`)).status).toBe(404);
    const results = (await t.qrs.get(`executionresult/full?${f(`taskID eq ${SALES_TASK}`)}&orderby=startTime%20desc`)).json<any[]>();
    expect(results[0]).toMatchObject({ taskID: SALES_TASK, appID: SALES_APP, executionID: session.id, status: 7, schemaPath: "ExecutionResult" });
    expect((await t.qrs.get(`executionresult?${f(`executionId eq ${session.id}`)}`)).json<any[]>().length).toBe(1);
    expect((await t.qrs.get(`executionresult/${results[0].id}`)).json().id).toBe(results[0].id);
    expect((await t.qrs.get("executionresult/count")).json().value).toBeGreaterThanOrEqual(1);
  });

  test("start/synchronous → 201 {value}; disabled → zero GUID; by name; start/many → 204", async () => {
    const sync = await t.qrs.post("task/0a7c2da0-21b1-5600-aa97-7debd8e98276/start/synchronous");
    expect(sync.status).toBe(201);
    expect(sync.json().value).toMatch(GUID);
    const disabled = (await t.qrs.get(`task?${f("name eq 'Reload License monitor'")}`)).json<any[]>()[0];
    const d = await t.qrs.post(`task/${disabled.id}/start/synchronous`);
    expect(d.status).toBe(201);
    expect(d.json()).toEqual({ value: "00000000-0000-0000-0000-000000000000" });
    const byName = await t.qrs.request("POST", `task/start/synchronous?name=${encodeURIComponent("Reload Customer 360")}`, { body: {} });
    expect(byName.status).toBe(201);
    expect(byName.json().value).toMatch(GUID);
    const ids = (await t.qrs.get(`task?${f("taskType eq 1")}`)).json<any[]>().map((x) => x.id);
    expect((await t.qrs.post("task/start/many", ids)).status).toBe(204);
    for (const id of ids) expect(t.sim.tasks.isRunning(id)).toBe(true);
    expect((await t.qrs.post("task/start/many", { not: "an array" })).status).toBe(400);
    expect((await t.qrs.post("task/start/many", ["00000000-0000-4000-8000-000000000009"])).status).toBe(404);
  });
});
