// When a schema trigger fires next, on the wall clock the simulator runs on (periods shrink with timing.timeScale).
import { nextQmcFire } from "../../core/qmc-schedule";
import { readQmcSchedule } from "../../core/qmc-trigger-read";
import type { SchemaTriggerModel } from "../site/model";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The trigger's period in unscaled ms; undefined for "once" and monthly (calendar) triggers. */
export function triggerPeriodMs(tr: SchemaTriggerModel): number | undefined {
  if (tr.incrementOption === 0 || tr.incrementOption === 4) return undefined;
  const [m, h, d, w] = tr.incrementDescription.split(" ").map(Number) as [number, number, number, number];
  const ms = m * MIN + h * HOUR + d * DAY + w * 7 * DAY;
  return ms > 0 ? ms : ([0, HOUR, DAY, 7 * DAY, 0, DAY][tr.incrementOption] ?? DAY);
}

const utc = (local: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(local) ? local : `${local}Z`);

/**
 * Next fire after `nowMs`. At time scale 1 the grid is the trigger's own, as the Scheduler keeps it: startDate is
 * wall-clock time in the trigger's timeZone, and daily, weekly and monthly steps keep that wall time across
 * daylight-saving changes (hourly and minute steps are fixed intervals). Scaled, the grid starts at `anchorMs`
 * (when the simulator started) with period·timeScale in UTC, so a simulated week of daily triggers passes in
 * seconds; a simulator on a virtual clock (startSimulator's virtualClock) keeps the real grid instead.
 */
export function nextFireMs(tr: SchemaTriggerModel, nowMs: number, anchorMs: number, timeScale: number): number | undefined {
  const scaled = timeScale !== 1;
  if (!scaled) return wallClockFire(tr, nowMs);
  const start = utc(tr.startDate);
  if (!tr.enabled || Number.isNaN(start)) return undefined;
  const base = scaled ? anchorMs + Math.max(0, start - anchorMs) * timeScale : start;
  let next: number | undefined;
  if (tr.incrementOption === 0) next = base > nowMs ? base : undefined;
  else if (tr.incrementOption === 4) {
    if (scaled) next = stepAfter(base, 30 * DAY * timeScale, nowMs);
    else {
      const d = new Date(start);
      while (d.getTime() <= nowMs) d.setUTCMonth(d.getUTCMonth() + 1);
      next = d.getTime();
    }
  } else next = stepAfter(base, Math.max(1, triggerPeriodMs(tr)! * timeScale), nowMs);
  return next;
}

/** The trigger's own calendar on the wall clock of its zone: its whole filter, zone and daylight-saving option. */
function wallClockFire(tr: SchemaTriggerModel, nowMs: number): number | undefined {
  if (!tr.enabled) return undefined;
  const read = readQmcSchedule(tr);
  return read.ok ? nextQmcFire(read.schedule, nowMs) : undefined;
}

function stepAfter(base: number, period: number, nowMs: number): number {
  if (base > nowMs) return base;
  return base + (Math.floor((nowMs - base) / period) + 1) * period;
}
