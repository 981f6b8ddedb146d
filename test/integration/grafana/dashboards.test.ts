// The Grafana dashboards in config/grafana/ against real data: the Qlik Sense simulator runs every task type
// through Steward, whose InfluxDB channels write to influxd 1.x and (v2 API) to VictoriaMetrics, which also
// scrapes Steward's /metrics. Every panel query of every dashboard is then run as Grafana would send it and
// must return data; a measurement, tag, field or metric name Steward does not write fails the check. The
// InfluxQL dashboard is also run on points shaped like Butler's, as a site switching from Butler has them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkRun, type KnownNames } from "../../../scripts/grafana/check-run";
import { renderPreview } from "../../../scripts/grafana/render-preview";
import { influxQl, runDashboard, type Backend, type GrafanaDashboard } from "../../../scripts/grafana/run-queries";
import { GRAFANA_DIR } from "../../../scripts/grafana-dashboards";
import { syntheticServiceEvent } from "../../../src/tell/notify/samples";
import { butlerPoints } from "../../fixtures/butler/influx-points";
import { freeTcpPorts } from "../../helpers/free-port";
import { createInfluxDb1Database, flushVictoriaMetrics, startInfluxDb1, startVictoriaMetrics, type TestService } from "../../helpers/services";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "../hear/intake/harness";

const load = (file: string) => JSON.parse(readFileSync(join(GRAFANA_DIR, file), "utf8")) as GrafanaDashboard;
const SHOTS = resolve(import.meta.dir, "../../../test-output");

/** The preview picture of a run (docs/monitoring.md shows copies of these). */
function preview(name: string, dash: GrafanaDashboard, result: Awaited<ReturnType<typeof runDashboard>>) {
  mkdirSync(SHOTS, { recursive: true });
  const svg = renderPreview(
    result,
    dash.panels as never,
    "Preview drawn by Steward's scripts/grafana-preview.ts from real query results — not a Grafana screenshot",
  );
  writeFileSync(join(SHOTS, `grafana-${name}.svg`), svg);
  return svg;
}
const INFLUXQL = load("qlik-sense-tasks-influxql.json");
const VM_TASKS = load("qlik-sense-tasks-victoriametrics.json");
const STEWARD = load("steward.json");

let dir: TempDir;
let influx: TestService;
let vm: TestService;
let h: Harness;
const hook = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("down for maintenance", { status: 503 }) });

async function influxKnown(db: string): Promise<KnownNames> {
  const b = { url: influx.url, db };
  const measurements = new Set((await influxQl(b, "SHOW MEASUREMENTS")).flatMap((f) => f.rows.map((r) => String(r[0]))));
  const tags = (await influxQl(b, "SHOW TAG KEYS")).flatMap((f) => f.rows.map((r) => String(r[0])));
  const fields = (await influxQl(b, "SHOW FIELD KEYS")).flatMap((f) => f.rows.map((r) => String(r[0])));
  return { measurements, names: new Set([...measurements, ...tags, ...fields]) };
}

/** Every metric name VictoriaMetrics holds, read from the raw samples (its name index lags behind new series). */
async function promKnown(): Promise<KnownNames> {
  await flushVictoriaMetrics(vm);
  const text = await (await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ "match[]": '{__name__!=""}' })}`)).text();
  const names = text
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { metric: { __name__: string } }).metric.__name__);
  return { measurements: new Set(), names: new Set(names) };
}

// Grafana's step for a 15-minute range on a dashboard-wide panel is about a second; 1 h with 1-minute bars for InfluxQL.
const run = (dash: GrafanaDashboard, b: Backend, select?: Record<string, string[]>) =>
  runDashboard(dash, b, b.kind === "influxdb" ? { rangeMs: 3_600_000, intervalMs: 60_000, select } : { rangeMs: 900_000, intervalMs: 4_000, select });

beforeAll(async () => {
  dir = createTempDir("steward-grafana-");
  influx = await startInfluxDb1();
  const [httpPort] = await freeTcpPorts(1);
  vm = await startVictoriaMetrics({ scrape: { targets: [`127.0.0.1:${httpPort}`] } });
  h = await startHarness({
    dir: dir.path,
    intake: { queueSize: 1, overflowSize: 0, concurrency: 1 },
    extraYaml: `
http: { host: 127.0.0.1, port: ${httpPort} }
channels:
  influx1: { type: influxdb, version: 1, url: "${influx.url}", database: steward }
  influx2: { type: influxdb, version: 2, url: "${vm.url}", org: qlik, bucket: steward, token: not-checked-by-vm }
  ops-hook: { type: webhook, url: "http://127.0.0.1:${hook.port}/alerts" }
notify:
  outbox: { maxAttempts: 2, initialBackoff: 100ms, maxBackoff: 200ms }
