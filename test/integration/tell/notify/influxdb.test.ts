// InfluxDB channel against real servers: influxd 1.x (database and retention policy created, every task
// type × success/failure and win_service_state queried back with InfluxQL, dynamic tags really written) and
// VictoriaMetrics through the v2 write API of @influxdata/influxdb-client.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { flushVictoriaMetrics, startInfluxDb1, startVictoriaMetrics, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { TASK_TYPES, type TaskEvent } from "../../../../src/platform/events/types";

type Series = { name: string; columns: string[]; values: unknown[][] };

async function influxQl(influx: TestService, q: string, db = "steward"): Promise<Series[]> {
  const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db, q })}`);
  const body = (await res.json()) as { results: Array<{ series?: Series[]; error?: string }> };
  if (body.results[0]?.error) throw new Error(body.results[0].error);
  return body.results[0]?.series ?? [];
}

function rows(s: Series | undefined): Array<Record<string, unknown>> {
  return (s?.values ?? []).map((v) => Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])));
}

describe("influxdb channel, v1", () => {
  let influx: TestService;
  let t: TestApp;
  const events: TaskEvent[] = [];

  beforeAll(async () => {
    influx = await startInfluxDb1();
    t = createTestApp(`
channels:
  metrics:
    type: influxdb
    version: 1
    url: "${influx.url}"
    database: steward
    retentionPolicy: { name: 10d, duration: 10d }
    tags: { env: test, site: lab }
    scriptLogLines: { head: 2, tail: 2 }
routes:
  - { on: [task.failed, task.succeeded, service.stopped], to: [metrics] }
`);
    await t.app.start();
    for (const taskType of TASK_TYPES) {
      for (const outcome of ["failed", "succeeded"] as const) {
        const e = syntheticTaskEvent({ outcome, taskType, taskName: `${taskType} ${outcome}` });
        events.push(e);
        await t.app.bus.emit(e.kind, e);
      }
    }
    await t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "sense2", service: "QlikSenseRepositoryService" }));
    await waitFor(async () => ((await (await t.request("/v4/deliveries?status=delivered")).json()) as { deliveries: unknown[] }).deliveries.length === 11, {
      what: "11 delivered points",
      timeoutMs: 20_000,
    });
  }, 40_000);
  afterAll(async () => {
    await t?.close();
    await influx?.stop();
  });

  test("the database and the retention policy were created", async () => {
    const dbs = await influxQl(influx, "SHOW DATABASES");
    expect(dbs[0]!.values.flat()).toContain("steward");
    const rps = rows((await influxQl(influx, "SHOW RETENTION POLICIES ON steward"))[0]);
    const rp = rps.find((r) => r.name === "10d");
    expect(rp).toBeDefined();
    expect(rp!.default).toBe(true);
    expect(rp!.duration).toBe("240h0m0s");
  });

  test("all five task types × success and failure are measurements, plus win_service_state", async () => {
    const names = (await influxQl(influx, "SHOW MEASUREMENTS ON steward"))[0]!.values.flat().sort();
    expect(names).toEqual(
      [
        "distribute_task_failed",
        "distribute_task_success",
        "external_program_task_failed",
        "external_program_task_success",
        "preload_task_failed",
        "preload_task_success",
        "reload_task_failed",
        "reload_task_success",
        "user_sync_task_failed",
        "user_sync_task_success",
        "win_service_state",
      ].sort(),
    );
  });

  test("a failed reload carries Butler's tags and fields, static tags, and the app and task tags", async () => {
    const e = events.find((x) => x.taskType === "reload" && x.outcome === "failed")!;
    const [r] = rows((await influxQl(influx, 'SELECT * FROM "10d".reload_task_failed'))[0]);
    expect(r).toMatchObject({
      env: "test",
      site: "lab",
      host: "sense1.corp.example",
      // Butler's tag value: forward slash (a backslash would start a second series in every panel by user).
      user: "CORP/qlik_service",
      task_id: e.task.id,
      task_name: "reload failed",
      app_id: e.app!.id,
      app_name: "Sales dashboard",
      log_level: "ERROR",
      task_executingNodeName: "sense1.corp.example",
      task_executionStatusNum: "8",
      task_executionStatusText: "FinishedFail",
      appTag_Certified: "true",
      taskTag_Finance: "true",
      taskTag_Nightly: "true",
      execution_id: e.executionId,
      log_message: "Max retries reached",
      task_executionDuration_sec: 82,
      task_scriptLogTailCount: 2,
      task_scriptLogSizeRows: 5,
    });
    expect(JSON.parse(String(r!.task_executionDuration_json))).toEqual({ hours: 0, minutes: 1, seconds: 22 });
    expect(String(r!.script_log_tail)).toContain("Field 'CustomerKey' not found");
    expect(String(r!.reload_log)).toContain("Changing task state to FinishedFail");
    // Butler wrote the same text twice, as scriptLog and reload_log.
    expect(r!.scriptLog).toBe(r!.reload_log);
    expect(new Date(String(r!.time)).getTime()).toBe(new Date(e.execution!.stopTime!).getTime());
  });

  test("other task types carry their task tags and execution data", async () => {
    const [r] = rows((await influxQl(influx, 'SELECT * FROM "10d".user_sync_task_success'))[0]);
    expect(r).toMatchObject({
      task_name: "userSync succeeded",
      task_executionStatusText: "FinishedSuccess",
      taskTag_Finance: "true",
      task_executionDuration_min: 82 / 60,
    });
  });

  test("service state like Butler's win_service_state", async () => {
    const [r] = rows((await influxQl(influx, 'SELECT * FROM "10d".win_service_state'))[0]);
    expect(r).toMatchObject({
      host: "sense2",
      service_name: "QlikSenseRepositoryService",
      display_name: "Qlik Sense Scheduler Service",
      friendly_name: "Scheduler",
      state_num: 1,
      state_text: "STOPPED",
      startup_mode_num: 0,
      startup_mode_text: "Automatic",
    });
  });
});

describe("influxdb channel, v2 write API (VictoriaMetrics)", () => {
  let vm: TestService;
  let t: TestApp;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    t = createTestApp(`
