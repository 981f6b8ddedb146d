// Times in messages: UTC and five local renderings (Butler's *Local1..5 variables) in the site's zone, and the same
// with the zone's name (Steward's own: plain text always says which zone a time is in).
import { siteTimeZone, zonedParts } from "../../platform/core/site-clock";
import { messageTime } from "../../platform/core/time-text";

export interface LocalTimes {
  utc: string;
  local1: string;
  local2: string;
  local3: string;
  local4: string;
  local5: string;
  /** The zone's short name at that instant: "CET", "CEST", "GMT+9", "UTC". */
  zone: string;
  /** The message format every built-in template writes (src/platform/core/time-text.ts): "2026-03-01 14:05 CET". */
  zoned: string;
}

const EMPTY: LocalTimes = { utc: "", local1: "", local2: "", local3: "", local4: "", local5: "", zone: "", zoned: "" };

/**
 * local1 2026-03-01 14:05:09 · local2 2026-03-01 14:05 · local3 01/03/2026 14:05:09 (day first) ·
 * local4 03/01/2026 14:05:09 (month first) · local5 Sun, 1 Mar 2026 14:05:09 CET · zoned 2026-03-01 14:05 CET
 */
export function localTimes(iso: string | undefined, timeZone?: string): LocalTimes {
  if (!iso) return EMPTY;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { ...EMPTY, utc: iso };
  const zone = siteTimeZone(timeZone);
  const p = zonedParts(d.getTime(), zone);
  const [year, month, day] = p.date.split("-") as [string, string, string];
  return {
    utc: d
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC"),
    local1: `${p.date} ${p.hms}`,
    local2: `${p.date} ${p.hm}`,
    local3: `${day}/${month}/${year} ${p.hms}`,
    local4: `${month}/${day}/${year} ${p.hms}`,
    local5: `${p.weekday}, ${p.day} ${p.month} ${p.year} ${p.hms} ${p.abbr}`,
    zone: p.abbr,
    zoned: messageTime(d.getTime(), zone),
  };
}

/** Hours/minutes/seconds split of a duration (Butler's executionDuration). */
export function splitDuration(ms: number | undefined): { hours: number; minutes: number; seconds: number } {
  const total = Math.max(0, Math.round((ms ?? 0) / 1000));
  return { hours: Math.floor(total / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
}

/** "1 h 02 min 05 s" style text for messages. */
export function durationText(ms: number | undefined): string {
  if (ms === undefined) return "";
  const { hours, minutes, seconds } = splitDuration(ms);
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min ${String(seconds).padStart(2, "0")} s`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  return `${seconds} s`;
}

/** A span as people say it: "42 s", "12 min", "1 h 15 min", "2 d 3 h" (an incident is not timed to the second). */
export function spanText(ms: number): string {
  const s = Math.round(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
