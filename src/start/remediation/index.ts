// Public surface of approved remediation: setupRemediation builds the action store, the worker (a lifecycle
// component) and the service, and registers the REST routes; the alert links reach it through RemedyPort.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { DomainEvent, DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import type { IncidentService } from "../../tell/incidents";
import type { Grouping } from "../../tell/grouping";
import type { TaskStarter } from "../control/types";
import { createActionStore } from "./action-store";
import { createCauseProbes } from "./cause-probes";
import { createCauseStore } from "../../tell/grouping/cause-store";
import { createStoredChains } from "../../tell/grouping/stored-chains";
import type { RemediationConfig } from "./config";
import { registerRemediationRoutes } from "./routes";
import { registerMoreRemediationRoutes } from "./routes-more";
import { createRemediationService, type RemediationService } from "./service";
import { createWorker } from "./worker";
import { createRemediationHolds, planOf } from "./remediation-holds";
import { createCauseBeingDone } from "./cause-being-done";
import { ruleName } from "./rule-match";
import { createFailureHold } from "./auto";
import { causeTrying } from "./cause-retry";
import type { AppReloadPort } from "./engine-reload";
import type { QueuePort } from "./queue-port";
import type { EnginePort } from "./engine-room";
import { createAutoRerun } from "./auto-rerun";
import { createRerunJoin } from "./rerun-join";
import { createRuleRerunJoin } from "./rule-rerun-join";
import { rerunJoinLines } from "./rerun-lines";
import { createActionUpdates } from "./action-updates";
import { createAlertHolds } from "./alert-holds";
import { expireUnconfirmed } from "./approval";
import type { PageFollower } from "../../tell/notify";

export { remediationMigrations } from "./migrations";
export { remediationSchema, type RemediationConfig } from "./config";
export type { RemediationService } from "./service";

export interface RemediationDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  bus: EventBus<DomainEvents>;
  router: Router;
  lifecycle: Lifecycle;
  instanceId: string;
  qrs: Pick<QrsClient, "listTasksFull">;
  taskStarter: TaskStarter;
  /** The app reloader (src/start/control), for "reload the app through the Engine"; absent without the Engine. */
  reloader?: AppReloadPort;
  /** The nodes whose Scheduler queue the watchdog finds backed up: a chain's start waits for its node's to drain. */
  queues?: QueuePort;
  /** Each node's engines from QRS: a re-run or a chain's start waits until its node has a free one. */
  engines?: EnginePort;
  incidents: IncidentService;
  /** The grouping, told what a rule is trying for a cause (its pages name it). */
  grouping?: Pick<Grouping, "readTryingFrom" | "readOwnRunsFrom" | "readHeldFrom" | "readBeingDoneFrom">;
  formatTime(ms: number): string;
  /** The maintenance window covering an event now (tell/maintenance): automatic retries and re-runs never run inside one. */
  inMaintenance(e: DomainEvent, now: number): { window: string } | undefined;
  /** The longest a start request to QRS may take (see WorkerDeps.startWindowMs). */
  startWindowMs?: number;
  /** The worker's look while no action is unfinished (see WorkerDeps.idlePollMs). */
  idlePollMs?: () => number;
  /** The notifier's page follower, read at each use: an outcome no message carried is told where the page went. */
  pages?: () => PageFollower | undefined;
  /** The Qlik host events name (action updates' `host`). */
  host?: string;
}

export function setupRemediation(cfg: RemediationConfig, deps: RemediationDeps): RemediationService {
  const store = createActionStore(deps.db);
  const causes = createCauseStore(deps.db);
  const chains = createStoredChains(deps.db);
  const ruleJoin = createRuleRerunJoin(cfg, { ...deps, store, causes, chains });
  const join = createRerunJoin({ ...deps, store, causes, chains, ...(ruleJoin ? { ruleJoin } : {}) });
  const updates = deps.pages ? createActionUpdates({ ...deps, store, causes, pages: deps.pages, host: deps.host ?? deps.instanceId }) : undefined;
  // After each look: what nobody confirmed in time has expired, and the outcomes no message carried are told.
  const afterLook = async (now: number) => {
    await expireUnconfirmed(cfg, store, now);
    await updates?.(now);
  };
  const worker = createWorker({ ...deps, store, leaseMs: cfg.lease, pollMs: cfg.pollInterval, engineWaitMs: cfg.engineWait, beforeLook: join, afterLook });
  const probes = createCauseProbes(deps.db);
  const own = createRemediationService(cfg, { ...deps, store, probes, worker, canReload: deps.reloader !== undefined, causes, chains });
  // A queue cause's update also says when the runs cancelled since join a pending re-run (rerun-lines.ts).
  const service: RemediationService = {
    ...own,
    lines: async (e, to) => [...(await own.lines(e, to)), ...(await rerunJoinLines(store, e, deps.formatTime))],
    // A cause's or an incident's on-call alert stays open while an action on it has not ended and been told.
    alertHeld: createAlertHolds({ db: deps.db, engineWaitMs: cfg.engineWait }),
  };
  registerRemediationRoutes(deps.router, service);
  registerMoreRemediationRoutes(deps.router, service);
  const poke = () => worker.poke();
  // Automatic retries only with a rule: the incidents service then asks before each failure's page.
  deps.incidents.holdFailures(createFailureHold(cfg, { store, probes, clock: deps.clock, audit: deps.audit, inMaintenance: deps.inMaintenance, poke }));
  // What is being done on each incident, a rule's or a person's, for every surface that shows it (what it causes waits
  // on every route meanwhile; a rule's failure too).
  const holds = createRemediationHolds(deps.db, { rules: cfg.rules.length > 0, chains: () => planOf(chains, deps.clock) });
  deps.incidents.readHolds(holds.ofIncidents);
  // A cause's pages say what a rule is trying for it (its probe's next retry), with a rule only.
  if (cfg.rules.length > 0) deps.grouping?.readTryingFrom((key) => causeTrying({ store, probes }, key));
  // A cause whose failure is being retried holds its symptoms on every route until the retry heals it or fails.
  deps.grouping?.readHeldFrom(holds.tasks);
  // GET /v4/causes (the Causes page) says what is being done about each cause from those same holds, and what came of it.
  const attempts = new Map(cfg.rules.map((r, i) => [ruleName(r, i), r.retryAfter?.length]));
  deps.grouping?.readBeingDoneFrom(createCauseBeingDone(deps.db, { holds: holds.all, formatTime: deps.formatTime, attemptsOf: (rule) => attempts.get(rule) }));
  // Steward's own run cancelled in the queue with no backlog open is the action's outcome, not a queue cause of its own.
  deps.grouping?.readOwnRunsFrom((id) => store.isOwnRun(id));
  // Automatic re-runs only with a [queue] rule: when a node's queue drained, its cancelled runs are asked for.
  const rerun = createAutoRerun(cfg, { ...deps, store, causes, chains, poke });
  if (rerun) deps.bus.on("task.on_track", rerun);
  deps.lifecycle.add(worker.component);
  return service;
}
