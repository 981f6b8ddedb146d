// Two Stewards on one PostgreSQL store, both hearing every datagram of the site: a reload's data checks are
// evaluated once (one Engine session, one set of EvaluateEx calls) and alerted once; both ask the checks of
// the same reload at the same moment and still only one run happens; either shows the values.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { CHECKS_YAML, ID, SITE, stewardYaml } from "./harness";
import { simCertDir } from "../../../helpers/sim-certs";

let dir: TempDir;
let pg: PostgresService;
let sim: Simulator;
let hook: HttpReceiver;
const apps: TestApp[] = [];

beforeAll(async () => {
  dir = createTempDir("steward-checks-cluster-");
  pg = await startPostgres();
  const url = await pg.createDatabase("checks_cluster");
  sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  hook = startHttpReceiver();
  for (const name of ["node-a", "node-b"]) {
    const t = createTestApp(
      stewardYaml(
        sim,
        hook.url,
        `${CHECKS_YAML}store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n`,
      ),
      { dir: join(dir.path, name) },
    );
    apps.push(t);
    await t.app.start();
  }
  await simControl(
    sim,
    "PUT",
    "/udp/targets",
    apps.map((t) => `127.0.0.1:${t.app.intake.udp!.address()!.port}`),
  );
}, 90_000);
afterAll(async () => {
  for (const t of apps.reverse()) await t.close().catch(() => {});
  await sim?.stop();
  await hook?.stop();
  await pg?.stop();
  dir?.remove();
});

const evaluations = (since: number) => sim.requests.list({ source: "engine", sinceSeq: since }).filter((r) => r.rpc?.method === "EvaluateEx");
const opens = (since: number) => sim.requests.list({ source: "engine", sinceSeq: since }).filter((r) => r.rpc?.method === "OpenDoc");
const lastSeq = () => sim.requests.list().at(-1)?.seq ?? 0;
const alerts = () => hook.requests.filter((r) => r.path === "/alerts").map((r) => JSON.parse(r.body) as { stewardEvent: { kind: string; runId: string } });

test("a reload heard by both Stewards: its checks are evaluated once and alerted once", { timeout: 60_000 }, async () => {
  await simControl(sim, "PUT", `/apps/${ID.orders}/expressions`, { "NoOfRows('Orders')": 0, "Max(OrderDate)": 46348, "Today()": 46348 });
  const seq = lastSeq();
  const r = sim.tasks.start(ID.reloadOrders, { outcome: "succeed", durationMs: 60 });
  if (!r.started) throw new Error(r.reason);
  const runId = `task:${r.executionId.toLowerCase()}`;
  const [a, b] = apps as [TestApp, TestApp];
  await waitFor(async () => ((await (await b.request(`/v4/data-checks/runs/${runId}`)).json()) as { status?: string }).status === "done", {
    what: "the run done",
    timeoutMs: 20_000,
  });
  await waitFor(() => alerts().some((x) => x.stewardEvent.runId === runId), { what: "the alert" });
  // Both Stewards heard the datagram and both subscribe to the event; the run was claimed in the store once.
  await Bun.sleep(1_000); // a second evaluation or a second alert would come now
  expect(opens(seq)).toHaveLength(1);
  expect(evaluations(seq)).toHaveLength(3);
  expect(
    alerts()
      .filter((x) => x.stewardEvent.runId === runId)
      .map((x) => x.stewardEvent.kind),
  ).toEqual(["data.check_failed"]);
  const fromA = (await (await a.request(`/v4/data-checks/apps/${ID.orders}`)).json()) as { values: Array<{ runId: string; check: string; status: string }> };
  expect(
    fromA.values
      .filter((v) => v.runId === runId)
      .map((v) => [v.check, v.status])
      .sort(),
  ).toEqual([
    ["fresh-orders", "passed"],
    ["orders-not-empty", "failed"],
  ]);
});

test("both ask for the checks of one reload at the same moment: one run, and both get its verdict", { timeout: 60_000 }, async () => {
  const seq = lastSeq();
  const input = { reload: { kind: "reload-job" as const, id: "9a9a9a9a-0000-4000-8000-000000000001" }, appId: ID.orders };
  const [a, b] = apps as [TestApp, TestApp];
  const [ha, hb] = await Promise.all([a.app.dataChecks!.holdBack(input), b.app.dataChecks!.holdBack(input)]);
  expect(ha).toBe("block check orders-not-empty failed");
  expect(hb).toBe(ha);
  expect(opens(seq)).toHaveLength(1);
  expect(evaluations(seq)).toHaveLength(3);
});
