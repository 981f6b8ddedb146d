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
  /** The site's zone (notify.timeZone, else this machine's): the default zone. Asked when a report needs it. */
  timeZone(): string | undefined;
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
  /**
   * The routes changed (a config reload): a report no route wanted may be wanted now. A report no route wants arms no
   * timer until then (it looked again every minute, issue 89). `wanted` answers for the routes coming in force.
   */
  routesChanged(wanted: ReportServiceDeps["wanted"]): void;
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

type Kind = "morning" | "weekly";
interface Schedule {
  kind: Kind;
  zone: string;
  cron: Cron;
}

export function createReportService(cfg: ReportsConfig, deps: ReportServiceDeps): ReportService {
  const log = deps.log.child({ module: "reports" });
  const siteZone = () => deps.timeZone() ?? "UTC";
  // Built when a route first wants the report: the zone of a site that sends none is not asked for at start (the
  // machine's zone loads ICU's zone data, issue 69).
  const built = new Map<Kind, Schedule>();
  const scheduleOf = (kind: Kind): Schedule | undefined => {
    if (!cfg[kind].enabled) return undefined;
    let s = built.get(kind);
    if (!s) {
      const zone = cfg[kind].timeZone ?? siteZone();
      const days = kind === "morning" ? cfg.morning.days : [cfg.weekly.day];
      s = { kind, zone, cron: reportCron(cfg[kind].at, days, zone) };
      built.set(kind, s);
    }
    return s;
  };
  const kinds = (["morning", "weekly"] as const).filter((k) => cfg[k].enabled);
  const timers = new Map<string, Timer>();
  let stopped = true;

  async function build(kind: Kind, from: number, at: number, zone: string): Promise<SiteEvent> {
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

  async function send(kind: Kind, at: number): Promise<SiteEvent | undefined> {
    if (!deps.wanted(`report.${kind}`)) return undefined;
    const s = scheduleOf(kind);
    const zone = s?.zone ?? siteZone();
    const previous = s?.cron.previousRuns(1, new Date(at))[0]?.getTime();
    const from = kind === "weekly" ? at - 7 * DAY : (previous ?? at - DAY);
    const event = await build(kind, from, at, zone);
    await deps.emit(event);
    log.info({ kind, from: new Date(from).toISOString(), to: new Date(at).toISOString() }, `${kind} report sent to its routes`);
    return event;
  }

  function arm(kind: Kind, wanted = deps.wanted) {
    if (stopped) return;
    deps.clock.clearTimeout(timers.get(kind));
    timers.delete(kind);
    const now = deps.clock.now();
    const next = wanted(`report.${kind}`) ? scheduleOf(kind)?.cron.nextRun(new Date(now))?.getTime() : undefined;
    if (next === undefined) return;
    const timer = deps.clock.setTimeout(
      () => {
        void inFlight(
          deps.clock,
          send(kind, next).catch((err) => log.error({ kind, err: describeError(err) }, "the report could not be built or sent")),
          `the ${kind} report`,
        ).finally(() => arm(kind));
      },
      Math.max(0, next - now),
    );
    timer.unref?.();
    timers.set(kind, timer);
  }

  return {
    name: "reports",
    start() {
      stopped = false;
      for (const k of kinds) arm(k);
    },
    stop() {
      stopped = true;
      for (const t of timers.values()) deps.clock.clearTimeout(t);
      timers.clear();
    },
    send,
    summarize: (from, to) => build("morning", from, to, siteZone()),
    routesChanged(wanted) {
      for (const k of kinds) arm(k, wanted);
    },
  };
}
