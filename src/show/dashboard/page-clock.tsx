/** @jsxImportSource hono/jsx */
// The clock a dashboard page shows its times on: the site's zone (notify.timeZone, else this machine's) and the
// moment the page was drawn, given once by the Layout to every <Time> inside it. The times are written on the
// server in that zone, so a time column and the sentence beside it (written in the same zone when the event was
// stored) always agree, whatever zone the viewer's browser is in; the header names the zone.
import { createContext, useContext } from "hono/jsx";
import { zonedParts } from "../../platform/core/site-clock";
import { messageTime, timesInText } from "../../platform/core/time-text";

export interface PageClock {
  /** The site's IANA zone. */
  zone: string;
  /** When the page is drawn (the injected clock's now). */
  nowMs: number;
}

export const PageClockContext = createContext<PageClock | undefined>(undefined);

/** The page's clock; outside a Layout (a fragment drawn on its own), UTC at the instant asked. */
export function usePageClock(): PageClock {
  return useContext(PageClockContext) ?? { zone: "UTC", nowMs: Date.now() };
}

/**
 * "14:03:07" (today in the zone) or "2025-11-03 14:03"; the full time with the zone's name in the title. `about`: to
 * the minute ("14:03"), for a time that is an estimate.
 */
export function Time(props: { iso?: string | null; ms?: number; about?: boolean }) {
  const clock = usePageClock();
  const ms = props.ms ?? (props.iso ? Date.parse(props.iso) : Number.NaN);
  if (!Number.isFinite(ms)) return <span class="muted">—</span>;
  const p = zonedParts(ms, clock.zone);
  const today = p.date === zonedParts(clock.nowMs, clock.zone).date;
  const iso = new Date(ms).toISOString();
  return (
    <time datetime={iso} title={`${p.date} ${p.hms} ${p.abbr}`} data-zone={p.abbr} class="nowrap">
      {today ? (props.about ? p.hm : p.hms) : `${p.date} ${p.hm}`}
    </time>
  );
}

/**
 * A sentence the API gives with ISO-8601 instants in it (a trigger's next start as QRS states it, why a trigger is not
 * watched, why a delivery is held): each instant on the page's clock in the message format, "2026-11-25 14:29 CET",
 * as the events' sentences say them (src/platform/core/time-text.ts).
 */
export function SiteText(props: { text: string /** Cut to this many characters, after the times are rewritten. */; max?: number }) {
  const { zone } = usePageClock();
  const text = timesInText(props.text, (ms) => messageTime(ms, zone));
  return <>{props.max === undefined ? text : text.slice(0, props.max)}</>;
}
