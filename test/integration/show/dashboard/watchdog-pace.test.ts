// The look interval on /ui/watchdog and /v4/watchdog (issue 57, a member that cannot keep up): a lengthened
// watchdog.interval shows as such, and a look that takes longer than the interval (by the injected clock: QRS held
// back while the clock moves on) makes the page and the JSON say looks are falling behind and what to lengthen.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCertDir } from "../../../helpers/sim-certs";
import { waitFor } from "../../../helpers/wait-for";

const MIN = 60_000;
const SITE = `
site: { name: Pace site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
apps:
  - { name: Orders, owner: CORP\\anna }
tasks:
  - name: Reload orders
    type: reload
    app: Orders
    durationMs: ${5 * MIN}
    triggers:
      - { type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-11-01T00:10:00.000", timeZone: Europe/Stockholm }
`;

const dir = createTempDir();
const clock = createManualClock(Date.parse("2026-11-23T04:00:00Z"));
let sim: Simulator;
let t: TestApp;

beforeAll(async () => {
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(dir.path, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  t = createTestApp(
    `qlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  certDir: ${JSON.stringify(sim.certDir)}\n  retries: 0\n  timeoutMs: 30000\nwatchdog:\n  interval: 10m\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  await t.app.start();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

interface Pace {
  intervalMs: number;
  lengthened: boolean;
  lastLookDurationMs: number | null;
  effectiveIntervalMs: number;
  behind: boolean;
  note: string | null;
}
const pace = async () => ((await (await t.request("/v4/watchdog")).json()) as { pace: Pace }).pace;
const page = async () => (await (await t.request("/ui/watchdog")).text()).replace(/<!-- -->/g, "");

test("a lengthened interval shows on the page and in the JSON; a look longer than it says looks fall behind", async () => {
  await t.app.watchdog!.look();
  let p = await pace();
  expect(p.intervalMs).toBe(10 * MIN);
  expect(p.lengthened).toBe(true);
  expect(p.behind).toBe(false);
  expect(p.note).toBeNull();
  let body = await page();
  expect(body).toContain('id="look-pace"');
  expect(body).toContain("Looks every 10m (watchdog.interval, lengthened from the default 1m)");
  expect(body).not.toContain('id="looks-behind"');

  // QRS holds the look's first request until it is let go; meanwhile 25 minutes pass on Steward's clock. (A fixed
  // delay of 1.5 s held every request of the look in turn: 15 s of a worker's wall time for one look.)
  const held = sim.faults.add({ target: "qrs", method: "GET", pathContains: "/qrs/", delayMs: 10 * MIN, forMs: 60 * MIN }, Date.now());
  const look = t.app.watchdog!.look();
  await waitFor(() => held.hits >= 1 || undefined, { what: "the look's first QRS request held" });
  await clock.advance(25 * MIN);
  sim.faults.release(held.id);
  await look;
  sim.faults.clear();

  p = await pace();
  expect(p.lastLookDurationMs).toBe(25 * MIN);
  expect(p.behind).toBe(true);
  expect(p.effectiveIntervalMs).toBe(35 * MIN);
  expect(p.note).toContain("the last look took 25m, longer than watchdog.interval (10m)");
  expect(p.note).toContain("Lengthen watchdog.interval to at least 50m");
  body = await page();
  expect(body).toContain('id="looks-behind"');
  expect(body).toContain("falling behind");
  expect(body).toContain("took 25 min 0 s");
  expect(body).toContain("Looks are falling behind: the last look took 25m");
}, 60_000);