routes:
  - { on: [task.failed, task.succeeded, task.aborted, service.stopped, service.started], to: [influx1, influx2] }
  - { on: [task.failed], taskTypes: [reload], to: [ops-hook] }
`,
  });
  // Every task type succeeds and fails; reloads a few more times with different durations.
  const types = [IDS.reload, IDS.externalProgram, IDS.userSync, IDS.distribute, IDS.preload];
  for (const id of types) {
    for (const outcome of ["succeed", "fail"] as const) await h.eventFor(await h.runWhenIdle(id, outcome, { durationMs: 120 }), 15_000);
  }
  for (const [outcome, durationMs] of [
    ["succeed", 400],
    ["succeed", 900],
    ["fail", 250],
    ["succeed", 600],
  ] as const) {
    await h.eventFor(await h.runWhenIdle(IDS.reload, outcome, { durationMs }), 15_000);
  }
  // The simulator has no Windows services: their state changes come as the service monitor publishes them.
  await h.t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "sense1.test.example", service: "QlikSenseSchedulerService" }));
  await h.t.app.bus.emit("service.started", syntheticServiceEvent({ state: "started", host: "sense1.test.example", service: "QlikSenseSchedulerService" }));
  // A datagram that is not Qlik's, and a burst into the one-slot queue while QRS is slow: rejected and dropped.
  const port = h.udpPort();
  await sendDatagram("hello from a port scanner", port);
  h.sim.faults.add({ target: "qrs", pathContains: "task/full", delayMs: 400, count: 6 }, Date.now());
  for (let n = 1; n <= 6; n++) {
    const exec = `00000000-0000-4000-8000-00000000001${n}`;
    await sendDatagram(
      `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};2025-11-03 06:00:41,512;WARN;${exec};Max retries reached`,
      port,
    );
  }
  await waitFor(async () => (await h.metric("steward_intake_dropped_total", { reason: "queue_full" })) >= 1, { what: "a queue_full drop", timeoutMs: 10_000 });
  await waitFor(async () => (await h.metric("steward_notify_deliveries_total", { channel: "ops-hook", outcome: "dead" })) >= 1, {
    what: "a dead letter",
    timeoutMs: 20_000,
  });
  await waitFor(
    async () => ((await (await h.t.request("/v4/deliveries?status=pending,sending")).json()) as { deliveries: unknown[] }).deliveries.length === 0,
    { what: "the outbox to drain", timeoutMs: 20_000 },
  );

  // A Butler site's history, written as Butler writes it.
  await createInfluxDb1Database(influx, "butler");
  const lines = butlerPoints(Date.now())
    .map((p) => p.toLineProtocol())
    .join("\n");
  const write = await fetch(`${influx.url}/write?db=butler&precision=ns`, { method: "POST", body: lines });
  if (write.status !== 204) throw new Error(`butler points: HTTP ${write.status} ${await write.text()}`);

  // VictoriaMetrics scrapes every second, and a new series becomes searchable a moment after it is stored:
  // wait until every name on Steward's /metrics is stored, everything stored is searchable, and the last
  // series to appear (the drop counter) has a few samples for rate().
  const stewardNames = new Set(
    (await (await h.t.request("/metrics")).text())
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/[{ ]/)[0]!),
  );
  await waitFor(
    async () => {
      const stored = (await promKnown()).names;
      const body = (await (await fetch(`${vm.url}/api/v1/query?query=${encodeURIComponent('count by (__name__) ({__name__=~".+"})')}`)).json()) as {
        data: { result: Array<{ metric: { __name__: string } }> };
      };
      const searchable = new Set(body.data.result.map((r) => r.metric.__name__));
      const q = encodeURIComponent("count_over_time(steward_intake_dropped_total[1h])");
      const drops = (await (await fetch(`${vm.url}/api/v1/query?query=${q}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return [...stewardNames].every((n) => stored.has(n)) && [...stored].every((n) => searchable.has(n)) && Number(drops.data.result[0]?.value[1] ?? 0) >= 3;
    },
    { what: "VictoriaMetrics to hold and index everything Steward wrote", timeoutMs: 30_000 },
  );
}, 180_000);

afterAll(async () => {
  await h?.close();
  await vm?.stop();
  await influx?.stop();
  await hook.stop(true);
  dir?.remove();
});

