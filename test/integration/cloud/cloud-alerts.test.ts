// A Qlik Cloud tenant watched outbound only: a failed Cloud reload reaches a webhook once, with its log's error
// line, as the same task.failed an on-premise run gives; a restart announces nothing twice and misses nothing; a
// first start does not replay older history; a wrong key is one error on /ready, one log line and one alert, and a
// new key loaded by a config reload is used at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../src/app";
import { loadConfigFile } from "../../../src/config/load";
import { inProcessEnv } from "../../../src/http/types";
import type { TaskEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createLogger, createSilentLogger } from "../../../src/core/logger";
import { createSecretRegistry } from "../../../src/core/redaction";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";
import { cloudYaml, runCloudReload, startCloudSim } from "./helpers";

const dir = createTempDir();
let sim: Simulator;
let rx: HttpReceiver;

beforeAll(async () => {
  sim = await startCloudSim(join(dir.path, "certs"));
  rx = startHttpReceiver();
});
afterAll(async () => {
  await sim?.stop();
  await rx?.stop();
  dir.remove();
});

const hookYaml = (rxUrl: string) => `channels:
  hook: { type: webhook, url: "${rxUrl}/hook" }
routes:
  - { on: [task.failed, task.aborted], to: [hook] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;

const hooked = (reloadId: string) => rx.requests.filter((r) => r.path === "/hook" && r.body.includes(reloadId));

describe("a failed Qlik Cloud reload", () => {
  test("alerts once with its log's error line, through a restart", async () => {
    const app = sim.site.apps[0]!;
    const data = join(dir.path, "steward");
    const events: TaskEvent[] = [];
    let t: TestApp = createTestApp(`${cloudYaml(sim)}${hookYaml(rx.url)}`, { dir: data });
    t.app.bus.on("task.failed", (e) => void events.push(e as TaskEvent));
    await t.app.start();
    try {
      const failed = await runCloudReload(sim, app.id, "fail", "Field 'Amount' not found");
      await waitFor(() => hooked(failed.id).length > 0, { what: "the webhook", timeoutMs: 15_000 });
      const e = events.find((x) => x.executionId === failed.id)!;
      expect(e).toMatchObject({ kind: "task.failed", source: "cloud", taskType: "reload", app: { id: app.id, name: app.name } });
      expect(e.cloud).toMatchObject({ tenant: "sim-tenant", reloadId: failed.id, status: "FAILED", type: "hub" });
      expect(e.task.name).toContain(app.name);
      expect(e.scriptLog?.failureLines?.length).toBeGreaterThan(0);
      const body = hooked(failed.id)[0]!.body;
      expect(body).toContain("Field 'Amount' not found");
      expect(body).toContain("sim-tenant");
      // Successes are announced on the bus but not routed here.
      const ok = await runCloudReload(sim, app.id, "succeed");
      await waitFor(
        async () => (await t.app.sharedStore.sql.get("SELECT 1 AS x FROM cloud_reloads WHERE reload_id = ? AND done_at IS NOT NULL", [ok.id])) !== undefined,
      );
      const ready = (await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> };
      expect(ready.components["qlikCloud:sim-tenant"]?.ok).toBe(true);
      const metrics = await (await t.request("/metrics")).text();
      expect(metrics).toMatch(/steward_cloud_reloads_total\{[^}]*status="FAILED"[^}]*\} 1/);
      expect(metrics).toMatch(/steward_cloud_reachable\{tenant="sim-tenant"\} 1/);
    } finally {
      await t.close().catch(() => {});
    }

    // While Steward is down another reload fails; after the restart it is announced, the first one is not again.
    const during = await runCloudReload(sim, app.id, "fail", "Table 'Orders' not found");
    t = createTestApp(`${cloudYaml(sim)}${hookYaml(rx.url)}`, { dir: data });
    await t.app.start();
    try {
      await waitFor(() => hooked(during.id).length > 0, { what: "the reload that failed while Steward was down", timeoutMs: 15_000 });
      const cancelled = await runCloudReload(sim, app.id, "cancel");
      await waitFor(() => hooked(cancelled.id).length > 0, { what: "the cancelled reload", timeoutMs: 15_000 });
      expect(hooked(during.id)).toHaveLength(1);
      expect(hooked(cancelled.id)[0]!.body).toContain("task.aborted");
      // Polls go on; nothing comes twice.
      const polls = sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).length;
      await waitFor(() => sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).length >= polls + 3);
      for (const id of [during.id, cancelled.id]) expect(hooked(id)).toHaveLength(1);
      expect(rx.requests.filter((r) => r.path === "/hook" && r.body.includes("Field 'Amount' not found"))).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  test("a first start does not replay the tenant's older history", async () => {
    const app = sim.site.apps[0]!;
    const old = await runCloudReload(sim, app.id, "fail", "an old failure");
    await Bun.sleep(1_100);
    const t = createTestApp(`${cloudYaml(sim, { name: "fresh", extra: "" }).replace("lookBack: 5m", "lookBack: 1s")}${hookYaml(rx.url)}`, {
      dir: join(dir.path, "fresh"),
    });
    const events: TaskEvent[] = [];
    t.app.bus.on("task.failed", (e) => void events.push(e as TaskEvent));
    await t.app.start();
    try {
      const fresh = await runCloudReload(sim, app.id, "fail", "a new failure");
      await waitFor(() => events.some((e) => e.executionId === fresh.id), { timeoutMs: 15_000 });
      expect(events.some((e) => e.executionId === old.id)).toBe(false);
    } finally {
      await t.close();
    }
  });

  test("a wrong key is one clear error on /ready, one log line and one alert, not a loop", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(l) });
    const yaml = `${cloudYaml(sim, { name: "badkey", apiKey: "not-the-key" })}channels:
  keys: { type: webhook, url: "${rx.url}/keys" }
