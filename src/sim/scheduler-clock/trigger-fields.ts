// The QRS fields of a schema trigger (schemaevent) read into the simulated Scheduler's own model, as
// docs/watchdog.md states them ("How Steward reads a trigger"); anything else is a sentence naming the field.
import { type DayFilter, readDayFilter } from "./day-filter";
import { triggerClock, zoneExists } from "./zone-clock";

export interface SimTriggerFields {
  incrementOption: number | string;
  incrementDescription: string;
  schemaFilterDescription?: string | readonly string[] | null;
  startDate: string;
  expirationDate?: string | null;
  timeZone?: string | null;
  daylightSavingTime?: number | string | null;
}

export interface SimTrigger {
  kind: "once" | "grid" | "days";
  /** The grid's step in ms, or the day step in days. */
  step: number;
  option: number;
  filter: DayFilter;
  /** startDate as a wall time, its fields read as UTC. */
  startWall: number;
  /** startDate as an instant, when it was written as one (a `Z` or an offset after it); startWall is then its wall time. */
  startInstant?: number;
  /** expirationDate likewise; undefined: never. */
  endWall?: number;
  endInstant?: number;
  zone: string;
  dst: 0 | 1 | 2;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A QRS date: the wall time its fields name, and, when it ends in `Z` or an offset, the instant it names (QRS writes
 * its own dates so: a schemaevent's startDate with Z is the instant of its first fire).
 */
function dateOfText(text: string): { wall: number; instant?: number } | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  const wall = t.getTime();
  const zone = m[7];
  if (zone === undefined) return { wall };
  if (zone === "Z") return { wall, instant: wall };
  const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  if (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4, 6)) > 59) return undefined;
  return { wall, instant: wall - (zone[0] === "-" ? -1 : 1) * minutes * 60_000 };
}

function wholeNumber(v: number | string | null | undefined): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\s*\d+\s*$/.test(v) && v.trim().length <= 6) return Number(v);
  return undefined;
}

const MINUTE = 60_000;

/** The trigger, or why the Scheduler cannot read it. */
export function readSimTrigger(t: SimTriggerFields): SimTrigger | string {
  const option = wholeNumber(t.incrementOption);
  if (option === undefined || option > 5) return `incrementOption ${String(t.incrementOption).slice(0, 40)} is not 0–5`;
  const inc = t.incrementDescription.trim().split(/\s+/);
  if (inc.length !== 4 || !inc.every((x) => /^\d{1,6}$/.test(x) && Number(x) <= 100_000))
    return `incrementDescription '${t.incrementDescription.slice(0, 40)}' is not four whole numbers (minutes hours days weeks)`;
  const [m, h, d, w] = inc.map(Number) as [number, number, number, number];
  const list = t.schemaFilterDescription;
  if (Array.isArray(list) && list.length > 1) return "more than one schemaFilterDescription";
  const text = (Array.isArray(list) ? list[0] : list) as string | undefined | null;
  const filter = readDayFilter(text?.trim() ? text : "* * - * * * * *");
  if (typeof filter === "string") return filter;
  const startRead = dateOfText(t.startDate);
  if (startRead === undefined) return `startDate '${t.startDate.slice(0, 40)}' is not a date`;
  const zone = t.timeZone || "UTC";
  if (!zoneExists(zone)) return `timeZone '${zone.slice(0, 60)}' is not a zone`;
  const dstRaw = t.daylightSavingTime === null || t.daylightSavingTime === undefined ? 0 : wholeNumber(t.daylightSavingTime);
  if (dstRaw === undefined || dstRaw > 3) return `daylightSavingTime ${String(t.daylightSavingTime).slice(0, 20)} is not 0–3`;
  const dst = (dstRaw === 3 ? 0 : dstRaw) as 0 | 1 | 2;
  const clock = triggerClock(zone, dst);
  // An instant's wall time is what a day step repeats; the instant itself is where a once or a grid starts.
  const startInstant = startRead.instant;
  const startWall = startInstant === undefined ? startRead.wall : clock.wallOf(startInstant);
  let endWall: number | undefined;
  let endInstant: number | undefined;
  if (t.expirationDate) {
    const endRead = dateOfText(t.expirationDate);
    if (endRead === undefined) return `expirationDate '${t.expirationDate.slice(0, 40)}' is not a date`;
    if (new Date(endRead.wall).getUTCFullYear() < 9999) {
      endInstant = endRead.instant;
      endWall = endInstant === undefined ? endRead.wall : clock.wallOf(endInstant);
    }
  }
  const base = {
    option,
    filter,
    startWall,
    ...(startInstant !== undefined ? { startInstant } : {}),
    ...(endWall !== undefined ? { endWall } : {}),
    ...(endInstant !== undefined ? { endInstant } : {}),
    zone,
    dst,
  };
  if (option === 0 || m + h + d + w === 0) return { ...base, kind: "once", step: 0 };
  if (m > 0 || h > 0) return { ...base, kind: "grid", step: (m + 60 * h + 1440 * d + 10_080 * w) * MINUTE };
  return { ...base, kind: "days", step: d + 7 * w };
}
