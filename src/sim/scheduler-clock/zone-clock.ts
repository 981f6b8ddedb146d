// Wall-clock time in a trigger's zone for the simulated Scheduler, asked of Intl directly (formatToParts), with its
// own small cache: written apart from Steward's src/platform/core/time-zone.ts so the two can catch each other's mistakes.

const HOUR = 3_600_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, f);
  }
  return f;
}

/** Whether Intl knows the zone. */
export function zoneExists(zone: string): boolean {
  try {
    formatOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset (ms) at an instant: its wall clock read back as if UTC, minus the instant. */
function intlOffset(zone: string, utc: number): number {
  const parts = formatOf(zone).formatToParts(new Date(utc));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? "0");
  // Years before 1000 or far in the future still come back as plain numbers with "numeric".
  const wall = new Date(0);
  wall.setUTCFullYear(n("year"), n("month") - 1, n("day"));
  wall.setUTCHours(n("hour"), n("minute"), n("second"), 0);
  return wall.getTime() - Math.floor(utc / 1000) * 1000;
}

/**
 * Each zone's offset by UTC hour, shared by every trigger clock of the process: the Scheduler makes a clock for every
 * next-fire question (after each run, for each trigger), and one formatToParts costs more than the rest of the
 * question; the offsets of a zone do not depend on who asks.
 */
const offsetsByZone = new Map<string, Map<number, number>>();

/** How a trigger's zone and daylight-saving option turn instants into wall times and back. */
export interface TriggerClock {
  offsetAt(utc: number): number;
  /** The instant of a wall time (its fields read as UTC): a gap moves it forward, an overlap takes the later one. */
  instantOf(wall: number): number;
  wallOf(utc: number): number;
}

/**
 * 0 observe: the zone's own offset. 1 / 2 permanent standard / daylight time: the smaller / larger of the zone's
 * offsets on 15 January and 15 July of the instant's UTC year.
 */
export function triggerClock(zone: string, dst: 0 | 1 | 2): TriggerClock {
  let byHour = offsetsByZone.get(zone);
  if (!byHour) offsetsByZone.set(zone, (byHour = new Map()));
  const hours = byHour;
  const observed = (utc: number) => {
    const h = Math.floor(utc / HOUR);
    let v = hours.get(h);
    if (v === undefined) {
      // An hour whose two ends agree has that offset throughout (no zone changes twice in an hour).
      const a = intlOffset(zone, h * HOUR);
      const b = intlOffset(zone, h * HOUR + HOUR - 1);
      if (a !== b) return intlOffset(zone, utc);
      v = a;
      if (hours.size > 50_000) hours.clear();
      hours.set(h, v);
    }
    return v;
  };
  const perYear = new Map<number, number>();
  const fixed = (utc: number) => {
    const y = new Date(utc).getUTCFullYear();
    let v = perYear.get(y);
    if (v === undefined) {
      const jan = new Date(0);
      jan.setUTCFullYear(y, 0, 15);
      const jul = new Date(0);
      jul.setUTCFullYear(y, 6, 15);
      const a = observed(jan.getTime());
      const b = observed(jul.getTime());
      v = dst === 1 ? Math.min(a, b) : Math.max(a, b);
      perYear.set(y, v);
    }
    return v;
  };
  const offsetAt = dst === 0 ? observed : fixed;
  return {
    offsetAt,
    wallOf: (utc) => utc + offsetAt(utc),
    instantOf(wall) {
      // The wall time under the offsets of half a day before and after: whichever reads back as this wall time;
      // both (an overlap): the later instant; neither (a gap): the offset from before the change.
      const before = wall - offsetAt(wall - 12 * HOUR);
      const after = wall - offsetAt(wall + 12 * HOUR);
      const fits = [before, after].filter((u) => u + offsetAt(u) === wall);
      if (fits.length > 0) return Math.max(...fits);
      return before;
    },
  };
}
