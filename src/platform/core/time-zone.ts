// Wall-clock times in a named IANA zone (Qlik Sense triggers store a local start time and a zone).

// Zones found known: a trigger's zone is asked about on every read of the plan, and building a formatter to find
// out costs about 30 µs. Unknown names are not kept (a hostile input could otherwise fill the set).
const knownZones = new Set<string>();
const MAX_KNOWN_ZONES = 1_000;

/** Whether the runtime knows the zone. */
export function isKnownZone(tz: string): boolean {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    return false;
  }
  if (knownZones.size < MAX_KNOWN_ZONES) knownZones.add(tz);
  return true;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * This machine's IANA zone. Ask when a time is shown, not at start: asking Intl loads ICU's zone data, about 4 MiB of
 * memory that a start showing no local time does not need (issue 69).
 */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const HOUR_MS = 3_600_000;
/**
 * Per zone, per UTC hour: the offset all through that hour, or NaN when it changes within the hour. Keyed by number
 * within a zone: a look asks thousands of times, and a key built from the zone's name was most of each answer.
 */
const hourOffsets = new Map<string, Map<number, number>>();
let cachedHours = 0;
const MAX_CACHED_HOURS = 200_000;

/**
 * The zone's offset from UTC at `utcMs`, in ms. Asking Intl is slow (a watchdog look computes thousands of trigger
 * times), so each UTC hour is asked about once: an hour whose start and end have the same offset has it throughout
 * (no zone changes its offset twice within an hour); an hour with a change in it is asked about per instant.
 */
export function zoneOffsetMs(tz: string, utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS);
  let hours = hourOffsets.get(tz);
  let offset = hours?.get(hour);
  if (offset === undefined) {
    const atStart = exactZoneOffsetMs(tz, hour * HOUR_MS);
    offset = atStart === exactZoneOffsetMs(tz, (hour + 1) * HOUR_MS - 1000) ? atStart : Number.NaN;
    if (cachedHours >= MAX_CACHED_HOURS) {
      hourOffsets.clear();
      cachedHours = 0;
      hours = undefined;
    }
    if (!hours) hourOffsets.set(tz, (hours = new Map()));
    hours.set(hour, offset);
    cachedHours++;
  }
  return Number.isNaN(offset) ? exactZoneOffsetMs(tz, utcMs) : offset;
}

function exactZoneOffsetMs(tz: string, utcMs: number): number {
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

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

/**
 * An ISO-8601 time to its instant: with Z or an offset as it says, without one (what a datetime-local field sends,
 * "2026-11-26T22:00") as a wall-clock time in `zone`. NaN for text that is neither.
 */
export function instantIn(text: string, zone: string): number {
  const m = LOCAL_TIME.exec(text);
  if (!m) return Date.parse(text);
  const [, y, mo, d, h, mi, s, frac] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((frac ?? "0").padEnd(3, "0")));
  return zonedLocalToUtc(zone, local);
}
