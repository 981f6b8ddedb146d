// The doctor's line for an alertmanager channel tries every member of its urls: all answering is a pass naming each,
// one of an HA pair down is a failure naming which (the other still takes the alerts, but the pair is not a pair).
import { expect, test } from "bun:test";
import { ChannelConfigSchema } from "../../../../src/tell/notify/config";
import { channelProbe } from "../../../../src/show/doctor/probes";
import { upAndDownPorts } from "./up-and-down";

const ports = upAndDownPorts();

const probe = (urls: string[]) => channelProbe("am", ChannelConfigSchema.parse({ type: "alertmanager", urls }), "/");

test("every member answering passes and names each", async () => {
  const r = await probe([`http://127.0.0.1:${ports.upPort}`]).run();
  expect(r.ok).toBe(true);
  expect(r.detail).toBe(`http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent)`);
});

test("one member of the pair down fails, naming it", async () => {
  const check = probe([`http://127.0.0.1:${ports.upPort}`, `http://127.0.0.1:${ports.downPort}`]);
  expect(check.check).toBe("channel am (alertmanager)");
  const r = await check.run();
  expect(r.ok).toBe(false);
  expect(r.detail).toStartWith(`http://127.0.0.1:${ports.upPort} accepts a connection (nothing sent); http://127.0.0.1:${ports.downPort}: `);
  expect(r.fix).toContain("Check the address");
});
