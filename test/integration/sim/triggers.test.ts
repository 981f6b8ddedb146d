// Qlik-shaped triggers in the site file: served at /qrs/schemaevent and /qrs/compositeevent, fired by the
// simulator's scheduler on the scaled clock; pausing the scheduler and a node that is down stop the starts.
import { afterEach, describe, expect, test } from "bun:test";
import { waitFor } from "../../helpers/wait-for";
import { f, startTestSim, type TestSim } from "./helpers";

const SITE = `
nodes:
  - { name: Central, hostName: sense1.corp.example, central: true }
  - { name: Reload01, hostName: sense2.corp.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }
apps:
  - { name: Extract, owner: INTERNAL\\sa_scheduler }
  - { name: Model, owner: INTERNAL\\sa_scheduler }
tasks:
  - type: reload
    name: Reload Extract
    app: Extract
    triggers:
      - { type: schema, name: Every hour, incrementOption: hourly, startDate: "2020-01-01T00:00:00.000", timeZone: Europe/Stockholm }
  - type: reload
    name: Reload Model
    app: Model
    node: Reload01
    triggers:
      - type: composite
        name: After Extract
        timeConstraint: { minutes: 30 }
        rules: [{ task: Reload Extract, state: success }]
`;

let t: TestSim | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

// A simulated hour passes in 300 ms of wall time.
const start = (opts: { schedules?: boolean } = {}) =>
  startTestSim({ site: SITE, schedules: opts.schedules ?? true, settings: { timing: { timeScale: 300 / 3_600_000, durationOverrideMs: 20 } } });

const runs = async (sim: TestSim, name: string) => {
  const tasks = (await sim.control.get("/state")).json().tasks as any[];
  const id = tasks.find((x) => x.name === name).id;
  return ((await sim.control.get(`/executions?taskId=${id}`)).json() as any[]).length;
};

describe("sim triggers", () => {
  test("QRS serves schemaevent and compositeevent as QRS does", async () => {
    t = await start({ schedules: false });
    const schema = (await t.qrs.get("schemaevent/full")).json<any[]>();
    expect(schema).toHaveLength(1);
    expect(schema[0]).toMatchObject({
      name: "Every hour",
      enabled: true,
      eventType: 0,
      incrementOption: 1,
      incrementDescription: "0 1 0 0",
      timeZone: "Europe/Stockholm",
      daylightSavingTime: 0,
      startDate: "2020-01-01T00:00:00.000",
      expirationDate: "9999-12-31T00:00:00.000",
      schemaFilterDescription: ["* * - * * * * *"],
      reloadTask: { name: "Reload Extract" },
      externalProgramTask: null,
      schemaPath: "SchemaEvent",
    });
    expect(Date.parse(schema[0].operational.nextExecution)).toBeGreaterThan(Date.now() - 1000);
    expect(typeof schema[0].modifiedDate).toBe("string");
    const filtered = (await t.qrs.get(`schemaevent/full?${f(`reloadTask.id eq ${schema[0].reloadTask.id}`)}`)).json<any[]>();
    expect(filtered).toHaveLength(1);
    const comp = (await t.qrs.get("compositeevent/full")).json<any[]>();
    expect(comp).toHaveLength(1);
    expect(comp[0]).toMatchObject({
      name: "After Extract",
      enabled: true,
      eventType: 1,
      timeConstraint: { days: 0, hours: 0, minutes: 30, seconds: 0 },
      reloadTask: { name: "Reload Model" },
      schemaPath: "CompositeEvent",
    });
    expect(comp[0].compositeRules).toHaveLength(1);
    expect(comp[0].compositeRules[0]).toMatchObject({ ruleState: 1, reloadTask: { name: "Reload Extract" } });
    // Nothing fires when schedules are off.
    await Bun.sleep(400);
    expect(await runs(t, "Reload Extract")).toBe(0);
  });

  test("the schema trigger fires on the scaled clock and the composite trigger follows the upstream success", async () => {
    t = await start();
    const sim = t;
    await waitFor(async () => (await runs(sim, "Reload Extract")) >= 2, { what: "two hourly fires" });
    await waitFor(async () => (await runs(sim, "Reload Model")) >= 1, { what: "the chained run" });
  });

  test("a composite trigger turned off, or whose task was deleted, starts nothing when its upstream succeeds", async () => {
    t = await start();
    const sim = t;
    const comp = (await sim.qrs.get("compositeevent/full")).json<any[]>()[0];
    expect((await sim.control.send("PATCH", `/triggers/${comp.id}`, { enabled: false })).status).toBe(200);
    await waitFor(async () => (await runs(sim, "Reload Extract")) >= 2, { what: "two upstream runs" });
    expect(await runs(sim, "Reload Model")).toBe(0);
    expect((await sim.control.send("PATCH", `/triggers/${comp.id}`, { enabled: true })).status).toBe(200);
    await waitFor(async () => (await runs(sim, "Reload Model")) >= 1, { what: "the chained run once the trigger is on" });
    const modelId = comp.reloadTask.id as string;
    const chained = async () => ((await sim.control.get(`/executions?taskId=${modelId}`)).json() as any[]).length;
    expect((await sim.control.send("DELETE", `/tasks/${modelId}`, {})).status).toBe(200);
    const after = await chained();
    const upstream = await runs(sim, "Reload Extract");
    await waitFor(async () => (await runs(sim, "Reload Extract")) >= upstream + 2, { what: "two more upstream runs" });
    expect(await chained()).toBe(after);
  });

  test("a paused scheduler fires nothing until resumed", async () => {
    t = await start();
    const sim = t;
    expect((await sim.control.send("POST", "/scheduler/pause", {})).json()).toEqual({ paused: true, downNodes: [], servicesDown: {} });
    const before = await runs(sim, "Reload Extract");
    // Wait for two fire times to pass (QRS moves the trigger's nextExecution on) rather than for a fixed time.
    const next = async () => (await sim.qrs.get("schemaevent/full")).json<any[]>()[0].operational.nextExecution as string;
    const first = await next();
    const second = await waitFor(async () => ((await next()) !== first ? next() : undefined), { what: "a fire time passing" });
    await waitFor(async () => (await next()) !== second, { what: "a second fire time passing" });
    expect(await runs(sim, "Reload Extract")).toBe(before);
    expect((await sim.control.send("POST", "/scheduler/resume", {})).json()).toMatchObject({ paused: false });
    await waitFor(async () => (await runs(sim, "Reload Extract")) > before, { what: "a fire after resume" });
  });

  test("a node that is down starts none of its tasks; the rest of the chain stops there", async () => {
    t = await start();
    const sim = t;
    expect((await sim.control.send("POST", "/nodes/Reload01/down", {})).json()).toEqual({
      paused: false,
      downNodes: ["Reload01"],
      servicesDown: { Reload01: ["engine", "repository", "scheduler"] },
    });
    await waitFor(async () => (await runs(sim, "Reload Extract")) >= 2, { what: "two upstream runs" });
    expect(await runs(sim, "Reload Model")).toBe(0);
    await sim.control.send("POST", "/nodes/Reload01/up", {});
    await waitFor(async () => (await runs(sim, "Reload Model")) >= 1, { what: "the chained run once the node is up" });
    expect((await sim.control.send("POST", "/nodes/Nowhere/down", {})).status).toBe(404);
  });
});
