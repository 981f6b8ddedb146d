// The QRS readiness check against the simulator (issue 89): it asks GET /qrs/about only when no other call was
// answered lately or one failed since; the degraded watch's look each minute then costs no request on a site whose
// node reachability read talks to QRS every 30 s, and a QRS that fails is still seen at the next look.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createQrsClient, QRS_ANSWERED_WITHIN_MS, qrsReadinessCheck, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { QrsRowsSchema } from "../../../../src/platform/qlik/qrs-schemas";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { ReadinessCheck } from "../../../../src/platform/core/readiness";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { simCertDir } from "../../../helpers/sim-certs";

let tmp: TempDir;
let sim: Simulator;
let qrs: QrsClient;
let clock: SteppedClock;
let check: ReadinessCheck;

const abouts = () => sim.requests.list({ pathContains: "/qrs/about" }).length;
const readNodes = () => qrs.getJson("servicestatus/full", QrsRowsSchema);

beforeAll(async () => {
  tmp = createTempDir();
  sim = await startSimulator({ certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
});

beforeEach(() => {
  qrs?.close();
  sim.faults.clear();
  sim.requests.clear();
  clock = createSteppedClock(Date.parse("2026-11-27T06:00:00Z"));
  const cfg = QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 3000, retries: 0 });
  qrs = createQrsClient(cfg, { log: createSilentLogger(), clock, baseDir: tmp.path });
  check = qrsReadinessCheck(qrs, { now: () => clock.now() });
});

afterAll(async () => {
  qrs?.close();
  await sim.stop();
  tmp.remove();
});

test("another call's answer a moment ago stands for /qrs/about; an older one does not", async () => {
  const first = await check.check();
  expect(first.ok).toBe(true);
  expect(first.detail).toMatch(/reachable \(QRS .+\)$/);
  expect(abouts()).toBe(1);

  // A minute later (the degraded watch's next look), 10 s after the node reachability read: no /qrs/about.
  clock.advanceTo(clock.now() + 50_000);
  await readNodes();
  clock.advanceTo(clock.now() + 10_000);
  expect(await check.check()).toEqual(first);
  expect(abouts()).toBe(1);

  // Nothing else talked to QRS since: the check asks again.
  clock.advanceTo(clock.now() + QRS_ANSWERED_WITHIN_MS);
  expect((await check.check()).ok).toBe(true);
  expect(abouts()).toBe(2);
});

test("a call that failed since the last answer makes the check ask, and a QRS refusing Steward is not ready", async () => {
  expect((await check.check()).ok).toBe(true);
  clock.advanceTo(clock.now() + 60_000);
  await readNodes();
  sim.faults.add({ target: "qrs", status: 401, body: "Unauthorized" }, Date.now());
  await expect(readNodes()).rejects.toThrow(/401/);
  clock.advanceTo(clock.now() + 1_000);
  const refused = await check.check();
  expect(abouts()).toBe(2);
  expect(refused.ok).toBe(false);
  expect(refused.detail).toContain("401");

  // QRS serves Steward again: an answer after the failure is evidence once more (after the failure's 5 s cache).
  sim.faults.clear();
  clock.advanceTo(clock.now() + 6_000);
  await readNodes();
  expect((await check.check()).ok).toBe(true);
  expect(abouts()).toBe(2);
});

test("a QRS that stops answering is seen at once: the failed call, not the older answer, counts", async () => {
  expect((await check.check()).ok).toBe(true);
  clock.advanceTo(clock.now() + 30_000);
  await readNodes();
  sim.faults.add({ target: "qrs", status: 503, body: "Service Unavailable" }, Date.now());
  await expect(readNodes()).rejects.toThrow(/503/);
  clock.advanceTo(clock.now() + 1_000);
  expect((await check.check()).ok).toBe(false);
});
