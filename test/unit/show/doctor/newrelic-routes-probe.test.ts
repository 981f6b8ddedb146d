// The doctor tries newRelic.metricUrl, which POST /v4/newrelic/metric forwards to, and newRelic.eventUrl for
// POST /v4/newrelic/event, when those routes are configured: before, no line tried the Metric API at all.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { doctorProbes } from "../../../../src/show/doctor/from-config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { upAndDownPorts } from "./up-and-down";

const ports = upAndDownPorts();

async function lines(newRelic: string) {
  const yaml = `udp: { enabled: false }\nnewRelic:\n  accounts: [{ name: ops, accountId: 1234567, insertApiKey: k }]\n${newRelic}`;
  const { probes, close } = doctorProbes(parseConfigText(yaml, "doctor.yaml", "/").config, "/", createSilentLogger());
  try {
    const out: Record<string, { ok: boolean; detail: string; fix?: string }> = {};
    for (const p of probes.filter((p) => p.check.startsWith("newrelic"))) out[p.check] = await p.run();
    return out;
  } finally {
    close();
  }
}

test("the metric route's Metric API answering passes, naming its address (not its path)", async () => {
  const r = await lines(`  metricUrl: http://127.0.0.1:${ports.upPort}/metric/v1\n  api: { metric: { accounts: [ops] } }\n`);
  expect(r).toEqual({ "newrelic metric api": { ok: true, detail: `http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent)` } });
});

test("the Metric API not answering fails the line with what to do; the event route is tried at the Event API", async () => {
  const r = await lines(
    `  metricUrl: http://127.0.0.1:${ports.downPort}/metric/v1\n  eventUrl: http://127.0.0.1:${ports.upPort}\n` +
      "  api: { metric: { accounts: [ops] }, event: { accounts: [ops] } }\n",
  );
  expect(r["newrelic metric api"]!.ok).toBe(false);
  expect(r["newrelic metric api"]!.detail).toStartWith(`http://127.0.0.1:${ports.downPort}: `);
  expect(r["newrelic metric api"]!.detail).not.toContain("/metric/v1");
  expect(r["newrelic metric api"]!.fix).toContain("Check the address");
  expect(r["newrelic event api"]).toEqual({ ok: true, detail: `http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent)` });
});

test("without the routes nothing of theirs is tried", async () => {
  expect(await lines(`  metricUrl: http://127.0.0.1:${ports.downPort}/metric/v1\n`)).toEqual({});
});
