// A Steward of a PostgreSQL cluster on a stepped clock (heartbeat a minute, lease three, a look for the other members'
// work every 10 s). Its start is work in flight on that clock: simulated time stands still until it has finished,
// however long the machine takes, and then moves one second, so members started one after the other start a second
// apart on every run. Two members looking every second (the default peerPollIntervalMs) made each simulated second a
// few steps of the clock and a statement each: two hours of a held attempt with both took 25 s, at 10 s 4 s.
import { join } from "node:path";
import type { SteppedClock } from "../../src/platform/core/stepped-clock";
import { createTestApp, type TestApp } from "./app";

/**
 * `yaml` is appended to the store block (a qlik: or watchdog: section); `beforeStart` sees the app before it starts
 * (to listen on its bus); `peerPollIntervalMs` is store.postgres's (10 s unless given).
 */
export async function startSteppedMember(
  clock: SteppedClock,
  url: string,
  name: string,
  dir: string,
  opts: { yaml?: string; beforeStart?: (t: TestApp) => void; peerPollIntervalMs?: number } = {},
): Promise<TestApp> {
  const pg = `url: "${url}", instanceName: ${name}, leaseTtlMs: 180000, heartbeatIntervalMs: 60000, peerPollIntervalMs: ${opts.peerPollIntervalMs ?? 10_000}`;
  const t = createTestApp(`store:\n  postgres: { ${pg} }\n${opts.yaml ?? ""}`, {
    clock,
    dir: join(dir, name),
  });
  opts.beforeStart?.(t);
  // Stepping time while the start ran (a second a step) let a loaded machine's slow start cost simulated seconds or
  // minutes: the members' looks fell on other seconds, or the site ran past the test's first check before it began.
  const starting = clock.track(t.app.start(), `${name}'s start`);
  await clock.settle(60_000);
  await starting;
  await clock.runUntil(clock.now() + 1_000);
  return t;
}
