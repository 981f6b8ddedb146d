// The doctor's line for a newrelic channel tries the New Relic APIs it sends to (newRelic.eventUrl for events,
// newRelic.logUrl for log entries), as it does a webhook's server: before, it passed without trying anything.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { doctorProbes } from "../../../../src/show/doctor/from-config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { upAndDownPorts } from "./up-and-down";

const ports = upAndDownPorts();

async function newRelicLine(channel: string) {
  const yaml =
    "udp: { enabled: false }\n" +
    "newRelic:\n  accounts: [{ name: ops, accountId: 1234567, insertApiKey: k }]\n" +
    `  eventUrl: http://127.0.0.1:${ports.upPort}\n  logUrl: http://127.0.0.1:${ports.downPort}/log/v1\n` +
    `channels:\n  nr: { type: newrelic, accounts: [ops]${channel} }\n`;
  const { probes, close } = doctorProbes(parseConfigText(yaml, "doctor.yaml", "/").config, "/", createSilentLogger());
  try {
    const probe = probes.find((p) => p.check === "channel nr (newrelic)")!;
    return await probe.run();
  } finally {
    close();
  }
}

test("the Log API not answering fails the line, naming its address (not its path)", async () => {
  const r = await newRelicLine("");
  expect(r.ok).toBe(false);
  expect(r.detail).toStartWith(`http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent); http://127.0.0.1:${ports.downPort}: `);
  expect(r.detail).not.toContain("/log/v1");
  expect(r.fix).toContain("Check the address");
});

test("a channel that sends events only is tried at the Event API alone", async () => {
  const r = await newRelicLine(", log: false");
  expect(r).toEqual({ ok: true, detail: `http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent)` });
});
