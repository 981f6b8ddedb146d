// The site's clock: the one zone every page, event sentence and mail shows its times in (issue 68). It is
// notify.timeZone, else the zone of the machine Steward runs on; never the zone of whoever looks at a page, so a
// time column, the sentence beside it and the mail about it say the same hour. Each time people read carries the
// zone's name at that instant ("CET", "CEST", "GMT+9"), or the page names the zone once.

/** The machine's zone as last read, and the TZ it was read under (a process that sets TZ sees its new zone). */
let machine: { tz: string | undefined; zone: string } | undefined;

/** notify.timeZone, else this machine's zone, else UTC: resolved once, passed to every place that shows times. */
export function siteTimeZone(configured?: string): string {
  if (configured) return configured;
  // Read once per TZ value: a message's times and a page's clock ask for it per render, and asking Intl builds a
  // formatter each time (4 µs; a thousand times in a `config check` that previews every template).
  const tz = process.env.TZ;
  if (!machine || machine.tz !== tz) machine = { tz, zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" };
  return machine.zone;
}

export interface ZonedParts {
  /** 2026-11-25 */
  date: string;
  /** 14:29:24 */
  hms: string;
  /** 14:29 */
  hm: string;
  /** Wed */
  weekday: string;
  /** 25 (no leading zero) */
  day: string;
  /** Nov */
  month: string;
  year: string;
  /** The zone's short name at that instant: CET, CEST, GMT+9, UTC. */
  abbr: string;
}

const numeric = new Map<string, Intl.DateTimeFormat>();
const words = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 200;

function formatter(cache: Map<string, Intl.DateTimeFormat>, zone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(zone);
  if (!f) {
    if (cache.size >= MAX_FORMATTERS) cache.clear();
    f = make();
    cache.set(zone, f);
  }
  return f;
}

/**
 * The parts of the instants last formatted, by zone and instant: a notification writes the same few times in every
 * template and channel, a page the same hour in each row, and formatting costs two formatToParts (6 µs).
 */
const recentParts = new Map<string, Readonly<ZonedParts>>();
const MAX_RECENT_PARTS = 1_000;

/** The instant's wall-clock fields in the zone (shared and frozen: read them, do not change them). */
export function zonedParts(ms: number, zone: string): Readonly<ZonedParts> {
  const key = `${zone} ${ms}`;
  let parts = recentParts.get(key);
  if (!parts) {
    if (recentParts.size >= MAX_RECENT_PARTS) recentParts.clear();
    parts = Object.freeze(formatParts(ms, zone));
    recentParts.set(key, parts);
  }
  return parts;
}

function formatParts(ms: number, zone: string): ZonedParts {
  const n: Record<string, string> = {};
  const num = formatter(
    numeric,
    zone,
    () =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        timeZoneName: "short",
      }),
  );
  for (const p of num.formatToParts(new Date(ms))) n[p.type] = p.value;
  const w: Record<string, string> = {};
  const named = formatter(words, zone, () => new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", month: "short" }));
  for (const p of named.formatToParts(new Date(ms))) w[p.type] = p.value;
  return {
    date: `${n.year}-${n.month}-${n.day}`,
    hms: `${n.hour}:${n.minute}:${n.second}`,
    hm: `${n.hour}:${n.minute}`,
    weekday: w.weekday ?? "",
    day: String(Number(n.day)),
    month: w.month ?? "",
    year: n.year ?? "",
    abbr: n.timeZoneName ?? zone,
  };
}

/** "Europe/Stockholm (CET)": the zone as a page names it, with its short name now. */
export function zoneLabel(zone: string, nowMs: number): string {
  const abbr = zonedParts(nowMs, zone).abbr;
  return abbr === zone ? zone : `${zone} (${abbr})`;
}

/** "06:40" when the time is on `nowMs`'s day in the zone, else "Tue 24 Nov 06:40" (the year when it differs). */
export function clockText(ms: number, zone: string, nowMs: number): string {
  const p = zonedParts(ms, zone);
  const now = zonedParts(nowMs, zone);
  if (p.date === now.date) return p.hm;
  return `${p.weekday} ${p.day} ${p.month}${p.year === now.year ? "" : ` ${p.year}`} ${p.hm}`;
}

/** clockText with the zone's short name: "06:40 CET", "Tue 24 Nov 06:40 CET". */
export function clockTextZoned(ms: number, zone: string, nowMs: number): string {
  return `${clockText(ms, zone, nowMs)} ${zonedParts(ms, zone).abbr}`;
}
