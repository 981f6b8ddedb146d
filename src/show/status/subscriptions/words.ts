// What the business is told of a freshness event, in its words: "Sales dashboard will be late today (expected by 07:00
// Europe/Oslo, now likely 08:10)", "Sales dashboard is fresh again (data as of 07:42)". Never a task, a job, a host or
// a scope; never a guess as "now likely" (the next day's run, a time already past). Told late: a breach, or a warning
// once the breach is certain; a warning that may still come right is the administrators' business. Fresh again only
// after the business was told late, in the same episode.
import { clockText, zonedParts } from "../../../platform/core/site-clock";
import type { WatchdogEvent } from "../../../platform/events/types";
import { spanText } from "../../../tell/notify/time-format";

/** Late, fresh again, or planned work told ahead (planned-work.ts). */
export type NoticeWord = "late" | "fresh" | "planned";

export interface NoticeText {
  /** Once per promise, app, episode and word: the store keeps the first. */
  key: string;
  /** The late notice of the same episode (a fresh notice is given only after it). */
  lateKey: string;
  word: NoticeWord;
  promise: string;
  appId: string;
  appName: string;
  title: string;
  text: string;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

const MINUTE = 60_000;
/** A time further than this past the deadline is the next cycle's run, not a time for this deadline (issue 102). */
const NEXT_CYCLE_MS = 12 * 3_600_000;

/**
 * "now likely 08:10" only when the judge knows when (expectedAt is set only then: freshness/expected-at.ts), rounded up
 * to the minute so it is never a time already past (20:16:41 says 20:17), and never a time the next cycle's run gives.
 */
function expectedText(expected: string | undefined, deadline: string | undefined, nowMs: number, zone: string): string {
  const ms = expected ? Date.parse(expected) : Number.NaN;
  const deadlineMs = deadline ? Date.parse(deadline) : Number.NaN;
  const after = Math.max(nowMs, Number.isFinite(deadlineMs) ? deadlineMs : nowMs);
  if (!Number.isFinite(ms) || ms - after > NEXT_CYCLE_MS) return "when it will be ready is not known yet";
  const shown = Math.ceil(Math.max(ms, nowMs) / MINUTE) * MINUTE;
  return `now likely ${clockText(shown, zone, nowMs)}`;
}

/** The notice of a freshness event, or undefined when the business is told nothing of it. */
export function noticeOf(e: WatchdogEvent, zone: string, nowMs: number): NoticeText | undefined {
  const promise = str(e.data.promise);
  const app = e.app;
  if (!promise || !app || !e.condition) return undefined;
  const episode = `${promise}|${app.id.toLowerCase()}|${e.condition.openedAt}`;
  const base = { promise, appId: app.id.toLowerCase(), appName: app.name, lateKey: `${episode}|late` };
  const time = (iso: string) => clockText(Date.parse(iso), zone, nowMs);
  if (e.kind === "app.freshness_recovered") {
    const asOf = str(e.data.dataAsOf);
    const title = `${app.name} is fresh again${asOf ? ` (data as of ${time(asOf)})` : ""}`;
    // The reload that brought the data, and what it came after, in the business's words (issue 102).
    const from = str(e.data.freshFrom);
    const after = e.data.freshAfter === "chain" ? ", after the loads it depends on ran" : e.data.freshAfter === "checkin" ? ", after its data arrived" : "";
    const text = from ? `${title}: it was reloaded at ${time(from)}${after}.` : `${title}.`;
    return { ...base, key: `${episode}|fresh`, word: "fresh", title, text };
  }
  const certain = e.kind === "app.freshness_breached" || (e.kind === "app.freshness_warning" && str(e.data.atRisk) !== undefined);
  if (!certain) return undefined;
  const deadline = str(e.data.deadline);
  const expected = str(e.data.expectedAt);
  const maxAgeMs = typeof e.data.maxAgeMs === "number" ? e.data.maxAgeMs : undefined;
  const likely = expectedText(expected, deadline, nowMs, zone);
  if (maxAgeMs !== undefined) {
    const asOf = str(e.data.dataAsOf);
    const title = `${app.name} is older than promised`;
    return {
      ...base,
      key: base.lateKey,
      word: "late",
      title,
      text: `${title} (never older than ${spanText(maxAgeMs)}${asOf ? `; data as of ${time(asOf)}` : ""}; ${likely}).`,
    };
  }
  const d = deadline ? Date.parse(deadline) : nowMs;
  const today = zonedParts(d, zone).date === zonedParts(nowMs, zone).date;
  const verb = e.kind === "app.freshness_breached" && d <= nowMs ? "is late" : "will be late";
  const title = `${app.name} ${verb}${today ? " today" : ""}`;
  return { ...base, key: base.lateKey, word: "late", title, text: `${title} (expected by ${time(new Date(d).toISOString())} ${zone}, ${likely}).` };
}
