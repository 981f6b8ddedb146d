// A tenant that answers badly: HTML instead of JSON, truncated JSON, an unknown status, a `next` cursor that never
// ends, and a storm of 429s. Each is reported (one log line, a metric) and bounded (backoff, Retry-After, a page
// cap), never a crash or a busy loop, and no reload that failed meanwhile is lost or announced twice.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "../../../src/core/logger";
import { createSecretRegistry } from "../../../src/core/redaction";
import type { TaskEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { cloudYaml, patchCloud, runCloudReload, startCloudSim } from "./helpers";

const dir = createTempDir();
let sim: Simulator;
let t: TestApp;
const lines: Array<Record<string, unknown>> = [];
const events: TaskEvent[] = [];

beforeAll(async () => {
  sim = await startCloudSim(join(dir.path, "certs"));
  const log = createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l)) });
  t = createTestApp(cloudYaml(sim, { extra: "      maxPages: 3\n" }), { dir: join(dir.path, "steward"), log });
  for (const k of ["task.failed", "task.succeeded", "task.aborted"] as const) t.app.bus.on(k, (e) => void events.push(e as TaskEvent));
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

const listCalls = () => sim.requests.list({ source: "cloud", pathContains: "/api/v1/reloads" }).filter((r) => r.method === "GET");
/** A series' value on /metrics, whatever the order of its labels (0 when absent). */
const metric = async (name: string, labels: Record<string, string>) => {
  for (const line of (await (await t.request("/metrics")).text()).split("\n")) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
};
const logged = (msg: string) => lines.filter((l) => String(l.msg).includes(msg));
const announced = (id: string) => events.filter((e) => e.executionId === id);

async function polled(n: number): Promise<void> {
  const from = listCalls().length;
  await waitFor(() => listCalls().length >= from + n, { timeoutMs: 20_000, what: `${n} more polls` });
}

describe("a tenant that answers badly", () => {
  test("HTML and truncated JSON: reported once, backed off, and the reload that failed meanwhile comes once afterwards", async () => {
    const app = sim.site.apps[0]!;
    await polled(1);
    for (const mode of ["html", "truncated"] as const) {
      await patchCloud(sim, { listAnswer: mode });
      const failed = await runCloudReload(sim, app.id, "fail", `failed during ${mode}`);
      await polled(3);
      const reason = mode === "html" ? "not_json" : "bad_json";
      expect(await metric("steward_cloud_rejected_total", { tenant: "sim-tenant", reason })).toBeGreaterThanOrEqual(3);
      expect(await metric("steward_cloud_reachable", { tenant: "sim-tenant" })).toBe(0);
      // Backoff: the gaps between polls grow (100 ms doubling), so a bad answer does not become a busy loop.
      const times = listCalls()
        .slice(-3)
        .map((r) => Date.parse(r.time));
      expect(times[2]! - times[1]!).toBeGreaterThan(times[1]! - times[0]!);
      expect(announced(failed.id)).toHaveLength(0);
      await patchCloud(sim, { listAnswer: "normal" });
      await waitFor(() => announced(failed.id).length > 0, { timeoutMs: 20_000, what: `the reload that failed during ${mode}` });
    }
    expect(logged("polling the Qlik Cloud tenant failed").length).toBeLessThanOrEqual(2);
    expect(logged("the tenant answers again").length).toBeGreaterThanOrEqual(1);
  });

  test("an unknown status is skipped with one line and a metric, and the reload comes once its status is known", async () => {
    const app = sim.site.apps[0]!;
    await patchCloud(sim, { listAnswer: "unknownStatus" });
    const failed = await runCloudReload(sim, app.id, "fail", "failed while listed as PAUSED");
    await polled(3);
    expect(await metric("steward_cloud_rejected_total", { tenant: "sim-tenant", reason: "unknown_status" })).toBeGreaterThanOrEqual(1);
    expect(announced(failed.id)).toHaveLength(0);
    expect(logged("the tenant listed a reload Steward cannot read")).toHaveLength(1);
    await patchCloud(sim, { listAnswer: "normal" });
    await waitFor(() => announced(failed.id).length > 0, { timeoutMs: 20_000 });
    await polled(2);
    expect(announced(failed.id)).toHaveLength(1);
  });

  test("an endless next cursor: at most maxPages pages a poll, reported once", async () => {
    await patchCloud(sim, { listAnswer: "endlessCursor" });
    await polled(9);
    // Every poll starts without a cursor and follows at most maxPages - 1 next links.
    const recent = listCalls().slice(-9);
    const firsts = recent.filter((r) => !r.query.next).length;
    expect(firsts).toBeGreaterThanOrEqual(2);
    expect(recent.length / firsts).toBeLessThanOrEqual(3 + 1);
    expect(await metric("steward_cloud_rejected_total", { tenant: "sim-tenant", reason: "too_many_pages" })).toBeGreaterThanOrEqual(2);
    expect(logged("more reloads than maxPages pages")).toHaveLength(1);
    await patchCloud(sim, { listAnswer: "normal" });
  });

  test("a 429 storm slows polling as Retry-After says, and no reload is lost or doubled", async () => {
    const app = sim.site.apps[0]!;
    await patchCloud(sim, { ratePerMinute: 1, retryAfterSeconds: 1 });
    const during = [await runCloudReload(sim, app.id, "fail", "storm 1"), await runCloudReload(sim, app.id, "fail", "storm 2")];
    await waitFor(() => sim.requests.list({ source: "cloud" }).filter((r) => r.status === 429).length >= 3, { timeoutMs: 20_000 });
    const limited = sim.requests.list({ source: "cloud" }).filter((r) => r.status === 429);
    // After a 429 Steward waits the second Retry-After asks for, not its 100 ms poll interval.
    for (let i = 1; i < limited.length; i++) expect(Date.parse(limited[i]!.time) - Date.parse(limited[i - 1]!.time)).toBeGreaterThanOrEqual(950);
    expect(await metric("steward_cloud_rate_limited_total", { tenant: "sim-tenant" })).toBeGreaterThanOrEqual(3);
    expect(logged("asks Steward to slow down")).toHaveLength(1);
    for (const r of during) expect(announced(r.id)).toHaveLength(0);
    await patchCloud(sim, { ratePerMinute: 1_000_000 });
    await waitFor(() => during.every((r) => announced(r.id).length > 0), { timeoutMs: 20_000 });
    await polled(2);
    for (const r of during) expect(announced(r.id)).toHaveLength(1);
  });
});
