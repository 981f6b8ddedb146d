// Simulated time for Steward and the simulator together: `speed` times faster than the wall clock from one
// anchor, so both read the same "now" and a week of a site's triggers passes in seconds.
import type { Clock } from "../../src/core/clock";

export interface VirtualTime {
  startMs: number;
  speed: number;
  realStartMs: number;
  clock: Clock;
}

export function virtualTime(startMs: number, speed: number): VirtualTime {
  const realStartMs = Date.now();
  const now = () => startMs + (Date.now() - realStartMs) * speed;
  return {
    startMs,
    speed,
    realStartMs,
    clock: {
      now,
      setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms / speed)),
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    },
  };
}
