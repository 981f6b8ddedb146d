// An outbox delivery on a stepped clock is work in flight: simulated time waits for the channel's answer. A webhook
// receiver answers each alert 150 ms of wall time late while the clock is asked to run ten simulated minutes; the
// deliveries are recorded as delivered at the simulated time the alerts were raised. Uncounted, the clock jumps to
// Steward's next timers while the request is on its way, and the deliveries are recorded minutes later.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";

const START = Date.parse("2026-03-24T06:00:00Z");
const HOLD_MS = 150;
const dir = createTempDir();
let t: TestApp | undefined;
const received: number[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    await req.text();
    await Bun.sleep(HOLD_MS);
    received.push(Date.now());
    return new Response("ok");
  },
});
afterAll(async () => {
  await t?.close();
  server.stop(true);
  dir.remove();
});

test("a webhook answering late: each delivery is recorded at the simulated time its alert was raised", async () => {
  const clock = createSteppedClock(START);
  t = createTestApp(
    `channels:\n  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook", timeout: 10s }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;

  const raisedAt: number[] = [];
  for (const name of ["Reload Sales", "Reload Finance", "Reload Stock"]) {
    raisedAt.push(clock.now());
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: name }));
    await clock.runUntil(clock.now() + 10 * 60_000);
  }
  expect(received).toHaveLength(3);
  const rows = (await t.app.notify.list({ limit: 10 })).sort((a, b) => a.id - b.id);
  expect(rows.map((r) => r.status)).toEqual(["delivered", "delivered", "delivered"]);
  expect(rows.map((r) => r.deliveredAt)).toEqual(raisedAt);
}, 60_000);