describe("Grafana dashboards", () => {
  test("Qlik Sense tasks on InfluxDB 1.x: every panel returns Steward's data, for all hosts and for one", async () => {
    const known = await influxKnown("steward");
    const all = await run(INFLUXQL, { kind: "influxdb", url: influx.url, db: "steward" });
    expect(checkRun(all, "influxdb", known)).toEqual([]);
    expect(preview("qlik-sense-tasks-influxql-steward", INFLUXQL, all)).toContain("Reload Sales dashboard");
    expect(all.variables.host).toContain("sense1.test.example");
    expect(all.variables.task).toContain("Reload Sales dashboard");
    const one = await run(INFLUXQL, { kind: "influxdb", url: influx.url, db: "steward" }, { host: ["sense1.test.example"], task: ["Reload Sales dashboard"] });
    expect(checkRun(one, "influxdb", known)).toEqual([]);
    const logs = one.panels.find((p) => p.title === "Last failed reloads and their script logs")!.targets[0]!.frames[0]!;
    // The script-log lines themselves (their selection may change) are in reload_log of the real failed runs.
    expect(logs.rows.some((r) => String(r[logs.columns.indexOf("reload_log")] ?? "").length > 40)).toBe(true);
  }, 60_000);

  test("the same dashboard reads a Butler site's InfluxDB data as it is", async () => {
    const known = await influxKnown("butler");
    const all = await run(INFLUXQL, { kind: "influxdb", url: influx.url, db: "butler" });
    expect(checkRun(all, "influxdb", known)).toEqual([]);
    expect(preview("qlik-sense-tasks-influxql-butler", INFLUXQL, all)).toContain("Reload Finance cockpit");
    const services = all.panels.find((p) => p.title === "Windows service states")!.targets[0]!.frames;
    expect(services.map((f) => [f.labels.service_name, f.rows[0]![f.columns.indexOf("state")]]).sort()).toEqual([
      ["QlikSenseEngineService", "RUNNING"],
      ["QlikSenseSchedulerService", "STOPPED"],
    ]);
  }, 60_000);

  test("Qlik Sense tasks on VictoriaMetrics: every panel returns data written by Steward's v2 channel", async () => {
    const known = await promKnown();
    const all = await run(VM_TASKS, { kind: "prometheus", url: vm.url });
    expect(checkRun(all, "prometheus", known)).toEqual([]);
    expect(preview("qlik-sense-tasks-victoriametrics", VM_TASKS, all)).toContain("Reload Sales dashboard");
    const perType = all.panels
      .find((p) => p.title === "Failed runs per task type")!
      .targets[0]!.frames.map((f) => f.labels.task_type)
      .sort();
    expect(perType).toEqual(["distribute", "external_program", "preload", "reload", "user_sync"]);
    const one = await run(VM_TASKS, { kind: "prometheus", url: vm.url }, { host: ["sense1.test.example"], task: ["Reload Sales dashboard"] });
    expect(checkRun(one, "prometheus", known)).toEqual([]);
  }, 60_000);

  test("Steward on Prometheus (VictoriaMetrics scraping /metrics): every panel returns data", async () => {
    const known = await promKnown();
    const all = await run(STEWARD, { kind: "prometheus", url: vm.url });
    expect(checkRun(all, "prometheus", known)).toEqual([]);
    expect(preview("steward", STEWARD, all)).toContain("queue_full");
    const intake = all.panels.find((p) => p.title === "Intake: received, rejected, dropped")!;
    expect(intake.targets[2]!.frames.map((f) => f.labels.reason)).toContain("queue_full");
    const one = await run(STEWARD, { kind: "prometheus", url: vm.url }, { instance: all.variables.instance!.slice(0, 1) });
    expect(checkRun(one, "prometheus", known)).toEqual([]);
  }, 60_000);

  test("a query naming a measurement, field, tag or metric Steward does not write fails the check", async () => {
    const broken = (dash: GrafanaDashboard, from: string, to: string) => JSON.parse(JSON.stringify(dash).replaceAll(from, to)) as GrafanaDashboard;
    const influxKnownNames = await influxKnown("steward");
    const b: Backend = { kind: "influxdb", url: influx.url, db: "steward" };
    const cases: Array<[GrafanaDashboard, Backend, KnownNames, RegExp]> = [
      [broken(INFLUXQL, "external_program|", "external_programme|"), b, influxKnownNames, /measurement external_programme_task_failed/],
      [broken(INFLUXQL, '\\"app_name\\"', '\\"app\\"'), b, influxKnownNames, /"app" is no measurement, tag or field/],
      [broken(INFLUXQL, "state_text", "state_txt"), b, influxKnownNames, /"state_txt" is no measurement/],
      [
        broken(STEWARD, "steward_intake_dropped_total", "steward_intake_drops_total"),
        { kind: "prometheus", url: vm.url },
        await promKnown(),
        /metric steward_intake_drops_total does not exist/,
      ],
      [broken(VM_TASKS, "by (app_name)", "by (app)"), { kind: "prometheus", url: vm.url }, await promKnown(), /grouped by app but a series has no such label/],
    ];
    for (const [dash, backend, known, expected] of cases) {
      const problems = checkRun(await run(dash, backend), backend.kind, known);
      expect(problems.join("\n")).toMatch(expected);
    }
  }, 60_000);
});
