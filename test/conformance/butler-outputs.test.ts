// Switch-over day against what Butler 16.0.4 sent for one failed run (test/fixtures/butler-16.0.4/outputs.json):
// the simulator's default site fails the same task, Steward (configured as the import makes it) sends it to a
// real influxd, a real Mosquitto and a webhook receiver, and each output is compared with Butler's, the InfluxDB
// point field by field with its line-protocol type. Butler's recorded point and Steward's are written into one
// shard in both orders, and both must land.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../src/sim";
import { createTestApp, type TestApp } from "../helpers/app";
import { createInfluxDb1Database, startInfluxDb1, startMosquitto, type TestService } from "../helpers/services";
import { createTempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../integration/tell/notify/receivers";
import { intakeYaml } from "../integration/hear/intake/harness";
import { compareJson, loadOutputs, recordedLine, shape, type FieldType } from "./outputs";
import { simCertDir } from "../helpers/sim-certs";

const TASK = "08c654c6-cba3-5536-a3ff-8d5827d88497";
const OUT = loadOutputs();
const DBS = ["butler", "butler_first", "steward_first"] as const;

type Series = { name: string; columns: string[]; values: unknown[][] };

async function influxQl(influx: TestService, db: string, q: string): Promise<Series[]> {
  const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db, q })}`);
  const body = (await res.json()) as { results: Array<{ series?: Series[]; error?: string }> };
  if (body.results[0]?.error) throw new Error(body.results[0].error);
  return body.results[0]?.series ?? [];
}

async function write(influx: TestService, db: string, line: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${influx.url}/write?db=${db}&precision=ns`, { method: "POST", body: line });
  return { status: res.status, text: await res.text() };
}

