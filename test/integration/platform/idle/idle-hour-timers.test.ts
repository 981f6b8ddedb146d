// What wakes an idle Steward (issue 89): the default config on SQLite, connected to the simulator's default site with
// its schedules off, on a stepped clock, so the count of timers that fire in a simulated hour is exact. Each timer is
// told by the module that armed it (the first frame of src/ outside the clock helpers when it was armed). On a store
// of its own nobody else queues a delivery, arms an escalation or writes a key, and each of these wakes the timer for
// its due time when it is written here: the outbox, escalation and the key-value store's purge each look once an hour
// at most while idle; a report no route lists waits for a reload of the routes. Before: the outbox looked every 30 s,
// escalation, the purge and each of the two reports every minute (825 timers an hour in all, 120 + 60 + 60 + 120 of
// them theirs; 468 after). A delivery still goes out at once and a retry at its due time (the second test).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Clock } from "../../../../src/platform/core/clock";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.parse("2026-11-23T08:00:00Z");
const dir = createTempDir();
let sim: Simulator | undefined;
const apps: TestApp[] = [];
beforeAll(async () => {
  const clock = createSteppedClock(START);
  sim = await startSimulator({ certDir: simCertDir(join(dir.path, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false, clock });
});
afterAll(async () => {
  for (const t of apps) await t.close();
  await sim?.stop();
  dir.remove();
});

/** The module (src/… path) that armed each timer, counted when it fires. */
function countFiresByModule(clock: Clock): { byModule: Map<string, number>; reset(): void } {
  const byModule = new Map<string, number>();
  const arm = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => {
    const frames = (new Error().stack ?? "").split("\n");
    const armer = frames.map((f) => /\/src\/([\w/.-]+\.ts)/.exec(f)?.[1]).find((f) => f && !/^platform\/core\/(clock|stepped-clock)\.ts$/.test(f));
    return arm(() => {
      const key = armer ?? "?";
      byModule.set(key, (byModule.get(key) ?? 0) + 1);
      return fn();
    }, ms);
  };
  return { byModule, reset: () => byModule.clear() };
}

async function startOn(clock: SteppedClock, yaml: string, name: string): Promise<TestApp> {
  const t = createTestApp(qlikYaml(sim!) + yaml, { clock, dir: join(dir.path, name) });
  apps.push(t);
  const starting = clock.track(t.app.start(), `${name}'s start`);
  await clock.settle(60_000);
  await starting;
  return t;
}

test("idle for an hour on the default config, the outbox, escalation and the KV purge each wake at most twice, the reports never", async () => {
  const clock = createSteppedClock(START);
  const fires = countFiresByModule(clock);
  await startOn(clock, "", "idle");
  await clock.runUntil(clock.now() + 5 * MIN);
  fires.reset();
  const before = clock.firedTimers();
  await clock.runUntil(clock.now() + HOUR);
  const total = clock.firedTimers() - before;
  const of = (module: string) => fires.byModule.get(module) ?? 0;
  const table = () =>
    [...fires.byModule]
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${n} ${m}`)
      .join("\n");
  if (total >= 480) console.log(table());
  expect(of("tell/notify/worker.ts")).toBeLessThanOrEqual(2);
  expect(of("tell/escalation/service.ts")).toBeLessThanOrEqual(2);
  expect(of("keep/kv/purge-timer.ts")).toBeLessThanOrEqual(2);
  // The morning and weekly reports, which no route of the default config lists, arm nothing.
  expect(of("show/report/service.ts")).toBe(0);
  expect(total).toBeLessThan(480);
}, 120_000);

test("asleep, the outbox still sends a new delivery at once and a retry at its due time", async () => {
  const received: number[] = [];
  let answers = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      await req.text();
      received.push(clock.now());
      // The first attempt fails: the retry comes at its backoff's due time.
      return new Response(answers++ === 0 ? "down" : "ok", { status: answers === 1 ? 503 : 200 });
    },
  });
  const clock = createSteppedClock(START);
  try {
    const t = await startOn(
      clock,
      `channels:\n  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook", timeout: 10s }\nroutes:\n  - { on: [task.failed], to: [hook] }\n`,
      "deliver",
    );
    await clock.runUntil(clock.now() + HOUR);
    const raisedAt = clock.now();
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" }));
    await clock.runUntil(clock.now() + 30 * MIN);
    expect(received.length).toBe(2);
    expect(received[0]).toBe(raisedAt);
    const [row] = await t.app.notify.list({ limit: 1 });
    expect(row?.status).toBe("delivered");
    // The retry went at the time the failed attempt set for it, not at a later poll.
    expect(row?.deliveredAt).toBe(received[1]);
    expect(received[1]! - raisedAt).toBeLessThan(MIN);
  } finally {
    server.stop(true);
  }
}, 120_000);