routes:
  - { on: [qlikcloud.auth_failed], to: [keys] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;
    const t = createTestApp(yaml, { dir: join(dir.path, "badkey"), log });
    await t.app.start();
    try {
      await waitFor(async () => {
        const r = (await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> };
        return r.components["qlikCloud:badkey"]?.detail?.includes("refused the API key") ? r : undefined;
      });
      const ready = (await (await t.request("/ready")).json()) as { ready: boolean; components: Record<string, { ok: boolean; detail: string }> };
      expect(ready.components["qlikCloud:badkey"]!.ok).toBe(false);
      expect(ready.components["qlikCloud:badkey"]!.detail).toContain("Management Console");
      // The Steward itself stays ready: a Cloud tenant does not take the on-premise alerts down.
      expect(ready.ready).toBe(true);
      const before = sim.requests.list({ source: "cloud" }).filter((r) => r.status === 401).length;
      await Bun.sleep(500);
      // Polling waits minutes after a refused key, not the 100 ms poll interval.
      expect(sim.requests.list({ source: "cloud" }).filter((r) => r.status === 401).length).toBe(before);
      expect(lines.filter((l) => l.includes("refused the API key"))).toHaveLength(1);
      // And one alert through the route that asks for it.
      await waitFor(() => rx.requests.some((r) => r.path === "/keys"));
      const alerts = rx.requests.filter((r) => r.path === "/keys");
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.body).toContain("refuses Steward's API key");
      expect(lines.join("\n")).not.toContain("not-the-key");
      expect(await (await t.request("/metrics")).text()).toMatch(/steward_cloud_reachable\{tenant="badkey"\} 0/);
    } finally {
      await t.close();
    }
  });
});

describe("a new API key", () => {
  test("loaded by a config reload is used at once: the tenant is polled again and reloads come through", async () => {
    const folder = join(dir.path, "rotate");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "steward.yaml");
    const base = "dataDir: ./data\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n";
    writeFileSync(file, `${base}${cloudYaml(sim, { name: "rotate", apiKey: "an-expired-key" })}`);
    const app = createApp(loadConfigFile(file), { log: createSilentLogger() });
    const events: TaskEvent[] = [];
    app.bus.on("task.failed", (e) => void events.push(e as TaskEvent));
    await app.start();
    try {
      const ready = async () =>
        ((await (await app.http.hono.request("/ready", {}, inProcessEnv())).json()) as { components: Record<string, { ok: boolean }> }).components[
          "qlikCloud:rotate"
        ];
      await waitFor(async () => (await ready())?.ok === false && sim.requests.list({ source: "cloud" }).some((r) => r.status === 401));
      const failed = await runCloudReload(sim, sim.site.apps[0]!.id, "fail", "failed while the key was expired");
      writeFileSync(file, `${base}${cloudYaml(sim, { name: "rotate" })}`);
      const r = await app.http.hono.request("/v4/admin/reload", { method: "POST" }, inProcessEnv());
      if (r.status !== 200) throw new Error(`reload answered ${r.status}: ${await r.text()}`);
      const report = (await r.json()) as { applied: string[]; restartRequired: string[] };
      expect(report.applied).toContain("qlik-cloud");
      expect(report.restartRequired).toEqual([]);
      // Without waiting out the 5 minutes a refused key waits.
      await waitFor(() => events.some((e) => e.executionId === failed.id), { timeoutMs: 10_000, what: "the reload that failed while the key was expired" });
      await waitFor(async () => (await ready())?.ok === true, { what: "the tenant ready again" });
    } finally {
      await app.stop();
    }
  });
});