describe("a failed reload as Butler 16.0.4 sent it", () => {
  let dir: TempDir;
  let sim: Simulator;
  let influx: TestService;
  let broker: TestService;
  let hook: HttpReceiver;
  let sub: MqttClient;
  let t: TestApp;
  const messages: Array<{ topic: string; text: string }> = [];
  const butlerFirst: Array<{ status: number; text: string }> = [];

  beforeAll(async () => {
    dir = createTempDir("steward-butler-outputs-");
    [influx, broker] = await Promise.all([startInfluxDb1(), startMosquitto()]);
    hook = startHttpReceiver();
    sim = await startSimulator({
      certDir: simCertDir(join(dir.path, "certs")),
      qrsPort: 0,
      enginePort: 0,
      controlPort: 0,
      schedules: false,
      settings: { timing: { durationOverrideMs: 300 } },
    });
    sub = await mqtt.connectAsync(broker.url, { clientId: "butler-outputs-sub" });
    sub.on("message", (topic, payload) => messages.push({ topic, text: payload.toString() }));
    await sub.subscribeAsync("qliksense/#", { qos: 1 });
    for (const db of DBS) await createInfluxDb1Database(influx, db);
    // Butler wrote first here: its point is in the shard before Steward's.
    butlerFirst.push(await write(influx, "butler_first", recordedLine(OUT.influxdb_v1, Date.now())));
    // The InfluxDB, MQTT and webhook settings `steward config import-butler` makes of the recording's Butler config.
    const influxChannel = (db: string) =>
      `{ type: influxdb, version: 1, url: "${influx.url}", database: ${db}, tags: { site: stockholm, butler_instance: prod-1 }, scriptLogLines: { head: 0, tail: 20 }, butlerTagTypo: true }`;
    t = createTestApp(
      intakeYaml(
        sim,
        {},
        `
mqtt: { url: "${broker.url}", butlerStatus: {} }
channels:
${DBS.map((db) => `  influx-${db.replace("_", "-")}: ${influxChannel(db)}`).join("\n")}
  mqtt: { type: mqtt, url: "${broker.url}", structured: { enabled: false } }
  hook: { type: webhook, url: "${hook.url}/butler" }
routes:
  - { on: [task.failed], to: [${DBS.map((db) => `influx-${db.replace("_", "-")}`).join(", ")}, mqtt, hook] }
`,
      ),
      { dir: join(dir.path, "steward") },
    );
    await t.app.start();
    sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
    const run = sim.tasks.start(TASK, { outcome: "fail" });
    if (!run.started) throw new Error(`the simulator did not start ${TASK}: ${run.reason}`);
    await waitFor(async () => ((await (await t.request("/v4/deliveries?status=delivered")).json()) as { deliveries: unknown[] }).deliveries.length === 5, {
      what: "5 deliveries",
      timeoutMs: 30_000,
    });
  }, 90_000);

  afterAll(async () => {
    await sub?.endAsync();
    await t?.close();
    await sim?.stop();
    await hook?.stop();
    await Promise.all([influx?.stop(), broker?.stop()]);
    dir?.remove();
  });

  test("the InfluxDB point: Butler's measurement, tag values, and every field with Butler's type and format", async () => {
    const want = OUT.influxdb_v1;
    const types = Object.fromEntries(
      ((await influxQl(influx, "butler", `SHOW FIELD KEYS FROM ${want.measurement}`))[0]?.values ?? []).map((v) => [String(v[0]), String(v[1]) as FieldType]),
    );
    const [series] = await influxQl(influx, "butler", `SELECT * FROM ${want.measurement}`);
    expect(series?.values.length).toBe(1);
    const row = Object.fromEntries(series!.columns.map((c, i) => [c, series!.values[0]![i]]));
    const problems: string[] = [];
    // Tags: every value as Butler wrote it (the user with a forward slash, the misspelt status tag).
    for (const [k, v] of Object.entries(want.tags)) if (row[k] !== v) problems.push(`tag ${k}: Butler ${JSON.stringify(v)}, Steward ${JSON.stringify(row[k])}`);
    // Fields: the same type; values of this run where they are the run's, else Butler's value or format.
    const sameValue = new Set(["log_message"]);
    for (const [k, [type, value]] of Object.entries(want.fields)) {
      if (types[k] !== type) problems.push(`field ${k}: Butler wrote ${type}, Steward ${types[k] ?? "nothing"}`);
      const got = row[k];
      if (sameValue.has(k) && got !== value) problems.push(`field ${k}: Butler ${JSON.stringify(value)}, Steward ${JSON.stringify(got)}`);
      if (type === "string" && typeof got === "string" && !sameValue.has(k) && k !== "reload_log" && k !== "scriptLog" && shape(got) !== shape(value)) {
        problems.push(`field ${k}: Butler's format ${JSON.stringify(value)}, Steward's ${JSON.stringify(got)}`);
      }
    }
    expect(problems).toEqual([]);

    // Durations: whole seconds from QRS's duration, and _min / _h derived from them as Butler does.
    const d = JSON.parse(String(row.task_executionDuration_json)) as { hours: number; minutes: number; seconds: number };
    expect(Object.keys(d)).toEqual(["hours", "minutes", "seconds"]);
    expect(row.task_executionDuration_sec).toBe(d.hours * 3600 + d.minutes * 60 + d.seconds);
    expect(row.task_executionDuration_min).toBe(d.hours * 60 + d.minutes + d.seconds / 60);
    expect(row.task_executionDuration_h).toBe(d.hours + d.minutes / 60 + d.seconds / 3600);
    expect(row.task_scriptLogTailCount).toBe(20);
    // Start and stop times: Butler's six keys, the QRS value first.
    const start = JSON.parse(String(row.task_executionStartTime_json)) as Record<string, string>;
    expect(Object.keys(start)).toEqual(Object.keys(JSON.parse(want.fields.task_executionStartTime_json![1])));
    expect(start.startTimeLocal1).toBe(start.startTimeUTC!.slice(0, 19).replace("T", " "));

    // scriptLog and reload_log: the execution details, Butler's dashed line, then the last 20 lines of the same log.
    const stamps = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<iso>").replace(/\d{8}T\d{6}\.\d{3}[+-]\d{4}/g, "<stamp>");
    expect(row.scriptLog).toBe(row.reload_log);
    expect(stamps(String(row.reload_log))).toBe(stamps(want.fields.reload_log![1]));

    // Steward's own fields use names Butler never wrote (so their type cannot meet one of Butler's).
    const butlerNames = new Set([...Object.keys(want.fields), "task_scriptLogHeadCount"]);
    const stewardOnly = Object.keys(types).filter((k) => !(k in want.fields));
    expect(stewardOnly.filter((k) => butlerNames.has(k))).toEqual([]);
  });

  test("Butler's recorded point and Steward's land in one shard, whichever was written first", async () => {
    expect(butlerFirst).toEqual([{ status: 204, text: "" }]);
    const [steward] = await influxQl(influx, "steward_first", `SELECT * FROM ${OUT.influxdb_v1.measurement}`);
    const stewardTime = Date.parse(String(steward!.values[0]![0]));
    expect(await write(influx, "steward_first", recordedLine(OUT.influxdb_v1, stewardTime + 1))).toEqual({ status: 204, text: "" });
    for (const db of ["butler_first", "steward_first"]) {
      const [s] = await influxQl(influx, db, `SELECT count(execution_id) FROM ${OUT.influxdb_v1.measurement}`);
      expect(s!.values[0]![1]).toBe(2);
      // One shard holds both points.
      const shards = (await influxQl(influx, "_internal", "SHOW SHARDS")).find((x) => x.name === db);
      expect(shards?.values.length).toBe(1);
    }
    const dead = (await (await t.request("/v4/deliveries?status=dead")).json()) as { deliveries: unknown[] };
    expect(dead.deliveries).toEqual([]);
  });

  test("the MQTT task_failure_full message: Butler's key paths, one by one, with its qs_taskMetadata", async () => {
    await waitFor(() => messages.find((m) => m.topic === "qliksense/task_failure_full"), { what: "task_failure_full" });
    const full = JSON.parse(messages.find((m) => m.topic === "qliksense/task_failure_full")!.text) as Record<string, unknown>;
    const butler = OUT.mqtt_task_failure_full;
    // What belongs to one run (its ids, times, duration, log file) must have Butler's type and format; the rest its value.
    const run =
      /^(executionId|logTimeStamp)$|^qs_taskMetadata\.operational\.lastExecutionResult\.(id|createdDate|modifiedDate|executionID|startTime|stopTime|duration|fileReferenceID|scriptLogLocation|details\[\d+\]\.(id|createdDate|modifiedDate|detailCreatedDate))$/;
    expect(compareJson(butler, full, (path) => !run.test(path))).toEqual([]);
    expect(Object.keys(full)).toEqual(Object.keys(butler));
    const last = (full.qs_taskMetadata as { operational: { lastExecutionResult: { executionID: string; status: number } } }).operational.lastExecutionResult;
    expect(last.executionID).toBe(full.executionId as string);
    expect(messages.filter((m) => m.topic === "qliksense/task_failure").map((m) => m.text)).toEqual([butler.taskName as string]);
  });

  test("Butler's status messages: the connect line and the UDP server's start", async () => {
    await waitFor(() => messages.some((m) => m.topic === "qliksense/butler/task_failure_server"), { what: "task_failure_server" });
    expect(messages.filter((m) => m.topic === "qliksense/butler/task_failure_server").map((m) => m.text)).toEqual(["start"]);
    const status = messages.filter((m) => m.topic === "qliksense/butler/mqtt/status").map((m) => m.text);
    expect(status.length).toBe(1);
    expect(status[0]).toMatch(new RegExp(`^Connected to MQTT broker 127\\.0\\.0\\.1:${broker.port} with client ID \\S+$`));
  });

  test("the outgoing webhook body: Butler's keys and values", () => {
    const bodies = hook.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies.length).toBe(1);
    const butler = OUT.webhook[0]!;
    const got = Object.fromEntries(Object.keys(butler).map((k) => [k, bodies[0]![k]]));
    expect(compareJson(butler, got, (path) => path !== "executionId" && path !== "logTimeStamp")).toEqual([]);
  });
});
