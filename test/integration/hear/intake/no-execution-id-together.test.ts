// A failed run reported twice without an ExecutionId, both datagrams arriving together (issue 66): a site with the
// current appender file (/scheduler-task-failed/) and a legacy one (/scheduler-reload-failed/) side by side, each
// with its own date pattern, sends the one log event twice with different date text, so the two stand-in ids differ.
// Both are matched to QRS's run by time; the run is announced once on the bus and alerted once on every channel
// (webhook, MQTT on a real Mosquitto, InfluxDB 1.x on a real influxd), for each of three date layouts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt from "mqtt";
import { startInfluxDb1, startMosquitto, createInfluxDb1Database, type TestService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "./harness";

const tmp = createTempDir();
let h: Harness;
let broker: TestService;
let influx: TestService;
let sub: mqtt.MqttClient;
let hook: ReturnType<typeof Bun.serve>;
/** The webhook bodies received (the Butler fields and the whole event, as JSON text). */
const hooks: string[] = [];
const mqttMessages: Array<{ topic: string; payload: string }> = [];

beforeAll(async () => {
  [broker, influx] = await Promise.all([startMosquitto(), startInfluxDb1()]);
  await createInfluxDb1Database(influx, "steward");
  sub = await mqtt.connectAsync(broker.url, { clientId: "no-exec-together-sub", reconnectPeriod: 0 });
  sub.on("message", (topic, payload) => mqttMessages.push({ topic, payload: payload.toString() }));
  await sub.subscribeAsync(["qliksense/#", "steward/#"], { qos: 1 });
  hook = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      hooks.push(await req.text());
      return new Response("ok");
    },
  });
  h = await startHarness({
    dir: tmp.path,
    extraYaml: `channels:
  hook: { type: webhook, url: "http://127.0.0.1:${hook.port}/hook" }
  bus: { type: mqtt, url: "${broker.url}", qos: 1 }
  tsdb: { type: influxdb, version: 1, url: "${influx.url}", database: steward }
routes:
  - { on: [task.failed], to: [hook, bus, tsdb], renotify: every }
`,
  });
  // The Scheduler's own datagrams are not sent: the test sends the run's two datagrams itself.
  h.sim.settings.udp.targets = [];
  await h.startPassEnded();
}, 90_000);
afterAll(async () => {
  await h?.close();
  await sub?.endAsync();
  hook?.stop(true);
  await Promise.all([broker?.stop(), influx?.stop()]);
  tmp.remove();
});

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** The log event's time in the date layouts a site's appenders may use (server-local; UTC here). */
const LAYOUTS = {
  log4net: (d: Date) => `${ymd(d)} ${hms(d)},${pad(d.getUTCMilliseconds(), 3)}`,
  iso: (d: Date) => `${ymd(d)}T${hms(d)}.${pad(d.getUTCMilliseconds(), 3)}`,
  seconds: (d: Date) => `${ymd(d)} ${hms(d)}`,
};
const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const hms = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const failed = (prefix: string, date: string) =>
  `${prefix};sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};${date};WARN;(null);Task finished with state FinishedFail. Max retries reached.`;

async function influxPoints(executionId: string): Promise<number> {
  const q = `SELECT count(execution_id) FROM reload_task_failed WHERE execution_id = '${executionId}'`;
  const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: "steward", q })}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ values: unknown[][] }> }> };
  return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe("two datagrams without an ExecutionId for one run, arriving together", () => {
  const pairs: Array<[keyof typeof LAYOUTS, keyof typeof LAYOUTS]> = [
    ["log4net", "iso"],
    ["iso", "seconds"],
    ["seconds", "log4net"],
  ];
  for (const [current, legacy] of pairs) {
    test(`${current} and ${legacy} dates: one task.failed, one webhook, one MQTT message per topic, one InfluxDB write`, async () => {
      const delivered = () => h.metric("steward_notify_deliveries_total", { channel: "tsdb", outcome: "delivered" });
      const deduplicated = () => h.metric("steward_intake_deduplicated_total", { source: "udp" });
      const [influxBefore, dedupBefore] = [await delivered(), await deduplicated()];
      const real = await h.runWhenIdle(IDS.reload, "fail");
      await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the simulated run to end" });
      const at = new Date();
      await Promise.all([
        sendDatagram(failed("/scheduler-task-failed/", LAYOUTS[current](at)), h.udpPort()),
        sendDatagram(failed("/scheduler-reload-failed/", LAYOUTS[legacy](at)), h.udpPort()),
      ]);
      const mine = () => h.events.filter((x) => x.kind === "task.failed" && x.executionId === real);
      // Both datagrams judged: the second counted as a duplicate of the first, or announced a second time.
      await waitFor(async () => mine().length >= 2 || (mine().length === 1 && (await deduplicated()) > dedupBefore), {
        what: "both datagrams of the run judged",
      });
      await waitFor(() => hooks.some((x) => x.includes(real)), { what: "the run's webhook" });
      await waitFor(async () => (await delivered()) > influxBefore && (await influxPoints(real)) >= 1, { what: "the run's InfluxDB point" });
      const topics = () => mqttMessages.filter((m) => m.payload.includes(real)).map((m) => m.topic);
      await waitFor(() => topics().length >= 1, { what: "the run's MQTT messages" });
      expect(mine()).toHaveLength(1);
      expect(hooks.filter((x) => x.includes(real))).toHaveLength(1);
      expect(new Set(topics()).size).toBe(topics().length);
      expect((await delivered()) - influxBefore).toBe(1);
      expect(await influxPoints(real)).toBe(1);
    }, 60_000);
  }
});
