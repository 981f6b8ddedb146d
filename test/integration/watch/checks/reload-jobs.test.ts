// A reload Steward runs itself (PUT /v4/app/{id}/reload): its data checks run after the save, and a failed
// block check holds back the job's on-success tasks (the job says why); when they pass the tasks start. Every
// value goes to InfluxDB (measurement steward_data_check), queried back from a real influxd.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startInfluxDb1, type TestService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import type { ReloadJob } from "../../../../src/start/control/reload-jobs";
import { CHECKS_YAML, ID, startChecksHarness, type ChecksHarness } from "./harness";

let dir: TempDir;
let influx: TestService;
let h: ChecksHarness;

beforeAll(async () => {
  dir = createTempDir("steward-checks-jobs-");
  influx = await startInfluxDb1();
  h = await startChecksHarness({
    dir: dir.path,
    checksYaml: `${CHECKS_YAML}  influxChannel: tsdb\n`,
    channelsYaml: `  tsdb: { type: influxdb, version: 1, url: "${influx.url}", database: steward, tags: { site: lab } }\n`,
    extraYaml: "control:\n  reload: { progressIntervalMs: 100 }\n",
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await influx?.stop();
  dir?.remove();
});

async function reloadJob(onSuccess: string[]): Promise<ReloadJob> {
  const r = await h.t.request(`/v4/app/${ID.orders}/reload`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ startQSEoWTaskOnSuccess: onSuccess }),
  });
  expect(r.status).toBe(201);
  const { jobId } = (await r.json()) as ReloadJob;
  return waitFor(
    async () => {
      const job = (await (await h.t.request(`/v4/app/reloads/${jobId}`)).json()) as ReloadJob;
      return job.phase === "done" ? job : undefined;
    },
    { what: `reload job ${jobId}`, timeoutMs: 30_000 },
  );
}

async function influxQl(q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: "steward", q })}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }>; error?: string }> };
  const s = body.results[0]?.series?.[0];
  return (s?.values ?? []).map((v) => Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])));
}

describe("a reload job's chained tasks", () => {
  test("a failed block check holds them back: the job names the check, nothing starts in the site", { timeout: 60_000 }, async () => {
    await h.setExpressions(ID.orders, { "NoOfRows('Orders')": 0, "Max(OrderDate)": 46348, "Today()": 46348 });
    const seq = h.lastSeq();
    const job = await reloadJob([ID.publishOrders]);
    expect(job.status).toBe("succeeded");
    expect(job.chained).toEqual({ on: "success", started: [], notFound: [], denied: [], heldBack: "block check orders-not-empty failed" });
    expect(h.startedInSim(seq)).toEqual([]);
    // The reload was saved before the checks opened the app, in a session of their own.
    const log = h.sim.requests.list({ source: "engine", sinceSeq: seq });
    const saved = log.find((r) => r.rpc?.method === "DoSave")!.seq;
    const evaluated = log.filter((r) => r.rpc?.method === "EvaluateEx");
    expect(evaluated.length).toBe(3); // NoOfRows('Orders'), Max(OrderDate), Today()
    expect(evaluated.every((r) => r.seq > saved && r.path.endsWith("/identity/steward-checks"))).toBe(true);
    await waitFor(() => h.alerts().some((a) => a.kind === "data.check_failed" && a.reload.kind === "reload-job" && a.reload.id === job.jobId), {
      what: "the alert",
    });
    const audit = (await (await h.t.request("/v4/audit?action=task.held")).json()) as { entries: Array<{ target: string; details: { why: string } }> };
    expect(audit.entries[0]).toMatchObject({ target: ID.publishOrders, details: { why: "block check orders-not-empty failed" } });
  });

  test("when the checks pass the tasks start; a job without chained tasks does not wait for them", { timeout: 60_000 }, async () => {
    await h.setExpressions(ID.orders, { "NoOfRows('Orders')": 10, "Max(OrderDate)": 46348, "Today()": 46348 });
    const seq = h.lastSeq();
    const job = await reloadJob([ID.publishOrders]);
    expect(job.chained).toMatchObject({ on: "success", started: [{ taskId: ID.publishOrders, status: "started" }] });
    expect(job.chained?.heldBack).toBeUndefined();
    expect(h.startedInSim(seq)).toEqual([ID.publishOrders]);
    const plain = await reloadJob([]);
    expect(plain.chained).toBeUndefined();
    await waitFor(async () => (await h.t.request(`/v4/data-checks/runs/job:${plain.jobId}`)).status === 200, { what: "the plain job's checks" });
  });
});

describe("InfluxDB", () => {
  test("every value of every run is written to steward_data_check with app and check tags", { timeout: 30_000 }, async () => {
    const rows = await waitFor(
      async () => {
        const r = await influxQl(`SELECT * FROM steward_data_check WHERE "check" = 'orders-not-empty' ORDER BY time`);
        return r.length >= 3 ? r : undefined;
      },
      { what: "the values in influxd" },
    );
    expect(rows.map((r) => r.value)).toEqual([0, 10, 10]);
    expect(rows[0]).toMatchObject({ app_id: ID.orders, app_name: "Orders", site: "lab", severity: "block", status: "failed", passed: false, expect: "> 0" });
    expect(rows[1]).toMatchObject({ status: "passed", passed: true, previous: 0 });
  });
});
