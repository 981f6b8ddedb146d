// The simulated Qlik Cloud tenant answers by its own clock: a reload starts and ends at its planned times even when
// the timers that would end it fire late (a busy machine), so a watchdog never sees a run longer than the tenant ran.
import { expect, test } from "bun:test";
import type { Clock, Timer } from "../../../src/platform/core/clock";
import { createCloudTenant } from "../../../src/sim/cloud";
import { DEFAULT_SITE_YAML } from "../../../src/sim/site/default-site";
import { parseSite } from "../../../src/sim/site/load";

/** A clock whose timers never fire by themselves: what a machine too busy to run them looks like. */
function stalledClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => ({}) as Timer,
    clearTimeout: () => {},
    set: (ms) => void (now = ms),
  };
}

test("a reload whose end timer has not fired yet is over once its planned end has passed", () => {
  const clock = stalledClock(Date.parse("2026-03-29T14:00:00Z"));
  const site = parseSite(DEFAULT_SITE_YAML);
  const tenant = createCloudTenant(site, { now: clock.now, clock, durationMs: () => 50_000, schedules: false });
  try {
    let ended = 0;
    const r = tenant.runReload(site.apps[0]!.id, "succeed", { onEnd: () => ended++ });
    tenant.settle(clock.now() + 10_000);
    expect(r.status).toBe("QUEUED");
    clock.set(clock.now() + 20_000);
    tenant.settle(clock.now());
    expect(r.status).toBe("RELOADING");
    // 13 minutes later the end timer still has not run: the tenant says the reload took its planned 50 s.
    clock.set(clock.now() + 13 * 60_000);
    tenant.settle(clock.now());
    expect(r.status).toBe("SUCCEEDED");
    expect(r.endTime! - r.creationTime).toBe(50_000);
    expect(r.endTime! - r.startTime!).toBe(50_000 - 12_500);
    tenant.settle(clock.now());
    expect(ended).toBe(1);
  } finally {
    tenant.stop();
  }
});
