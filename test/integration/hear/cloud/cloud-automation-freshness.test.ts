// A freshness promise that waits on a Qlik Automate automation of the simulated tenant: "never older than 10 min".
// The automation does not run: the promise is breached once; a run that fails does not keep it; a run that finishes
// is the data arriving and recovers it once. Steward and the tenant share a stepped clock, so what is asserted is what
// happened within simulated minutes, not how fast the machine ran.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../../src/app";
import { loadConfigFile } from "../../../../src/composition/config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";

const START = Date.parse("2026-05-04T08:00:00Z");
const MINUTE = 60_000;
const dir = createTempDir();
let cloud: SteppedCloud;

beforeAll(async () => {
  cloud = await startSteppedCloud(dir.path, START, undefined, { schedules: false });
}, 60_000); // a hang guard only: making certificates on a loaded machine takes a while
afterAll(async () => {
  await cloud?.sim.stop();
  dir.remove();
});

test("a promise on an automation is breached while it does not run, not kept by a failed run, and recovered by a finished one", async () => {
  const { clock } = cloud;
  const automations = cloud.sim.cloud!.automations;
  const crm = automations.add({ name: "Nightly CRM extract", outcome: "fail" });
  automations.add({ name: "Unwatched export" });
  const folder = join(dir.path, "steward");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "steward.yaml");
  writeFileSync(
    file,
    `dataDir: ./data
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
qlikCloud:
  tenants:
    - name: corp
      url: ${cloud.sim.urls.cloud}
      apiKey: ${cloud.sim.cloud!.apiKey}
      caFile: ${join(cloud.sim.certDir, "root.pem")}
      pollInterval: 30s
      lookBack: 1h
      automations: {}
freshness:
  interval: 30s
  promises:
    crm-hourly:
      automations: [nightly crm extract]
      maxAge: 10m
`,
  );
  const app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock });
  const events: WatchdogEvent[] = [];
  for (const k of ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const)
    app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  const kinds = () => events.map((e) => `${e.kind} ${e.app?.name}`);
  await app.start();
  try {
    await clock.runUntil(START + 12 * MINUTE);
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract"]);

    automations.runNow(crm.id);
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract"]);

    automations.update(crm.id, { outcome: "finish" });
    const ran = automations.runNow(crm.id)!;
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(ran.status).toBe("finished");
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract", "app.freshness_recovered Nightly CRM extract"]);
    // The unwatched automation is no app of the promises' store.
    expect((await app.freshness!.store.apps()).map((a) => a.appName)).toEqual(["Nightly CRM extract"]);
  } finally {
    await app.stop();
  }
}, 60_000);
