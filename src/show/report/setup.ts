// Wires the reports: what each reads (the run history, the incidents, the watchdog's and the freshness promises'
// open conditions, QRS's app list for the streams), on the Steward holding the site-monitor lease.
import type { Logger } from "pino";
import type { DutyGate } from "../../platform/cluster/gate";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { SiteEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { IncidentService } from "../../tell/incidents/service";
import type { IncidentRow } from "../../tell/incidents/incident-store";
import type { CauseStore } from "../../tell/grouping/cause-store";
import { adminFreshnessView } from "../../watch/freshness/admin-view";
import type { Freshness } from "../../watch/freshness";
import type { WatchStore } from "../../watch/watchdog/watch-store";
import type { RunHistory } from "../dashboard/run-history";
import type { ReportIncident } from "./build-report";
import { failuresByCause, type ReportCause } from "./failures-by-cause";
import { DEFAULT_REPORTS, type ReportsConfig } from "./config";
import type { Router } from "../../platform/http/route";
import { registerReportRoute } from "./http-route";
import type { RemediationNight } from "../../start/remediation/report-reads";
import { createReportService, type ReportService, type ReportSources } from "./service";
import type { EngineReloadStore } from "../../hear/engine";
import type { SilenceService } from "../../tell/silences";
import { gatherHandover } from "./handover-sources";

export interface ReportSetupDeps {
  clock: Clock;
  log: Logger;
  host: string;
  /** The site's zone, asked when a report needs it (not at start: the machine's zone loads ICU's data). */
  timeZone(): string | undefined;
  lifecycle: Lifecycle;
  gate?: DutyGate;
  wanted(kind: "report.morning" | "report.weekly"): boolean;
  emit(e: SiteEvent): Promise<void>;
  runs?: RunHistory;
  incidents?: IncidentService;
  watchStore?: WatchStore;
  freshness?: Freshness;
  qrs?: QrsClient;
  /** The incidents per cause: a failure is told under the cause that recorded it, as the causes page tells it. */
  causeStore?: CauseStore;
  /** Where GET /v4/report is served (any Steward answers it, whichever holds the lease that sends them). */
  router?: Router;
  /** Reloads outside the Scheduler heard from the Engine (src/hear/engine); absent when engineReloads is off. */
  engineReloads?: Pick<EngineReloadStore, "list">;
  /** Failures Steward's automatic retries healed in [from, to) (src/start/remediation). */
  healedByRemediation?(from: number, to: number): Promise<Array<{ taskName: string; attempts: number; endedMs: number }>>;
  /** The silences in force: the morning report's handover names the snoozes ending within a day. */
  silences?: Pick<SilenceService, "list">;
  /** What remediation is doing now and the actions that ended in [from, to) (src/start/remediation); absent without it. */
  remediationNight?(from: number, to: number): Promise<RemediationNight>;
}

const WEEK = 7 * 86_400_000;
const incident = (r: IncidentRow): ReportIncident => ({
  title: r.title,
  taskId: r.taskId,
  errorClass: r.errorClass,
  failures: r.failures,
  openedAt: r.openedAt,
  lastEventAt: r.lastEventAt,
  lastKind: r.lastKind,
  acknowledgedBy: r.acknowledgedBy,
});

export function setupReports(cfg: ReportsConfig | undefined, deps: ReportSetupDeps): ReportService {
  const c = cfg ?? DEFAULT_REPORTS;
  const top = c.morning.top;
  const sources: ReportSources = async (kind, from, to) => {
    const [touched, open, conditions, fresh, apps, nodeHours, outside, retried, healed, late] = await Promise.all([
      deps.incidents ? deps.incidents.list({ since: from, limit: 1000 }) : [],
      deps.incidents ? deps.incidents.list({ status: "open", limit: 1000 }) : [],
      deps.watchStore && kind === "morning" ? deps.watchStore.openConditions() : [],
      deps.freshness && kind === "morning"
        ? Promise.all([deps.freshness.store.apps(), deps.freshness.store.openConditions(), deps.freshness.verdicts(to)]).then(([a, o, v]) =>
            adminFreshnessView(deps.freshness!.service.promises(), a, o, to, new Map(), v),
          )
        : [],
      // One paged read of the apps for their streams, once a week.
      deps.qrs && kind === "weekly" ? deps.qrs.listAppsFull().catch(() => []) : [],
      // A few hundred rows a week whatever the site's size: one per node and hour.
      deps.watchStore && kind === "weekly" ? deps.watchStore.nodeHours(from, to) : [],
      deps.engineReloads && kind === "morning" ? deps.engineReloads.list({ sinceMs: from, untilMs: to, limit: 500 }) : undefined,
      deps.incidents ? deps.incidents.recoveredByRetry(from, 200) : [],
      deps.healedByRemediation ? deps.healedByRemediation(from, to) : [],
      deps.incidents ? deps.incidents.lateFailures(from, to, 50) : [],
    ]);
    const streams = new Map(apps.map((a) => [a.name.toLowerCase(), a.stream?.name]));
    const causes = await causesOf(deps, from, to, { open, touched });
    const handover = kind === "morning" ? await gatherHandover(deps, open, to) : undefined;
    const remediation = kind === "morning" && deps.remediationNight ? await deps.remediationNight(from, to) : undefined;
    return {
      ...(handover ? { handover } : {}),
      ...(remediation ? { remediation } : {}),
      runs: deps.runs?.runsBetween(from, to) ?? [],
      touched: touched.filter((x) => x.lastEventAt >= from).map(incident),
      causes,
      open: open.map(incident),
      notHappened: conditions.map((x) => ({ title: x.openEvent.title, type: x.type, ...(x.openEvent.kind === "task.notice" ? { notice: true } : {}) })),
      promises: fresh
        .filter((r) => r.state === "late" || r.state === "at_risk")
        .map((r) => ({ app: r.app.name, promise: r.promise, state: r.state as "at_risk" | "late", dataAsOf: r.dataAsOf, why: r.open?.why ?? r.heldBy })),
      slowest: deps.runs?.slowest(from, top) ?? [],
      growing: deps.runs?.growing(to, WEEK, 3 * WEEK, 3, top) ?? [],
      streamOf: (app) => streams.get(app.toLowerCase()) ?? undefined,
      nodeHours,
      healedByRemediation: healed,
      heardLate: late.map((r) => ({ taskName: deps.runs?.runsOf(r.taskId, 1)[0]?.taskName ?? r.taskId, failedMs: r.finishedAt, succeededMs: r.succeededAt })),
      recoveredByRetry: retried
        .filter((r) => r.finishedAt < to)
        .map((r) => ({ taskName: deps.runs?.runsOf(r.taskId, 1)[0]?.taskName ?? r.taskId, attempts: r.attempts, endedMs: r.finishedAt })),
      ...(outside
        ? {
            outsideSchedule: outside.map((r) => ({
              endedMs: r.endedMs,
              app: r.appName ?? r.appId,
              user: r.user,
              node: r.node,
              outcome: r.outcome,
              alerted: r.alerted,
              ...(r.outcome === "succeeded" && !r.confirmed ? { unconfirmed: true } : {}),
            })),
          }
        : {}),
    };
  };
  const service = createReportService(c, {
    clock: deps.clock,
    log: deps.log,
    host: deps.host,
    timeZone: deps.timeZone,
    wanted: deps.wanted,
    sources,
    emit: deps.emit,
  });
  deps.lifecycle.add(deps.gate ? deps.gate("site-monitor", service) : service);
  if (deps.router) registerReportRoute(deps.router, { reports: service, clock: deps.clock });
  return service;
}

/** Failed runs a report sorts into causes at most; a span of more is a site-wide outage the causes page tells better. */
const MAX_FAILED_RUNS = 20_000;
/** Causes open during a span looked at (the newest), and runs read per cause. */
const MAX_CAUSES = 500;
const RUNS_PER_CAUSE = 50_000;

/**
 * The span's failed runs sorted into the causes that recorded them, and the causes open during the span: what the causes
 * page and the API hold, so the report tells the same story (failures-by-cause.ts).
 */
async function causesOf(
  deps: Pick<ReportSetupDeps, "causeStore" | "incidents">,
  from: number,
  to: number,
  incidents: { open: readonly IncidentRow[]; touched: readonly IncidentRow[] },
): Promise<ReportCause[]> {
  const store = deps.causeStore;
  const [runs, parents] = await Promise.all([
    deps.incidents ? deps.incidents.failedRuns(from, to, MAX_FAILED_RUNS) : [],
    store ? store.openDuring(from, to, MAX_CAUSES) : [],
  ]);
  const records = await Promise.all(
    parents.map(async (parent) => {
      const [symptoms, held, inSpan] = await Promise.all([
        store!.symptoms(parent.id),
        store!.runs(parent.id, RUNS_PER_CAUSE),
        store!.runs(parent.id, RUNS_PER_CAUSE, from - 1, to),
      ]);
      // Reloads outside the Scheduler are no task runs: the cause's own record of them, in the span, is their count.
      return { parent, symptoms, runIds: held.ids, reloadIds: inSpan.ids.filter((id) => id.startsWith("engine:")) };
    }),
  );
  const low = (id: string | null) => (id ?? "").toLowerCase();
  const closedAt = new Map<string, number>();
  for (const x of incidents.touched) if (x.taskId && x.closedAt !== null) closedAt.set(low(x.taskId), Math.max(x.closedAt, closedAt.get(low(x.taskId)) ?? 0));
  const acknowledgedBy = new Map(incidents.open.flatMap((x) => (x.taskId && x.acknowledgedBy ? [[low(x.taskId), x.acknowledgedBy] as const] : [])));
  return failuresByCause(runs, records, { openTaskIds: new Set(incidents.open.map((x) => low(x.taskId))), closedAt, acknowledgedBy });
}
