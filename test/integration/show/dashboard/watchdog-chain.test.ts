// The chain on /ui/watchdog: a job before Qlik that checks in, named upstream of the first task of a chain of three
// (task-event triggers), appears in that task's "waits for" cell and in the check-ins section with its state
// (no ping yet, then missed); the chained tasks name the task they wait for. The site is the freshness chain site
// (test/helpers/freshness-chain-site.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_SITE, EXTRACT, SALES_RELOAD, TRANSFORM } from "../../../helpers/freshness-chain-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCertDir } from "../../../helpers/sim-certs";

const dir = createTempDir();
const clock = createManualClock(Date.parse("2026-11-23T04:00:00Z"));
let sim: Simulator;
let t: TestApp;

beforeAll(async () => {
  sim = await startSimulator({
    site: CHAIN_SITE,
    certDir: simCertDir(join(dir.path, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
  });
  t = createTestApp(
    `qlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  certDir: ${JSON.stringify(sim.certDir)}\n  retries: 0\nwatchdog:\n  interval: 1h\ncheckins:\n  interval: 1h\n  checks:\n    erp-extract:\n      key: erp-extract-dashboard-key-012345\n      cron: "0 5 * * *"\n      grace: 15m\n      feeds: { taskNames: [Extract orders], appNames: [Sales dashboard] }\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  await t.app.start();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

const rowOf = (body: string, taskId: string) => {
  const start = body.indexOf(`<tr data-task="${taskId}"`);
  expect(start).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf("</tr>", start));
};

test("the check-in appears in the chain with its state, before and after it is missed", async () => {
  await t.app.watchdog!.look();
  let body = await (await t.request("/ui/watchdog")).text();
  expect(rowOf(body, EXTRACT)).toContain('data-checkin="erp-extract" data-checkin-state="waiting"');
  expect(rowOf(body, TRANSFORM)).toContain(`<a href="/ui/tasks/${EXTRACT}">Extract orders</a>`);
  expect(rowOf(body, SALES_RELOAD)).toContain(`<a href="/ui/tasks/${TRANSFORM}">Transform orders</a>`);
  expect(rowOf(body, TRANSFORM)).not.toContain("data-checkin=");
  expect(body).toContain('<tr data-checkin-row="erp-extract">');

  // 05:20: the 05:00 check-in did not come (grace 15 min).
  await clock.set(Date.parse("2026-11-23T05:20:00Z"));
  await t.app.checkins!.service.judgeNow();
  body = await (await t.request("/ui/watchdog")).text();
  expect(rowOf(body, EXTRACT)).toContain('data-checkin="erp-extract" data-checkin-state="missed"');
  const section = body.slice(body.indexOf('<tr data-checkin-row="erp-extract">'));
  expect(section).toContain(">missed<");
  expect(section).toContain("task Extract orders, app Sales dashboard");
  // The same in the JSON the page reads.
  const json = (await (await t.request("/v4/watchdog")).json()) as {
    checkins: Array<{ name: string; state: string }>;
    tasks: Array<{ id: string; afterCheckins: string[]; afterTasks: Array<{ id: string }> }>;
  };
  expect(json.checkins).toMatchObject([{ name: "erp-extract", state: "missed" }]);
  expect(json.tasks.find((x) => x.id === EXTRACT)!.afterCheckins).toEqual(["erp-extract"]);
  expect(json.tasks.find((x) => x.id === SALES_RELOAD)!.afterTasks.map((a) => a.id)).toEqual([TRANSFORM]);
});
