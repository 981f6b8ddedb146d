// The reports read what every wing keeps: the run history (show), the incidents (tell), the watchdog's and the
// freshness promises' open conditions (watch) and QRS's app list; the routes in force choose who gets them.
import type { HttpApp } from "../platform/http/app";
import type { Config } from "./config";
import { setupReports } from "../show/report/setup";
import { createWatchStore } from "../watch/watchdog/watch-store";
import { createCauseStore } from "../tell/grouping/cause-store";
import type { Alerting } from "./alerting";
import type { Expectations, SiteWatch } from "./site-watch";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";

export function wireReports(
  w: Wiring,
  http: HttpApp,
  tasks: TaskServices,
  alerting: Alerting,
  expectations: Expectations,
  routes: () => Config["routes"],
  site: Pick<SiteWatch, "engineReloads">,
): void {
  const { config, log, lifecycle, clock, bus, shared, gate } = w;
  setupReports(config.reports, {
    clock,
    log,
    host: config.qlik?.host ?? w.cluster.instanceName,
    timeZone: alerting.siteZone,
    lifecycle,
    router: http.router,
    ...(gate ? { gate } : {}),
    wanted: (kind) => routes().some((r) => r.enabled && (r.on as readonly string[]).includes(kind)),
    emit: async (e) => bus.emit(e.kind, e),
    ...(alerting.dashboard.runs ? { runs: alerting.dashboard.runs } : {}),
    ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
    ...(expectations.watchdog ? { watchStore: createWatchStore(shared.sql) } : {}),
    ...(expectations.freshness ? { freshness: expectations.freshness } : {}),
    ...(tasks.qrs ? { qrs: tasks.qrs } : {}),
    causeStore: createCauseStore(shared.sql),
    ...(site.engineReloads ? { engineReloads: site.engineReloads.store } : {}),
  });
}
