// A Qlik Cloud API key rotated by a config reload (the old one expired or was revoked): the reload applies it in
// place, the tenant is polled with it at once instead of after the pause a refused key causes, the reload that
// failed meanwhile is announced, and a change other than a key is reported as needing a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../src/app";
import { loadConfigFile } from "../../../src/config/load";
import { createSilentLogger } from "../../../src/core/logger";
import type { TaskEvent } from "../../../src/events/types";
import { inProcessEnv } from "../../../src/http/types";
import { type Simulator, startSimulator } from "../../../src/sim";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const dir = createTempDir();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ certDir: join(dir.path, "sim-certs"), qrsPort: 0, enginePort: 0, controlPort: 0, cloudPort: 0, schedules: false });
});
afterAll(async () => {
  await sim?.stop();
  dir.remove();
});

const yaml = (key: string, pollInterval = "150ms") => `dataDir: ./data
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
qlikCloud:
  tenants:
    - name: rotate
      url: ${sim.urls.cloud}
      apiKey: ${key}
      caFile: ${join(sim.certDir, "root.pem")}
      pollInterval: ${pollInterval}
      lookBack: 1h
`;

test("a new key loaded by a config reload is used at once; other changes need a restart", async () => {
  const folder = join(dir.path, "steward");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "steward.yaml");
  writeFileSync(file, yaml("an-expired-key"));
  const app = createApp(loadConfigFile(file), { log: createSilentLogger() });
  const events: TaskEvent[] = [];
  app.bus.on("task.failed", (e) => void events.push(e as TaskEvent));
  await app.start();
  const request = (path: string, init?: RequestInit) => Promise.resolve(app.http.hono.request(path, init, inProcessEnv()));
  const ready = async () =>
    ((await (await request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> }).components["qlik-cloud:rotate"];
  try {
    await waitFor(async () => (await ready())?.ok === false, { what: "the refused key on /ready" });
    const failed = (await simControl(sim, "POST", "/cloud/reloads", { appId: sim.site.apps[0]!.id, outcome: "fail" })) as { id: string };
    writeFileSync(file, yaml(sim.cloud!.apiKey));
    const res = await request("/v4/admin/reload", { method: "POST" });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { applied: string[]; restartRequired: string[] };
    expect(report.applied).toContain("qlik-cloud");
    expect(report.restartRequired).toEqual([]);
    // Well within the 5 minutes a refused key otherwise waits before the next try.
    await waitFor(() => events.some((e) => e.executionId === failed.id), { timeoutMs: 10_000, what: "the reload that failed while the key was refused" });
    await waitFor(async () => (await ready())?.ok === true, { what: "the tenant ready again" });

    writeFileSync(file, yaml(sim.cloud!.apiKey, "1m"));
    const changed = (await (await request("/v4/admin/reload", { method: "POST" })).json()) as { restartRequired: string[] };
    expect(changed.restartRequired).toEqual(["qlikCloud"]);
  } finally {
    await app.stop();
  }
});
