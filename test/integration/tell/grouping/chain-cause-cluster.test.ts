// A failed upstream of a Qlik Sense chain heard by a Steward that does not run the watchdog (one Steward per node on a
// shared PostgreSQL store, issue 76/77): the watchdog's Steward read the chains from QRS, the node's Steward hears the
// failure and groups it. Its page and /v4/causes (on either Steward) name the tasks after it, as on one Steward.
// Before, the node's Steward knew only the plan its own (idle) watchdog had read, none, and the failure paged alone.
// Both Stewards and the simulator on one stepped clock; the node's datagrams go to beta alone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestApp } from "../../../helpers/app";
import { CHAIN_SITE, EXTRACT } from "../../../helpers/freshness-chain-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

const TITLE = "Extract orders failed: the tasks after it do not run";
const AFTER = ["Reload Sales dashboard", "Transform orders"];

const dir = createTempDir("steward-chain-cause-cluster-");
let pg: PostgresService;
let site: SteppedSite;
let rx: HttpReceiver;
const stewards: Record<"alpha" | "beta", TestApp> = {} as Record<"alpha" | "beta", TestApp>;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("chain_cause_cluster");
  rx = startHttpReceiver();
  // Friday 20 November: Extract orders runs 05:10–05:30 CET (04:10–04:30Z), then Transform orders, then Sales.
  site = await startSteppedSite(dir.path, Date.parse("2026-11-20T04:00:00Z"), CHAIN_SITE);
  await simControl(site.sim, "PATCH", `/tasks/${EXTRACT}`, { outcome: "fail" });
  await site.clock.runUntil(Date.parse("2026-11-20T04:26:00Z"));
  const yaml = `${qlikYaml(site.sim)}watchdog:
  interval: 1m
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`;
  // alpha starts first and takes every duty, the watchdog's among them; beta hears the node.
  for (const name of ["alpha", "beta"] as const) stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, { yaml });
  const beta = stewards.beta.app;
  sendDatagramsTo(site, { host: "127.0.0.1", port: beta.intake.udp!.address()!.port }, () => beta.intake.counters.received.get());
  await site.clock.runUntil(Date.parse("2026-11-20T04:32:00Z"));
}, 180_000);

afterAll(async () => {
  for (const s of Object.values(stewards)) await s.close().catch(() => {});
  await site?.sim.stop();
  await rx?.stop();
  await pg?.stop();
  dir.remove();
});

test("the watchdog runs on alpha; the failure is heard on beta", () => {
  expect((["alpha", "beta"] as const).filter((n) => stewards[n].app.cluster.holds("watchdog"))).toEqual(["alpha"]);
  expect(stewards.beta.app.intake.counters.received.get()).toBeGreaterThan(0);
  expect(stewards.alpha.app.intake.counters.received.get()).toBe(0);
});

test("the failed upstream's page names the tasks after it, as on one Steward", () => {
  const pages = rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { kind: string; cause?: { title: string; tasks: string[] } });
  expect(pages.map((p) => `${p.kind}: ${p.cause?.title}`)).toEqual([`task.failed: ${TITLE}`]);
  expect(pages[0]!.cause!.tasks).toEqual(["Extract orders", ...AFTER]);
});

test("/v4/causes on either Steward names them too", async () => {
  for (const name of ["alpha", "beta"] as const) {
    const { causes } = (await (await stewards[name].request("/v4/causes?status=open")).json()) as {
      causes: Array<{ title: string; affected: { tasks: string[] } }>;
    };
    expect(causes.map((c) => c.title)).toEqual([TITLE]);
    expect(causes[0]!.affected.tasks).toEqual(["Extract orders", ...AFTER]);
  }
});
