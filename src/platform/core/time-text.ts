// How a time reads where a person reads it (issue 74): one format per medium, in one place, so a mail, the page it
// links to and a CLI line never show the same instant three ways, and never as raw ISO-8601.
//   message   mail (HTML and text), Slack, Teams, the sentences stored with events and deliveries, the link pages:
//             "2026-11-26 07:50 CET", the site's zone with its short name at that instant.
//   dashboard a time column: "07:50:09" today, else "2026-11-26 07:50"; the page's header names the zone once, the
//             tooltip gives the full time (page-clock.tsx). A sentence on a page is in the message format.
//   CLI       "2026-11-26 22:00 +01:00": in the offset the person typed, else the site's zone's offset then.
//   /status and the reports, read by people away from Steward: "06:40" today, else "Tue 24 Nov 06:40", the zone
//             named once on the page (site-clock.ts clockText, show/report/report-time.ts).
// What machines read keeps its own form: REST fields, webhook JSON, MQTT, InfluxDB and Butler's template variables.
import { zonedParts } from "./site-clock";
import { zoneOffsetMs } from "./time-zone";

/** "2026-11-26 07:50 CET": a time in a message or a sentence a person reads, on the site's clock. */
export function messageTime(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${p.date} ${p.hm} ${p.abbr}`;
}

/** An instant as Date.toISOString writes it (what the judges, gates and links put in their sentences). */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z\b/g;

/** The sentence with each ISO-8601 instant in it written by `format` (messageTime on the site's zone). */
export function timesInText(text: string, format: (ms: number) => string): string {
  return text.replace(ISO_INSTANT, (iso) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? format(ms) : iso;
  });
}

/** Whether the text holds a time written for machines (ISO-8601 with a T), which a person should not be shown. */
export function hasIsoTime(text: string): boolean {
  return /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text);
}

/** The offset a time was typed with, in minutes east of UTC: "+01:00" → 60, "Z" → 0; none → undefined. */
export function typedOffset(input: string): number | undefined {
  const m = /(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i.exec(input.trim());
  if (!m?.[1]) return undefined;
  if (m[1].toUpperCase() === "Z") return 0;
  const sign = m[1].startsWith("-") ? -1 : 1;
  const digits = m[1].slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
}

const two = (n: number) => String(n).padStart(2, "0");

/** "2026-11-26 22:00 +01:00": a time on a CLI line at a fixed offset (minutes east of UTC). */
export function cliTimeAtOffset(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const abs = Math.abs(offsetMinutes);
  const offset = `${offsetMinutes < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${offset}`;
}

/** A time on a CLI line: at the offset the person typed when there is one, else at the site zone's offset then. */
export function cliTime(ms: number, zone: string, typed?: number): string {
  return cliTimeAtOffset(ms, typed ?? Math.round(zoneOffsetMs(zone, ms) / 60_000));
}
