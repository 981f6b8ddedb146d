// Each node's Scheduler settings as Steward reads them (src/watch/watchdog/scheduler-settings.ts): from the simulated
// QRS's /qrs/schedulerservice/full (Qlik's current shape: the numbers under `settings`), matched by the node's host
// name or its first label; a QRS that refuses the call leaves them unknown and is logged once; re-read at most once an
// interval unless forced. The 2015 shape (the numbers beside `settings`, Sense 1.0's reference) is served by no
// simulator, so that one case reads a recorded answer through the same call (getJson).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { systemClock } from "../../../../src/platform/core/clock";
import { createQrsClient, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createSchedulerSettings } from "../../../../src/watch/watchdog/scheduler-settings";
import { simCertDir } from "../../../helpers/sim-certs";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import pino from "pino";

const SITE = `site: { name: Settings }
nodes:
  - { name: Central, hostName: sense1.corp.example, central: true }
  - { name: Reload01, hostName: reload01.corp.example, scheduler: { maxConcurrentEngines: 6, engineTimeout: 0 } }
users: [{ userDirectory: INTERNAL, userId: sa_scheduler }]
`;
const tmp = createTempDir("steward-scheduler-settings-");
let sim: Simulator;
let qrs: QrsClient;
const warnings: string[] = [];
const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });

beforeAll(async () => {
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  qrs = createQrsClient(QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 3000, retries: 0 }), {
    log,
    clock: systemClock,
    baseDir: tmp.path,
  });
});
afterAll(async () => {
  qrs.close();
  await sim.stop();
  tmp.remove();
});

test("each node's Max concurrent reloads and queue timeout, by host name or its first label", async () => {
  const s = createSchedulerSettings(log, 3_600_000);
  await s.refresh(qrs, 0);
  expect(s.of("reload01.corp.example")).toEqual({ maxConcurrentEngines: 6, engineTimeoutMinutes: 0 });
  expect(s.of("RELOAD01")).toEqual({ maxConcurrentEngines: 6, engineTimeoutMinutes: 0 });
  expect(s.of("sense1.corp.example")).toEqual({ maxConcurrentEngines: 4, engineTimeoutMinutes: 30 });
  expect(s.of("elsewhere.corp.example")).toEqual({});
  // Changed in the QMC: seen at the next hourly read, or at once when forced (a page is about to name it).
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 8 });
  await s.refresh(qrs, 60_000);
  expect(s.of("reload01.corp.example").maxConcurrentEngines).toBe(6);
  await s.refresh(qrs, 60_000, true);
  expect(s.of("reload01.corp.example").maxConcurrentEngines).toBe(8);
});

test("a QRS that refuses the call leaves the limits unknown, said once in the log", async () => {
  await simControl(sim, "POST", "/faults", { target: "qrs", pathContains: "schedulerservice", status: 403, body: "Forbidden", count: 2 });
  const s = createSchedulerSettings(log, 0);
  await s.refresh(qrs, 1);
  await s.refresh(qrs, 2);
  expect(s.of("reload01.corp.example")).toEqual({});
  expect(warnings.filter((w) => w.includes("schedulerservice/full"))).toHaveLength(1);
  await s.refresh(qrs, 3);
  expect(s.of("reload01.corp.example")).toEqual({ maxConcurrentEngines: 8, engineTimeoutMinutes: 0 });
});

test("the 2015 shape: the numbers beside `settings`", async () => {
  const recorded = [
    {
      name: "",
      serverNodeConfiguration: { name: "Reload02", hostName: "reload02.corp.example", id: "00000000-0000-0000-0000-000000000000" },
      schedulerServiceType: 1,
      maxConcurrentEngines: 3,
      engineTimeout: 45,
      settings: {},
    },
    { garbage: true },
  ];
  const old = { ...qrs, getJson: async () => recorded } as unknown as QrsClient;
  const s = createSchedulerSettings(log, 3_600_000);
  await s.refresh(old, 0);
  expect(s.of("reload02.corp.example")).toEqual({ maxConcurrentEngines: 3, engineTimeoutMinutes: 45 });
});
