// The reports read what every wing keeps: the run history (show), the incidents (tell), the watchdog's and the
// freshness promises' open conditions (watch) and QRS's app list; the routes in force choose who gets them.
import { dirname, join } from "node:path";
import type { HttpApp } from "../platform/http/app";
import type { AuditActor, AuditLog } from "../platform/audit/audit-log";
import { type Config, type LoadedConfig, parseConfigText } from "./config";
import type { Reconfigurable } from "../platform/config/reload/reloader";
import { setupNoise } from "../show/noise/setup";
import { setupRehearsal } from "../show/rehearse/setup";
import { DEFAULT_NOISE } from "../show/noise/config";
import { loadCheckedConfig } from "../show/cli/config-problems";
import { setupReports } from "../show/report/setup";
import { createWatchStore } from "../watch/watchdog/watch-store";
import { createCauseStore } from "../tell/grouping/cause-store";
import type { Alerting } from "./alerting";
import type { Expectations, SiteWatch } from "./site-watch";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";

import { createActionStore } from "../start/remediation/action-store";
import { createReportReads } from "../start/remediation/report-reads";
import { ruleName } from "../start/remediation/rule-match";

export function wireReports(
  w: Wiring,
  http: HttpApp,
  tasks: TaskServices,
  alerting: Alerting,
  expectations: Expectations,
  routes: () => Config["routes"],
  site: Pick<SiteWatch, "engineReloads">,
  review: NoiseReview,
): Reconfigurable<Config> {
  const { config, log, lifecycle, clock, bus, shared, gate } = w;
  const runs = alerting.dashboard.runs;
  const watchStore = expectations.watchdog ? createWatchStore(shared.sql) : undefined;
  // The noise report reads the config in force (a reload may add a route or apply one of its proposals).
  const noise = setupNoise(http.router, {
    clock,
    stores: {
      db: shared.sql,
      ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
      taskName: (id) => runs?.runsOf(id, 1)[0]?.taskName,
      // What a person did about an incident besides acknowledging it: a snooze, a retry or re-run asked for.
      silences: alerting.alertGates.silences.service,
      actions: createActionStore(shared.sql),
      ...(watchStore ? { nodeHours: (from: number, to: number) => watchStore.nodeHours(from, to) } : {}),
    },
    current: () => review.current(),
    noise: () => review.current().config.reports?.noise ?? DEFAULT_NOISE,
    zone: alerting.siteZone,
    audit: review.audit,
    check: (file) => void loadCheckedConfig(file),
    reload: (trigger, actor) => review.reload(trigger, actor),
  });
  // A config rehearsed on the same reads as the noise report, beside the config in force.
  setupRehearsal(http.router, {
    clock,
    stores: {
      db: shared.sql,
      ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
      silences: alerting.alertGates.silences.service,
      actions: createActionStore(shared.sql),
    },
    current: () => review.current().config,
    // Relative paths of the rehearsed text (certificates, templates) resolve beside the config in force.
    parse: (yaml) => parseConfigText(yaml, "the rehearsed config", dirname(review.current().file ?? join(process.cwd(), "steward.yaml"))).config,
  });
  const reports = setupReports(config.reports, {
    clock,
    log,
    host: config.qlik?.host ?? w.cluster.instanceName,
    timeZone: alerting.siteZone,
    lifecycle,
    router: http.router,
    ...(gate ? { gate } : {}),
    wanted: (kind) => wantedBy(routes())(kind),
    emit: async (e) => bus.emit(e.kind, await noise.withNoise(e)),
    ...(alerting.dashboard.runs ? { runs: alerting.dashboard.runs } : {}),
    ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
    ...(watchStore ? { watchStore } : {}),
    ...(expectations.freshness ? { freshness: expectations.freshness } : {}),
    ...(tasks.qrs ? { qrs: tasks.qrs } : {}),
    causeStore: createCauseStore(shared.sql),
    silences: alerting.alertGates.silences.service,
    healedByRemediation: (from, to) => createActionStore(shared.sql).healedBetween(from, to),
    // Remediation runs with its defaults wherever Qlik is connected (wireRemediation): a person's re-run is as much being
    // done without a remediation: block as with one.
    ...(tasks.qrs ? { remediationNight: createReportReads(shared.sql, attemptsOfRules(config.remediation?.rules ?? [])).night } : {}),
    ...(site.engineReloads ? { engineReloads: site.engineReloads.store } : {}),
  });
  // A report no route wants waits for a reload of the routes, not for a timer.
  // The reloader puts the new config in force after its components applied it: the reports read the new routes here.
  return { name: "reports", sections: ["routes"], prepare: (next) => ({ apply: () => reports.routesChanged(wantedBy(next.config.routes)) }) };
}

/** How many retries each remediation rule has (its retryAfter), by its name: the report says how many are left. */
function attemptsOfRules(rules: NonNullable<Config["remediation"]>["rules"]) {
  const byName = new Map(rules.map((r, i) => [ruleName(r, i), r.retryAfter?.length]));
  return (name: string) => byName.get(name);
}

/** Whether an enabled route lists a report's event kind. */
const wantedBy = (routes: Config["routes"]) => (kind: string) => routes.some((r) => r.enabled && (r.on as readonly string[]).includes(kind));

/** What reviewing and applying the noise report's proposals needs: the config in force, the audit log, a reload. */
export interface NoiseReview {
  current(): LoadedConfig;
  audit: AuditLog;
  reload(trigger: string, actor: AuditActor): Promise<unknown>;
}
