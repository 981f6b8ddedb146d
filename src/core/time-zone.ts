// Wall-clock times in a named IANA zone (Qlik Sense triggers store a local start time and a zone).

/** Whether the runtime knows the zone. */
export function isKnownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `utcMs`, in ms. */
export function zoneOffsetMs(tz: string, utcMs: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  const parts = f.formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in the zone (its fields read as if UTC, in ms) to the instant. */
export function zonedLocalToUtc(tz: string, localMs: number): number {
  const guess = localMs - zoneOffsetMs(tz, localMs);
  return localMs - zoneOffsetMs(tz, guess);
}
