// Sends the morning and weekly reports at their times of day (in their zone, so daylight saving is followed), on one
// Steward of the site (the site-monitor lease), to the routes that list them. A report is one event per day and
// kind (its id names the day), so a second Steward or a restart within the minute cannot send it twice.
import { Cron } from "croner";
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { inFlight } from "../../platform/core/stepped-clock";
import type { SiteEvent } from "../../platform/events/types";
import { buildReport, type ReportInputs } from "./build-report";
import { REPORT_DAYS, type ReportsConfig } from "./config";
import { reportDay, reportTime } from "./report-time";
import { zoneLabel } from "../../platform/core/site-clock";

const DAY = 86_400_000;

/** What a report reads, gathered for the span [from, to). */
export type ReportSources = (
  kind: "morning" | "weekly",
  from: number,
  to: number,
) => Promise<Omit<ReportInputs, "kind" | "from" | "to" | "host" | "formatTime" | "day">>;

export interface ReportServiceDeps {
  clock: Clock;
  log: Logger;
  host: string;
  /** The site's zone (notify.timeZone, else this machine's): the default zone. */
  timeZone: string | undefined;
  /** Does a route list this kind in `on:` (else the report is not built at all)? */
  wanted(kind: "report.morning" | "report.weekly"): boolean;
  sources: ReportSources;
  emit(e: SiteEvent): Promise<void>;
}

export interface ReportService extends Component {
  /** Builds and emits the report due at `at` now (tests, and the schedule itself). */
  send(kind: "morning" | "weekly", at: number): Promise<SiteEvent | undefined>;
  /** The morning report's facts for any span [from, to), built now and sent nowhere (GET /v4/report, the assistants). */
  summarize(from: number, to: number): Promise<SiteEvent>;
}

/**
 * A report's schedule. In UTC (the default zone) croner counts with an offset of 0 instead of asking Intl: the same
 * times, without loading ICU's zone data at start (issue 69).
 */
export const reportCron = (at: string, days: readonly string[], timeZone: string) => {
  const dows = days.map((d) => REPORT_DAYS.indexOf(d as (typeof REPORT_DAYS)[number])).join(",");
  const zone = timeZone === "UTC" || timeZone === "Etc/UTC" ? { utcOffset: 0 } : { timezone: timeZone };
  return new Cron(`${Number(at.slice(3, 5))} ${Number(at.slice(0, 2))} * * ${dows}`, { paused: true, ...zone });
};

export function createReportService(cfg: ReportsConfig, deps: ReportServiceDeps): ReportService {
  const log = deps.log.child({ module: "reports" });
  const zoneOf = (own: string | undefined) => own ?? deps.timeZone ?? "UTC";
  const schedules = [
    ...(cfg.morning.enabled
      ? [{ kind: "morning" as const, zone: zoneOf(cfg.morning.timeZone), cron: reportCron(cfg.morning.at, cfg.morning.days, zoneOf(cfg.morning.timeZone)) }]
      : []),
    ...(cfg.weekly.enabled
      ? [{ kind: "weekly" as const, zone: zoneOf(cfg.weekly.timeZone), cron: reportCron(cfg.weekly.at, [cfg.weekly.day], zoneOf(cfg.weekly.timeZone)) }]
      : []),
  ];
  const timers = new Map<string, Timer>();
  let stopped = true;

  async function build(kind: "morning" | "weekly", from: number, at: number, zone: string): Promise<SiteEvent> {
    const gathered = await deps.sources(kind, from, at);
    return buildReport({
      ...gathered,
      kind,
      from,
      to: at,
      host: deps.host,
      formatTime: (ms) => reportTime(ms, zone, at),
      day: reportDay(at, zone),
      zone: zoneLabel(zone, at),
    });
  }

  async function send(kind: "morning" | "weekly", at: number): Promise<SiteEvent | undefined> {
    if (!deps.wanted(`report.${kind}`)) return undefined;
    const s = schedules.find((x) => x.kind === kind);
    const zone = s?.zone ?? deps.timeZone ?? "UTC";
    const previous = s?.cron.previousRuns(1, new Date(at))[0]?.getTime();
    const from = kind === "weekly" ? at - 7 * DAY : (previous ?? at - DAY);
    const event = await build(kind, from, at, zone);
    await deps.emit(event);
    log.info({ kind, from: new Date(from).toISOString(), to: new Date(at).toISOString() }, `${kind} report sent to its routes`);
    return event;
  }

  function arm(s: (typeof schedules)[number]) {
    if (stopped) return;
    const now = deps.clock.now();
    const next = s.cron.nextRun(new Date(now))?.getTime();
    if (next === undefined) return;
    const timer = deps.clock.setTimeout(
      () => {
        void inFlight(
          deps.clock,
          send(s.kind, next).catch((err) => log.error({ kind: s.kind, err: describeError(err) }, "the report could not be built or sent")),
          `the ${s.kind} report`,
        ).finally(() => arm(s));
      },
      Math.max(0, next - now),
    );
    timer.unref?.();
    timers.set(s.kind, timer);
  }

  return {
    name: "reports",
    start() {
      stopped = false;
      for (const s of schedules) arm(s);
    },
    stop() {
      stopped = true;
      for (const t of timers.values()) deps.clock.clearTimeout(t);
      timers.clear();
    },
    send,
    summarize: (from, to) => build("morning", from, to, deps.timeZone ?? "UTC"),
  };
}
