// An SVG badge in the shields style: a grey label and a coloured state with "data as of 06:12", sized from the text
// (an approximate width per character is enough for a badge), every text escaped.
import type { StatusState } from "./app-status";

const COLOUR: Record<StatusState, string> = { fresh: "#2e7d32", late: "#b45309", failed: "#b3261e", unknown: "#6b7280" };
const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const width = (s: string) => Math.round(s.length * 6.5 + 12);

export function badgeSvg(label: string, state: StatusState, asOf: string | undefined): string {
  const value = asOf ? `${state} · data as of ${asOf}` : state;
  const lw = width(label);
  const vw = width(value);
  const l = xml(label);
  const v = xml(value);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + vw}" height="20" role="img" aria-label="${l}: ${v}"><title>${l}: ${v}</title><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${COLOUR[state]}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="${lw / 2}" y="14">${l}</text><text x="${lw + vw / 2}" y="14" data-state="${state}">${v}</text></g></svg>`;
}

/** "06:12" in the zone (or "Nov 22 06:12" when not today there). */
export function localClock(iso: string, timeZone: string, nowMs: number): string {
  const d = new Date(iso);
  const day = (t: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
  const hm = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
  if (day(d) === day(new Date(nowMs))) return hm;
  return `${new Intl.DateTimeFormat("en-GB", { timeZone, month: "short", day: "numeric" }).format(d)} ${hm}`;
}
