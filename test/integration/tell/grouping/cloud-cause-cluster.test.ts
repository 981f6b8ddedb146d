// A failed upstream of a Qlik Cloud chain when the Cloud poller and the watchdog run on different Stewards of a
// cluster (issue 76/77): the poller's Steward hears the failure and opens its cause, the watchdog's Steward is the one
// that read the tenant's tasks. The cause's page and /v4/causes (on either Steward) name the tasks after the failed
// one, as on one Steward. Before, the poller's Steward knew only what its own (idle) watchdog had read, nothing, and
// the cause named the failed reload alone. Two Stewards on one PostgreSQL store and the tenant on one stepped clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { clusterMigrations } from "../../../../src/platform/cluster/migrations";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

const START = Date.parse("2026-11-23T08:24:30Z");
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Extract, owner: CORP\\anna }, { name: Model, owner: CORP\\anna }, { name: Report, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Extract hourly, app: Extract, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=30;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
`;
const EXTRACT_TITLE = "Reloads of Extract failing on Qlik Cloud tenant corp-cloud: the tasks after them do not run";

const dir = createTempDir("steward-cloud-cause-cluster-");
let pg: PostgresService;
let cloud: SteppedCloud;
let rx: HttpReceiver;
const stewards: Record<"alpha" | "beta", TestApp> = {} as Record<"alpha" | "beta", TestApp>;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("cloud_cause_cluster");
  rx = startHttpReceiver();
  cloud = await startSteppedCloud(dir.path, START, SITE);
  const apps = (await simControl(cloud.sim, "GET", "/apps")) as Array<{ id: string; name: string }>;
  // A Cloud chain: Model runs when Extract succeeded, Report when Model did.
  const chain = async (name: string, app: string, after: string) => {
    const all = (await simControl(cloud.sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>;
    const trigger = { type: "task", upstreamId: all.find((x) => x.name === after)!.id, on: "succeeded" };
    await simControl(cloud.sim, "POST", "/cloud/tasks", { name, appId: apps.find((a) => a.name === app)!.id, trigger });
  };
  await chain("Model after Extract", "Model", "Extract hourly");
  await chain("Report after Model", "Report", "Model after Extract");
  const tasks = (await simControl(cloud.sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>;
  await simControl(cloud.sim, "PATCH", `/cloud/tasks/${tasks.find((x) => x.name === "Extract hourly")!.id}`, { outcome: "fail" });

  // The cloud lease is held by nobody alive while alpha starts (alpha takes every other duty, the watchdog's among
  // them), then freed for beta, which takes it at its start, a simulated minute before alpha's next heartbeat.
  const db = await openPostgresStore({ url, maxConnections: 1, connectTimeoutMs: 5_000, tls: false, applicationName: "test" }, [clusterMigrations]);
  await db.run("INSERT INTO cluster_leases (duty, holder, holder_name, acquired_at, expires_at) VALUES ('cloud', 'nobody', 'nobody', 0, ?)", [
    Date.now() + 3_600_000,
  ]);
  const yaml = `${simCloudTenantYaml(cloud.sim)}watchdog:
  interval: 1m
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { name: cloud-failures, on: [task.failed, task.aborted, task.recovered], sources: [cloud], to: [hook] }
`;
  stewards.alpha = await startSteppedMember(cloud.clock, url, "alpha", dir.path, { yaml });
  await db.run("DELETE FROM cluster_leases WHERE duty = 'cloud'");
  await db.close();
  stewards.beta = await startSteppedMember(cloud.clock, url, "beta", dir.path, { yaml });
  // Extract fails at 08:30; Model and Report do not run after it. The poller sees the failure within its 30 s.
  await cloud.clock.runUntil(Date.parse("2026-11-23T08:33:00Z"));
}, 180_000);

afterAll(async () => {
  for (const s of Object.values(stewards)) await s.close().catch(() => {});
  await cloud?.sim.stop();
  await rx?.stop();
  await pg?.stop();
  dir.remove();
});

const holders = (duty: "cloud" | "watchdog") => (["alpha", "beta"] as const).filter((n) => stewards[n].app.cluster.holds(duty));

test("the Cloud poller and the watchdog run on different Stewards", () => {
  expect(holders("watchdog")).toEqual(["alpha"]);
  expect(holders("cloud")).toEqual(["beta"]);
});

test("the failed upstream's page names the tasks after it, as on one Steward", () => {
  const pages = rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { kind: string; cause?: { title: string; tasks: string[] } });
  expect(pages.map((p) => `${p.kind}: ${p.cause?.title}`)).toEqual([`task.failed: ${EXTRACT_TITLE}`]);
  expect(pages[0]!.cause!.tasks).toEqual(["Extract (Qlik Cloud reload)", "Model after Extract", "Report after Model"]);
});

test("/v4/causes on either Steward names them too", async () => {
  for (const name of ["alpha", "beta"] as const) {
    const { causes } = (await (await stewards[name].request("/v4/causes?status=open")).json()) as {
      causes: Array<{ title: string; affected: { tasks: string[] } }>;
    };
    expect(causes.map((c) => c.title)).toEqual([EXTRACT_TITLE]);
    expect(causes[0]!.affected.tasks).toEqual(["Extract (Qlik Cloud reload)", "Model after Extract", "Report after Model"]);
  }
});
