// The uptime monitor writes Butler's butler_memory_usage measurement through an influxdb channel (InfluxDB 1.x,
// read back with InfluxQL), and memory/uptime are on /metrics; a wrong channel name is a config error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startInfluxDb1, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

let influx: TestService;
let t: TestApp;
beforeAll(async () => {
  influx = await startInfluxDb1();
  t = createTestApp(`
channels:
  metrics: { type: influxdb, version: 1, url: "${influx.url}", database: stewardops }
uptimeMonitor: { interval: 1h, influxChannel: metrics }
`);
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await influx?.stop();
});

describe("uptime monitor", () => {
  test("a memory point lands in InfluxDB at start, with Butler's field names", async () => {
    const rows = await waitFor(
      async () => {
        const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: "stewardops", q: "SELECT * FROM butler_memory_usage" })}`);
        const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
        const s = body.results[0]?.series?.[0];
        return s && s.values.length > 0 ? s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))) : undefined;
      },
      { timeoutMs: 15_000, what: "butler_memory_usage in InfluxDB" },
    );
    const r = rows[0]!;
    for (const f of ["heap_used", "heap_total", "external", "process_memory"]) expect(typeof r[f]).toBe("number");
    expect(r.process_memory as number).toBeGreaterThan(1);
    expect(typeof r.uptime_seconds).toBe("number");
    expect(typeof r.butler_version).toBe("string");
  });

  test("memory and uptime on /metrics", async () => {
    // InfluxDB shows the point before Steward has read the write's answer: wait for the counter, not the point.
    const text = await waitFor(
      async () => {
        const body = await (await t.request("/metrics")).text();
        return /^steward_uptime_influx_writes_total\{result="ok"\} /m.test(body) ? body : undefined;
      },
      { timeoutMs: 10_000, what: "the uptime write counted on /metrics" },
    );
    for (const m of [
      "process_resident_memory_bytes",
      "process_heap_used_bytes",
      "process_heap_total_bytes",
      "process_external_memory_bytes",
      "process_uptime_seconds",
    ]) {
      expect(text).toMatch(new RegExp(`^${m} \\d+`, "m"));
    }
    expect(text).toContain('steward_uptime_influx_writes_total{result="ok"} 1');
  });

  test("influxChannel must name an influxdb channel", () => {
    expect(() => createTestApp("uptimeMonitor: { influxChannel: nope }\n")).toThrow('uptimeMonitor.influxChannel: no influxdb channel named "nope"');
  });
});