channels:
  metrics: { type: influxdb, version: 2, url: "${vm.url}", org: qlik, bucket: steward, token: not-checked-by-vm, tags: { env: prod } }
routes:
  - { on: [task.failed, task.succeeded], to: [metrics] }
`);
    await t.app.start();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await vm?.stop();
  });

  test("points written through WriteApi are queried back with their tags", { timeout: 40_000 }, async () => {
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "VM reload" });
    await t.app.bus.emit("task.failed", e);
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskType: "preload", taskName: "VM preload" });
    await t.app.bus.emit("task.succeeded", ok);
    await waitFor(async () => ((await (await t.request("/v4/deliveries?status=delivered")).json()) as { deliveries: unknown[] }).deliveries.length === 2, {
      what: "2 delivered",
    });
    type Line = { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const lines = await waitFor(
      async () => {
        await flushVictoriaMetrics(vm);
        const res = await fetch(
          `${vm.url}/api/v1/export?${new URLSearchParams({ "match[]": '{__name__=~"(reload|preload)_task_.*_task_executionDuration_sec"}' })}`,
        );
        const text = await res.text();
        const parsed = text.trim()
          ? text
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l) as Line)
          : [];
        return parsed.length >= 2 ? parsed : undefined;
      },
      { what: "exported series", timeoutMs: 15_000 },
    );
    const failed = lines.find((l) => l.metric.__name__ === "reload_task_failed_task_executionDuration_sec")!;
    expect(failed.metric).toMatchObject({
      env: "prod",
      task_name: "VM reload",
      task_id: e.task.id,
      app_name: "Sales dashboard",
      appTag_Certified: "true",
      taskTag_Nightly: "true",
      task_executionStatusText: "FinishedFail",
    });
    expect(failed.values).toEqual([82]);
    expect(failed.timestamps).toEqual([new Date(e.execution!.stopTime!).getTime()]);
    const preload = lines.find((l) => l.metric.__name__ === "preload_task_success_task_executionDuration_sec")!;
    expect(preload.metric.task_name).toBe("VM preload");
  });
});
