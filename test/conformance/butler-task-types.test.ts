// Switch-over day for the runs beyond a failed reload, against what Butler 16.0.4 sent
// (test/fixtures/butler-16.0.4/task-types.json): the InfluxDB points of an external program's and a distribution's
// success, and the MQTT task_aborted_full message of an aborted reload. Steward runs on the config the importer
// makes of Butler's recording config, against the same simulator site.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for";
import { CORPUS_DIR } from "./corpus";
import { startImportedSite, type ImportedSite } from "./imported-site";
import { compareJson, shape, type RecordedPoint } from "./outputs";

const REC = JSON.parse(readFileSync(join(CORPUS_DIR, "task-types.json"), "utf8")) as {
  mqtt_task_aborted: string[];
  mqtt_task_aborted_full: Record<string, unknown>;
  influxdb_v1: Record<"external_program_task_success" | "distribute_task_success", RecordedPoint>;
};
const EXT = "fd97ee10-83be-5433-a74e-c17710540a54";
const DIST = "8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918";
const ABORTED = "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9";

type Series = { columns: string[]; values: unknown[][] };
async function influxQl(url: string, q: string): Promise<Series | undefined> {
  const res = await fetch(`${url}/query?${new URLSearchParams({ db: "butler", q })}`);
  return ((await res.json()) as { results: Array<{ series?: Series[] }> }).results[0]?.series?.[0];
}

/** Steward's point of a measurement: every column, and the field types InfluxDB stored. */
async function stewardPoint(url: string, measurement: string) {
  const rows = await influxQl(url, `SELECT * FROM ${measurement}`);
  if (!rows?.values.length) return undefined;
  const types = Object.fromEntries(((await influxQl(url, `SHOW FIELD KEYS FROM ${measurement}`))?.values ?? []).map((v) => [String(v[0]), String(v[1])]));
  return { row: Object.fromEntries(rows.columns.map((c, i) => [c, rows.values[0]![i]])), types };
}

describe("external program, distribution and abort as Butler 16.0.4 sent them", () => {
  let site: ImportedSite;
  const runs: Record<string, string> = {};

  beforeAll(async () => {
    site = await startImportedSite({ durationMs: 1500 });
    for (const id of [EXT, DIST]) {
      const run = site.sim.tasks.start(id, { outcome: "succeed" });
      if (!run.started) throw new Error(`the simulator did not start ${id}: ${run.reason}`);
      runs[id] = run.executionId!;
    }
    // The abort takes two steps of the run's length: Butler read the task while QRS still said Aborting.
    const run = site.sim.tasks.start(ABORTED, { outcome: "succeed", durationMs: 4000 });
    runs[ABORTED] = run.executionId!;
    await Bun.sleep(300);
    site.sim.tasks.abort(ABORTED);
  }, 90_000);

  afterAll(async () => {
    await site?.close();
  });

  for (const [measurement, taskId] of [
    ["external_program_task_success", EXT],
    ["distribute_task_success", DIST],
  ] as const) {
    test(`${measurement}: Butler's fields with Butler's types, start and stop times as Butler's {year … millisecond} objects`, async () => {
      const want = REC.influxdb_v1[measurement];
      // InfluxDB 1.x keeps each field of a point apart and a query does not wait for a write to finish: read while
      // the point is being written, it may show some of its fields (two were null once, under load). So the point is
      // read until it has every field Butler wrote; one still missing after that is reported by name below.
      const complete = (p: Awaited<ReturnType<typeof stewardPoint>>) =>
        p !== undefined && Object.keys(want.fields).every((k) => p.row[k] !== null && p.row[k] !== undefined);
      const got =
        (await waitFor(
          async () => {
            const p = await stewardPoint(site.influx.url, measurement);
            return complete(p) ? p : undefined;
          },
          { what: `${measurement} with every field`, timeoutMs: 30_000 },
        ).catch(() => undefined)) ?? (await stewardPoint(site.influx.url, measurement));
      if (!got) throw new Error(`Steward wrote no ${measurement} point within 30 s`);
      const problems: string[] = [];
      for (const [k, [type, value]] of Object.entries(want.fields)) {
        if (got.types[k] !== type) problems.push(`field ${k}: Butler wrote ${type}, Steward ${got.types[k] ?? "nothing"}`);
        else if (type === "string" && k !== "log_message" && shape(String(got.row[k])) !== shape(value))
          problems.push(`field ${k}: Butler's format ${value}, Steward's ${String(got.row[k])}`);
      }
      // Tags hold nothing of one run: each has Butler's value (the user with a forward slash, the misspelt status tag).
      for (const [k, v] of Object.entries(want.tags)) if (got.row[k] !== v) problems.push(`tag ${k}: Butler ${v}, Steward ${String(got.row[k])}`);
      expect(problems).toEqual([]);
      // The objects hold this run's QRS start and stop time in UTC, as luxon's toObject() gives them.
      const exec = [...site.sim.repo.executions.values()].find((e) => e.executionID === runs[taskId])!;
      const parts = (ms: number) => {
        const d = new Date(ms);
        return {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          millisecond: d.getUTCMilliseconds(),
        };
      };
      expect(JSON.parse(String(got.row.task_executionStartTime_json))).toEqual(parts(exec.startMs!));
      expect(JSON.parse(String(got.row.task_executionStopTime_json))).toEqual(parts(exec.stopMs!));
      expect(String(got.row.task_executionStartTime_json)).toStartWith('{"year":');
    });
  }

  test("task_aborted_full: the execution result as QRS had it when the abort was reported (status 5), with Butler's key paths", async () => {
    await waitFor(() => site.messages.find((m) => m.topic === "qliksense/task_aborted_full"), { what: "task_aborted_full", timeoutMs: 30_000 });
    const full = JSON.parse(site.messages.find((m) => m.topic === "qliksense/task_aborted_full")!.text) as Record<string, any>;
    const butler = REC.mqtt_task_aborted_full as Record<string, any>;
    const last = full.qs_taskMetadata.operational.lastExecutionResult;
    const want = butler.qs_taskMetadata.operational.lastExecutionResult;
    expect({ status: last.status, stopTime: last.stopTime, duration: last.duration }).toEqual({
      status: want.status,
      stopTime: want.stopTime,
      duration: want.duration,
    });
    expect(last.details.map((d: { message: string }) => d.message)).toEqual(want.details.map((d: { message: string }) => d.message));
    expect(last.executionID).toBe(runs[ABORTED]);
    // Everything that is not this run's (ids, times) has Butler's value.
    const run =
      /^(executionId|logTimeStamp)$|^qs_taskMetadata\.operational\.lastExecutionResult\.(id|createdDate|modifiedDate|executionID|startTime|details\[\d+\]\.(id|createdDate|modifiedDate|detailCreatedDate))$|^qs_(task|app)Metadata\.(modifiedDate|operational\.nextExecution|lastReloadTime)$/;
    expect(compareJson(butler, full, (path) => !run.test(path))).toEqual([]);
    expect(site.messages.filter((m) => m.topic === "qliksense/task_aborted").map((m) => m.text)).toEqual(REC.mqtt_task_aborted);
  });
});
