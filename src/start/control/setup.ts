// Wires "start things" into the app: the one TaskStarter (with the start allowlist), synchronous waits, app
// reload jobs and dumps through the Engine, MQTT (connection, inbound task starts, publish route), Slack
// message route and the audit route.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ControlConfig } from "./config";
import type { MqttConfig } from "../mqtt/config";
import type { QlikConfig } from "../../platform/qlik/config";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Readiness } from "../../platform/core/readiness";
import type { Router } from "../../platform/http/route";
import { registerAppRoutes } from "./app-routes";
import { registerAuditRoutes } from "../../platform/http/routes/audit";
import { registerLoadScriptRoutes } from "../../platform/http/routes/load-script";
import { registerMqttRoutes } from "../mqtt/routes";
import { registerSlackRoutes } from "../../platform/http/routes/slack";
import { registerTaskRoutes } from "./task-routes";
import { createMqttService, type MqttService } from "../mqtt/mqtt-client";
import { registerMqttTaskStart } from "../mqtt/task-start-topic";
import { createEngineClient } from "../../platform/qlik/engine-client";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { Store } from "../../platform/store/database";
import { createAppDumper, type AppDumper } from "./app-dump";
import { createAppReloader, type AppReloader, type ReloadDataChecks } from "./app-reloader";
import { createReloadJobStore } from "./reload-jobs";
import { createStartHandler, type StartHandler } from "./start-handler";
import { createStartFilter } from "./start-filter";
import { createTaskStarter } from "./task-starter";
import { createTaskWaiter } from "./task-waiter";
import type { KeyValueWriter, TaskStarter } from "./types";
import type { DirectStartGate } from "./direct-start-gate";
import { createHeldStartFilter } from "./held-start-filter";
import { AppError } from "../../platform/core/errors";

/** What starting things reads of the config. */
export interface ControlSetupConfig {
  control: ControlConfig;
  qlik?: QlikConfig;
  mqtt?: MqttConfig;
}

export interface ControlSetupDeps {
  qrs: QrsClient | undefined;
  kv: KeyValueWriter | undefined;
  store: Store;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
  readiness: Readiness;
  router: Router;
  lifecycle: Lifecycle;
  baseDir: string;
  /** This Steward instance (owner of the reload jobs it runs); a random id when not given. */
  instanceId?: string;
  /** The Steward instances alive in the cluster; unset for a single Steward on its own store. */
  liveInstances?: () => Promise<readonly string[]>;
  /** The data checks (dataChecks:): run after each successful reload job; a failed block check holds back its chained tasks. */
  dataChecks?: ReloadDataChecks;
}

export interface Control {
  /** The one start path (REST, MQTT, scheduler, event triggers, chains); refuses with 503 when Qlik is not configured. */
  taskStarter: TaskStarter;
  startHandler: StartHandler;
  reloader?: AppReloader;
  dumper?: AppDumper;
  mqtt?: MqttService;
  /**
   * Puts people's direct starts under the two-person rule (remediation.approval.directStarts: two-person): REST starts
   * wait for a second person through the gate, MQTT starts are refused. Set by remediation, built after this.
   */
  holdDirectStartsWith(gate: DirectStartGate): void;
}

export function setupControl(config: ControlSetupConfig, deps: ControlSetupDeps): Control {
  const log = deps.log;
  const cfg = config.control;
  const filter = createStartFilter(cfg.startTaskFilter);
  const qrs = deps.qrs;
  const taskStarter: TaskStarter = qrs
    ? createTaskStarter({ qrs, filter, audit: deps.audit, log, metrics: deps.metrics })
    : {
        start: () => Promise.reject(new AppError("UNAVAILABLE", "no Qlik Sense connection is configured (add a qlik: section with host and certDir)")),
      };
  const waiter = createTaskWaiter(
    qrs ?? {
      isExecutionSessionActive: () => Promise.resolve(false),
      getExecutionResults: () => Promise.resolve([]),
      getScriptLog: () => Promise.reject(new AppError("UNAVAILABLE", "no Qlik Sense connection is configured")),
    },
    log.child({ module: "task-waiter" }),
    deps.clock,
  );
  const startHandler = createStartHandler({ starter: taskStarter, waiter, waitCfg: cfg.wait, kv: () => deps.kv });
  let gate: DirectStartGate | undefined;
  registerTaskRoutes(deps.router, startHandler, () => gate, qrs ? createHeldStartFilter({ qrs, filter, audit: deps.audit }) : undefined);

  let reloader: AppReloader | undefined;
  let dumper: AppDumper | undefined;
  if (config.qlik) {
    const engine = createEngineClient(config.qlik, { baseDir: deps.baseDir, log, callTimeoutMs: cfg.reload.engineTimeoutMs, clock: deps.clock });
    dumper = createAppDumper(engine);
    reloader = createAppReloader({
      engine,
      starter: taskStarter,
      jobs: createReloadJobStore(deps.store.sql, deps.clock, deps.instanceId ?? `steward-${randomUUID()}`),
      audit: deps.audit,
      log,
      metrics: deps.metrics,
      clock: deps.clock,
      cfg: cfg.reload,
      ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
      ...(deps.dataChecks ? { dataChecks: deps.dataChecks } : {}),
    });
    deps.lifecycle.add(reloader);
  }
  registerAppRoutes(deps.router, { reloader, dumper, audit: deps.audit });

  let mqtt: MqttService | undefined;
  if (config.mqtt?.enabled) {
    mqtt = createMqttService(config.mqtt, { log, metrics: deps.metrics, readiness: deps.readiness, baseDir: deps.baseDir });
    if (config.mqtt.taskStart)
      registerMqttTaskStart(mqtt, config.mqtt.taskStart, {
        handle: startHandler,
        log,
        metrics: deps.metrics,
        audit: deps.audit,
        twoPeople: () => gate !== undefined,
      });
    deps.lifecycle.add(mqtt);
  }
  registerMqttRoutes(deps.router, { mqtt, audit: deps.audit, taskStartTopic: config.mqtt?.taskStart?.topic });
  registerSlackRoutes(deps.router, { slack: cfg.slack, audit: deps.audit });
  registerAuditRoutes(deps.router, deps.audit);
  registerLoadScriptRoutes(deps.router);

  const holdDirectStartsWith = (g: DirectStartGate) => {
    gate = g;
  };
  return { taskStarter, startHandler, holdDirectStartsWith, ...(reloader ? { reloader } : {}), ...(dumper ? { dumper } : {}), ...(mqtt ? { mqtt } : {}) };
}
