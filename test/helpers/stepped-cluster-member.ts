// A Steward of a PostgreSQL cluster on a stepped clock (heartbeat a minute, lease three), started by moving time a
// second at a time until its start has finished: its start waits on timers of that clock.
import { join } from "node:path";
import type { SteppedClock } from "../../src/platform/core/stepped-clock";
import { createTestApp, type TestApp } from "./app";

/**
 * `yaml` is appended to the store block (a qlik: or watchdog: section); `beforeStart` sees the app before it starts
 * (to listen on its bus).
 */
export async function startSteppedMember(
  clock: SteppedClock,
  url: string,
  name: string,
  dir: string,
  opts: { yaml?: string; beforeStart?: (t: TestApp) => void } = {},
): Promise<TestApp> {
  const t = createTestApp(`store:\n  postgres: { url: "${url}", instanceName: ${name}, leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n${opts.yaml ?? ""}`, {
    clock,
    dir: join(dir, name),
  });
  opts.beforeStart?.(t);
  let started = false;
  const starting = t.app.start().finally(() => {
    started = true;
  });
  while (!started) await clock.runUntil(clock.now() + 1_000);
  await starting;
  return t;
}
