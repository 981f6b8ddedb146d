// A promise's deadlines and warning times: freshBy on its days in its zone (a croner cron, so daylight saving is
// followed), answering "the latest deadline at or before t" and "the first after t".
import { Cron } from "croner";
import { spanCached } from "../../platform/core/occurrence-span";
import { type FreshnessPromiseConfig, WEEKDAYS } from "./config";

export interface Deadlines {
  /** The latest deadline at or before `t`, or undefined. */
  atOrBefore(t: number): number | undefined;
  /** The first deadline strictly after `t`, or undefined. */
  after(t: number): number | undefined;
  /** How long before a deadline the warning comes (0: no warning). */
  warnBeforeMs: number;
  /** For messages: "07:00 Mon, Tue, … (Europe/Stockholm)". */
  text: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function compileDeadlines(p: Pick<FreshnessPromiseConfig, "warnAt" | "days" | "timeZone"> & { freshBy: string }): Deadlines {
  const m = minutes(p.freshBy);
  const dow = p.days.map((d) => WEEKDAYS.indexOf(d)).join(",");
  const cron = new Cron(`${m % 60} ${Math.floor(m / 60)} * * ${dow}`, { paused: true, timezone: p.timeZone });
  const spans = spanCached({
    // croner's previousRuns is strictly before its reference: ask from just after t.
    previous: (t) => cron.previousRuns(1, new Date(t + 1))[0]?.getTime(),
    next: (t) => cron.nextRun(new Date(t))?.getTime(),
  });
  const days = p.days.length === 7 ? "every day" : p.days.map((d) => d[0]!.toUpperCase() + d.slice(1)).join(", ");
  return {
    atOrBefore: (t) => spans.previous(t),
    after: (t) => spans.next(t),
    warnBeforeMs: p.warnAt === undefined ? 0 : (m - minutes(p.warnAt)) * 60_000,
    text: `${p.freshBy} ${days} (${p.timeZone})`,
  };
}
