// A promise's record as the business reads it (issue 106): fresh by its deadline on N of the last 30 and 90 days,
// each late day with how late and why (in the business reader's words), and a bar of the last 30 days in the site's
// zone. Built from the judge's one stored judgement per deadline (src/watch/freshness/record-store.ts).
import { zonedParts } from "../../platform/core/site-clock";
import type { DayJudgement } from "../../watch/freshness/record-store";

const DAY_MS = 86_400_000;
export const RECORD_DAYS = 90;
export const BAR_DAYS = 30;

export interface LateDay {
  /** The deadline missed (ISO-8601). */
  deadline: string;
  /** "Sat 14 Nov", in the site's zone. */
  day: string;
  /** When the data was fresh again (ISO-8601), null while it is not. */
  freshAt: string | null;
  /** Minutes past the deadline the data was fresh, null while it is not. */
  lateMinutes: number | null;
  /** Why, for the people who use the app. */
  cause: string;
}

export interface BarDay {
  /** 2026-11-14, in the site's zone. */
  date: string;
  /** "Sat 14 Nov". */
  day: string;
  /** fresh: fresh by the deadline; late: not; none: no deadline that day, or none judged. */
  state: "fresh" | "late" | "none";
}

export interface PromiseRecord {
  promise: string;
  last30: { fresh: number; judged: number };
  last90: { fresh: number; judged: number };
  /** The last 30 days, oldest first, today last. */
  bar: BarDay[];
  /** The late days of the last 90, newest first. */
  late: LateDay[];
}

const dayWords = (ms: number, zone: string) => {
  const p = zonedParts(ms, zone);
  return `${p.weekday} ${p.day} ${p.month}`;
};

/** "2 h 10 min", "45 min", "3 days 2 h". */
export function lateText(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d > 0 ? `${d} day${d === 1 ? "" : "s"}` : "", h > 0 ? `${h} h` : "", m > 0 && d === 0 ? `${m} min` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "less than a minute";
}

/** The record of one promise for one app, from its judgements (any order). */
export function promiseRecord(promise: string, days: readonly DayJudgement[], nowMs: number, zone: string): PromiseRecord {
  const within = (n: number) => days.filter((d) => d.deadlineMs > nowMs - n * DAY_MS && d.deadlineMs <= nowMs);
  const count = (ds: readonly DayJudgement[]) => ({ fresh: ds.filter((d) => !d.late).length, judged: ds.length });
  const byDate = new Map<string, DayJudgement[]>();
  for (const d of within(BAR_DAYS + 1)) {
    const date = zonedParts(d.deadlineMs, zone).date;
    byDate.set(date, [...(byDate.get(date) ?? []), d]);
  }
  const bar: BarDay[] = [];
  // Noon steps through the calendar days without a daylight-saving change skipping or repeating one.
  const today = zonedParts(nowMs, zone).date;
  for (let i = BAR_DAYS - 1; i >= 0; i--) {
    const ms = Date.parse(`${today}T12:00:00Z`) - i * DAY_MS;
    const date = new Date(ms).toISOString().slice(0, 10);
    const judged = byDate.get(date) ?? [];
    const state = judged.length === 0 ? "none" : judged.some((d) => d.late) ? "late" : "fresh";
    const p = new Date(ms);
    const day = `${p.toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" })} ${p.getUTCDate()} ${p.toLocaleDateString("en-GB", { month: "short", timeZone: "UTC" })}`;
    bar.push({ date, day, state });
  }
  const late = within(RECORD_DAYS)
    .filter((d) => d.late)
    .sort((a, b) => b.deadlineMs - a.deadlineMs)
    .map((d) => ({
      deadline: new Date(d.deadlineMs).toISOString(),
      day: dayWords(d.deadlineMs, zone),
      freshAt: d.freshMs === undefined ? null : new Date(d.freshMs).toISOString(),
      lateMinutes: d.freshMs === undefined ? null : Math.max(0, Math.round((d.freshMs - d.deadlineMs) / 60_000)),
      cause: d.cause ?? "the loads before it ran late",
    }));
  return { promise, last30: count(within(30)), last90: count(within(RECORD_DAYS)), bar, late };
}

/** "Fresh by its deadline on 27 of the last 30 days" (or "… of 22 deadlines in the last 30 days" on a weekday promise). */
export function recordSentence(r: PromiseRecord["last30"], days: number): string {
  if (r.judged === 0) return `No deadline judged in the last ${days} days yet`;
  return r.judged === days
    ? `Fresh by its deadline on ${r.fresh} of the last ${days} days`
    : `Fresh by its deadline on ${r.fresh} of ${r.judged} deadline${r.judged === 1 ? "" : "s"} in the last ${days} days`;
}

/** "Sat 14 Nov: 2 h 10 min late (a load it depends on failed and has to run again)". */
export function lateDaySentence(d: LateDay): string {
  const how = d.lateMinutes === null ? "not fresh by its deadline, nor since" : `${lateText(d.lateMinutes)} late`;
  return `${d.day}: ${how} (${d.cause})`;
}
