// Reads a promise from an app's QMC custom property (StewardFreshBy by default), so an app owner's promise lives
// with the app: "07:00", "07:00 warn 06:30", "07:00 warn 06:30 Mon-Fri Europe/Stockholm", or never older than an
// age during some hours: "max 2h 07:00-18:00 Mon-Fri Europe/Stockholm warn 90m". A value Steward cannot read
// is an error naming the part, never a guess.
import { type FreshnessPromiseConfig, HOURS, WEEKDAYS } from "./config";
import { parseDuration } from "../../platform/core/duration";
import { isKnownZone } from "../../platform/core/time-zone";

type Day = (typeof WEEKDAYS)[number];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function readDays(token: string): Day[] | undefined {
  const t = token.toLowerCase();
  if (t === "daily" || t === "every-day") return [...WEEKDAYS];
  const range = /^([a-z]{3})-([a-z]{3})$/.exec(t);
  if (range) {
    const from = WEEKDAYS.indexOf(range[1] as Day);
    const to = WEEKDAYS.indexOf(range[2] as Day);
    if (from < 0 || to < 0) return undefined;
    const out: Day[] = [];
    for (let i = from; ; i = (i + 1) % 7) {
      out.push(WEEKDAYS[i]!);
      if (i === to) break;
    }
    return out;
  }
  const list = t.split(",");
  return list.every((d) => (WEEKDAYS as readonly string[]).includes(d)) ? (list as Day[]) : undefined;
}

type Parsed = { ok: true; promise: Omit<FreshnessPromiseConfig, "appIds" | "appNames" | "streams" | "appTags"> } | { ok: false; error: string };

/** "max 2h 07:00-18:00 Mon-Fri Europe/Stockholm warn 90m": never older than 2 h during those hours. */
function parseMaxAge(tokens: string[]): Parsed {
  const maxAge = parseDuration(tokens.shift() ?? "");
  if (maxAge === undefined) return { ok: false, error: "'max' needs an age like 2h or 90m" };
  let warnAfter: number | undefined;
  let during: string | undefined;
  let days: Day[] = [...WEEKDAYS];
  let timeZone = "UTC";
  while (tokens.length > 0) {
    const t = tokens.shift()!;
    if (t.toLowerCase() === "warn") {
      const w = tokens.shift() ?? "";
      warnAfter = parseDuration(w);
      if (warnAfter === undefined) return { ok: false, error: `warn '${w}' is not an age like 90m` };
      if (warnAfter >= maxAge) return { ok: false, error: `warn ${w} is not less than the age` };
    } else if (HOURS.test(t)) {
      if (t.slice(0, 5) >= t.slice(6)) return { ok: false, error: `'${t}' ends before it begins` };
      during = t;
    } else if (t.includes("/") || t === "UTC") {
      if (!isKnownZone(t)) return { ok: false, error: `unknown time zone '${t}'` };
      timeZone = t;
    } else {
      const d = readDays(t);
      if (!d) return { ok: false, error: `'${t}' is not hours (07:00-18:00), days (Mon-Fri, Mon,Wed,Fri or daily), 'warn <age>' or a time zone` };
      days = d;
    }
  }
  return { ok: true, promise: { maxAge, ...(warnAfter !== undefined ? { warnAfter } : {}), ...(during ? { during } : {}), days, timeZone } };
}

export function parseFreshBy(value: string): Parsed {
  const tokens = value.trim().split(/\s+/);
  if (tokens[0]?.toLowerCase() === "max") return parseMaxAge(tokens.slice(1));
  const freshBy = tokens.shift() ?? "";
  if (!TIME.test(freshBy)) return { ok: false, error: `'${freshBy}' is not a time of day HH:MM (24 h), nor 'max <age>'` };
  let warnAt: string | undefined;
  let days: Day[] = [...WEEKDAYS];
  let timeZone = "UTC";
  while (tokens.length > 0) {
    const t = tokens.shift()!;
    if (t.toLowerCase() === "warn") {
      const w = tokens.shift() ?? "";
      if (!TIME.test(w)) return { ok: false, error: `warn '${w}' is not a time of day HH:MM` };
      if (w >= freshBy) return { ok: false, error: `warn ${w} is not before ${freshBy}` };
      warnAt = w;
    } else if (t.includes("/") || t === "UTC") {
      if (!isKnownZone(t)) return { ok: false, error: `unknown time zone '${t}'` };
      timeZone = t;
    } else {
      const d = readDays(t);
      if (!d) return { ok: false, error: `'${t}' is not days (Mon-Fri, Mon,Wed,Fri or daily), 'warn HH:MM' or a time zone` };
      days = d;
    }
  }
  return { ok: true, promise: { freshBy, ...(warnAt ? { warnAt } : {}), days, timeZone } };
}
