// When a schema trigger fires next, on the wall clock the simulator runs on (periods shrink with timing.timeScale).
// At time scale 1 (and on a virtual or stepped clock) the trigger's own calendar, by the simulated Scheduler's own
// arithmetic (src/sim/scheduler-clock), written apart from Steward's so each can catch the other's mistakes.
import { simNextFire } from "../scheduler-clock";
import type { SchemaTriggerModel } from "../site/model";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The trigger's period in unscaled ms; undefined for "once" and monthly (calendar) triggers. */
export function triggerPeriodMs(tr: SchemaTriggerModel): number | undefined {
  const option = Number(tr.incrementOption);
  if (option === 0 || option === 4) return undefined;
  const [m, h, d, w] = tr.incrementDescription.trim().split(/\s+/).map(Number) as [number, number, number, number];
  const ms = m * MIN + h * HOUR + d * DAY + w * 7 * DAY;
  return ms > 0 ? ms : undefined;
}

const utc = (local: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(local) ? local : `${local}Z`);

/**
 * Next fire after `nowMs`. At time scale 1 the grid is the trigger's own, as the Scheduler keeps it (its whole
 * filter, zone and daylight-saving option), moved by the trigger's schedulerShiftMinutes. Scaled, the grid starts at
 * `anchorMs` (when the simulator started) with period·timeScale in UTC, so a simulated week of daily triggers passes
 * in seconds; a simulator on a virtual clock (startSimulator's virtualClock) keeps the real grid instead.
 */
export function nextFireMs(tr: SchemaTriggerModel, nowMs: number, anchorMs: number, timeScale: number): number | undefined {
  if (!tr.enabled || tr.unreadable) return undefined;
  if (timeScale === 1) return wallClockFire(tr, nowMs);
  const start = utc(tr.startDate);
  if (Number.isNaN(start)) return undefined;
  const base = anchorMs + Math.max(0, start - anchorMs) * timeScale;
  if (Number(tr.incrementOption) === 0) return base > nowMs ? base : undefined;
  const period = Number(tr.incrementOption) === 4 ? 30 * DAY : triggerPeriodMs(tr);
  if (period === undefined) return base > nowMs ? base : undefined;
  return stepAfter(base, Math.max(1, period * timeScale), nowMs);
}

/** The trigger's own calendar on the wall clock of its zone, shifted as the site says the Scheduler reads it. */
function wallClockFire(tr: SchemaTriggerModel, nowMs: number): number | undefined {
  const shift = tr.shiftMs ?? 0;
  const r = simNextFire(tr, nowMs - shift);
  return r.ok && r.next !== undefined ? r.next + shift : undefined;
}

/** Whether the trigger, as it is now, still fires at `atMs` (it may have been disabled, ended or changed since it was armed). */
export function stillFiresAt(tr: SchemaTriggerModel, atMs: number): boolean {
  return nextFireMs(tr, atMs - 1, atMs, 1) === atMs;
}

function stepAfter(base: number, period: number, nowMs: number): number {
  if (base > nowMs) return base;
  return base + (Math.floor((nowMs - base) / period) + 1) * period;
}
