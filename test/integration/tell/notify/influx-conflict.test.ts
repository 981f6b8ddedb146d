// A write InfluxDB refuses for a field type conflict, against a real influxd 1.x: the delivery is dead-lettered
// with a message naming the measurement, the field and both types, /ready and the dashboard show the conflict,
// /metrics counts it, one influxdb.field_conflict event reaches the route that alerts on it, and after the
// recovery the docs describe (drop the measurement) the retried delivery lands and the conflict is over.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createInfluxDb1Database, startInfluxDb1, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { startHttpReceiver, type HttpReceiver } from "./receivers";

type Delivery = { id: number; channel: string; status: string; lastError: string | null; kind: string };
type Ready = { ready: boolean; components: Record<string, { ok: boolean; detail?: string; required: boolean }> };

describe("InfluxDB field type conflict", () => {
  let influx: TestService;
  let hook: HttpReceiver;
  let t: TestApp;

  const deliveries = async (channel: string) =>
    ((await (await t.request("/v4/deliveries")).json()) as { deliveries: Delivery[] }).deliveries.filter((d) => d.channel === channel);
  const ready = async () => (await (await t.request("/ready")).json()) as Ready;
  const influxQl = async (q: string) => {
    const res = await fetch(`${influx.url}/query`, { method: "POST", body: new URLSearchParams({ db: "butler", q }) });
    return (await res.json()) as { results: Array<{ series?: Array<{ values: unknown[][] }>; error?: string }> };
  };

  beforeAll(async () => {
    influx = await startInfluxDb1();
    hook = startHttpReceiver();
    await createInfluxDb1Database(influx, "butler");
    // The shard already holds task_scriptLogSize as an integer (written by a tool that wrote integers).
    const res = await fetch(`${influx.url}/write?db=butler`, {
      method: "POST",
      body: `reload_task_failed,host=old task_scriptLogSize=1566i ${Date.now()}000000`,
    });
    expect(res.status).toBe(204);
    t = createTestApp(`
channels:
  metrics: { type: influxdb, version: 1, url: "${influx.url}", database: butler }
  ops: { type: webhook, url: "${hook.url}/ops" }
routes:
  - { on: [task.failed], to: [metrics] }
  - { on: [influxdb.field_conflict], to: [ops] }
`);
    await t.app.start();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await hook?.stop();
    await influx?.stop();
  });

  test("before any write, /ready lists InfluxDB as up", async () => {
    expect((await ready()).components.influxdb).toEqual({ ok: true, detail: "no field type conflict", required: false });
  });

  test("the refused write is dead-lettered with the field and both types, and shows on /ready, the dashboard and /metrics", async () => {
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" }));
    const [dead] = await waitFor(
      async () => {
        const d = await deliveries("metrics");
        return d.length && d.every((x) => x.status === "dead") ? d : undefined;
      },
      { what: "the dead InfluxDB delivery", timeoutMs: 15_000 },
    );
    expect(dead!.lastError).toContain("field task_scriptLogSize of reload_task_failed is integer in butler, Steward wrote float");

    const r = await ready();
    // Not a reason to take Steward out of service: the component is optional.
    expect(r.ready).toBe(true);
    expect(r.components.influxdb!.ok).toBe(false);
    expect(r.components.influxdb!.detail).toContain(
      "reload_task_failed.task_scriptLogSize is integer in butler and Steward wrote float (channel metrics; 1 write refused since",
    );

    const page = await (await t.request("/ui")).text();
    expect(page).toContain('data-component="influxdb"');
    expect(page).toContain("reload_task_failed.task_scriptLogSize is integer in butler and Steward wrote float");
    // /ready keeps the ISO instant; the page says it on the site's clock (this test's site: the machine's zone).
    const health = /<tr data-component="influxdb">[\s\S]*?<\/tr>/.exec(page)![0];
    expect(health).toMatch(/1 write refused since \d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z+\-0-9:]+\)/);
    expect(health).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);

    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toContain("steward_influxdb_field_conflicts 1");
    expect(metrics).toMatch(/steward_influxdb_refused_writes_total\{[^}]*field="task_scriptLogSize"[^}]*\} 1/);
  });

  test("a route alerts on it once, with the measurement, the field and both types", async () => {
    await waitFor(() => hook.requests.length >= 1, { what: "the conflict alert", timeoutMs: 15_000 });
    // The same conflict again: refused and counted, but not alerted twice.
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Reload Finance" }));
    await waitFor(async () => (await deliveries("metrics")).filter((d) => d.status === "dead").length === 2, {
      what: "the second dead delivery",
      timeoutMs: 15_000,
    });
    expect((await ready()).components.influxdb!.detail).toContain("2 writes refused");
    expect(hook.requests.length).toBe(1);
    const body = JSON.parse(hook.requests[0]!.body) as { kind: string; data: Record<string, string>; title: string };
    expect(body.kind).toBe("influxdb.field_conflict");
    expect(body.data).toMatchObject({
      channel: "metrics",
      database: "butler",
      measurement: "reload_task_failed",
      field: "task_scriptLogSize",
      storedType: "integer",
      writtenType: "float",
    });
    expect(body.title).toContain("field task_scriptLogSize is integer there, Steward wrote float");
  });

  test("after dropping the measurement, the retried deliveries land and the conflict is over", async () => {
    expect((await influxQl("DROP MEASUREMENT reload_task_failed")).results[0]!.error).toBeUndefined();
    for (const d of await deliveries("metrics")) {
      const res = await t.request(`/v4/deliveries/${d.id}/retry`, { method: "POST" });
      expect(res.status).toBe(202);
    }
    await waitFor(async () => (await deliveries("metrics")).every((d) => d.status === "delivered"), { what: "the retried deliveries", timeoutMs: 15_000 });
    expect((await ready()).components.influxdb).toEqual({ ok: true, detail: "no field type conflict", required: false });
    const rows = await influxQl("SELECT count(task_scriptLogSize) FROM reload_task_failed");
    expect(rows.results[0]!.series![0]!.values[0]![1]).toBe(2);
  });
});
