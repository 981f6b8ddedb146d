// Approved remediation (src/start/remediation): built after the alerting, as it starts tasks for incidents and the
// links offer it; only where Steward can start tasks (qlik configured) and keeps incidents.
import type { AuditLog } from "../platform/audit/audit-log";
import type { HttpApp } from "../platform/http/app";
import { slowPeerLookMs } from "../platform/cluster/peer-poll";
import { remediationSchema, setupRemediation, type RemediationService } from "../start/remediation";
import { createEngineRooms } from "../start/remediation/engine-room";
import { createActionStore } from "../start/remediation/action-store";
import { createRemediationHolds, planOf } from "../start/remediation/remediation-holds";
import { createStoredChains } from "../tell/grouping/stored-chains";
import { actionView } from "../start/remediation/action-view";
import type { Alerting } from "./alerting";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";
import { createWatchStore } from "../watch/watchdog/watch-store";
import { queueDetailsOf } from "../watch/watchdog/queue-event";

/** A lone Steward on SQLite with no unfinished action still looks once an hour (a safety net; requests poke it). */
const IDLE_LOOK_MS = 3_600_000;
/** Beyond the start request's own timeouts: each backoff between attempts (at most 5 s, qrs-transport.ts), and the way back. */
const BACKOFF_MAX_MS = 5_000;

export function wireRemediation(w: Wiring, audit: AuditLog, http: HttpApp, tasks: TaskServices, alerting: Alerting): RemediationService | undefined {
  const { qrs, control } = tasks;
  const { incidents } = alerting;
  const cfg = w.config.remediation ?? remediationSchema().parse({});
  // Without incidents there is no remediation to hold a start for a second person: the rule the site asked for is
  // kept by refusing people's direct starts, never by letting them through unheld.
  if (qrs && !incidents && cfg.approval.directStarts === "two-person")
    control.holdDirectStartsWith({
      hold: async () => ({
        ok: false,
        status: 403,
        code: "FORBIDDEN",
        field: "approval",
        message:
          "remediation.approval.directStarts is two-person, but incidents are off (incidents.enabled: false), and with them the actions a second person confirms: no direct start is taken. Turn incidents on, or set directStarts: one-person",
      }),
    });
  if (!qrs || !incidents) return undefined;
  // Idle, a Steward alone on SQLite is poked by every action asked of it; on PostgreSQL another member's action is
  // found at the cluster's peer look (a heartbeat when alone), not every pollInterval (issue 89: an idle Steward's statements).
  const idlePollMs = w.pg ? slowPeerLookMs(w.cluster, w.pg) : () => IDLE_LOOK_MS;
  const remediation = setupRemediation(cfg, {
    db: w.shared.sql,
    clock: w.clock,
    log: w.log,
    audit,
    bus: w.bus,
    router: http.router,
    lifecycle: w.lifecycle,
    instanceId: w.clusterWiring.instanceId,
    qrs,
    taskStarter: control.taskStarter,
    ...(control.reloader ? { reloader: control.reloader } : {}),
    ...(w.config.watchdog?.enabled === false ? {} : { queues: backedUpQueues(w) }),
    engines: createEngineRooms(qrs, w.log.child({ module: "remediation" })),
    incidents,
    grouping: alerting.alertGates.grouping,
    formatTime: alerting.formatTime,
    inMaintenance: (e, now) => alerting.alertGates.maintenance.holding(e, now),
    idlePollMs,
    // Read at each look: a config reload gives the notifier new methods in place.
    pages: () => alerting.notify.pages,
    host: w.config.qlik?.host ?? w.clusterWiring.instanceId,
    // A start is one POST, sent again only when it never reached QRS: each attempt ends within qlik.timeoutMs.
    ...(w.config.qlik ? { startWindowMs: (w.config.qlik.retries + 1) * (w.config.qlik.timeoutMs + BACKOFF_MAX_MS) } : {}),
  });
  alerting.act.setRemedies(remediation);
  // People's direct starts (Butler's REST path, MQTT) wait for a second person only when the site asks for it.
  if (cfg.approval.directStarts === "two-person")
    control.holdDirectStartsWith({
      async hold(r) {
        const a = await remediation.requestStart(r);
        return a.ok ? { ...a, action: actionView(a.action) } : a;
      },
    });
  alerting.alertGates.grouping.tellActionsFrom(
    (e) => remediation.endsAnAction(e),
    (e) => remediation.causeOfUntoldRun(e),
  );
  return remediation;
}

/**
 * The runs remediation started that have not ended, read from the shared store (any member's): the watchdog's queue
 * look never pages them waiting alone (src/watch/watchdog/queue-watch.ts).
 */
export function remediationRuns(w: Wiring): () => Promise<ReadonlySet<string>> {
  const store = createActionStore(w.shared.sql);
  return () => store.startedRuns();
}

/** What the watchdog reads of remediation: the runs it started, and the tasks whose retry a rule or a person asked for. */
export interface RemediationReads {
  ownRuns: () => Promise<ReadonlySet<string>>;
  remediationHolds: () => Promise<ReadonlyMap<string, string>>;
}

/**
 * The runs remediation started and the tasks being retried (a rule's or a person's retry or re-run due or running),
 * read from the shared store (any member's): the watchdog's queue look never pages the former waiting alone, and no
 * app of the latter or down its chain is paged stale while the hold lasts (issue 101).
 */
export function remediationReads(w: Wiring, formatTime: (ms: number) => string): RemediationReads {
  const chains = createStoredChains(w.shared.sql);
  const holds = createRemediationHolds(w.shared.sql, { rules: (w.config.remediation?.rules ?? []).length > 0, chains: () => planOf(chains, w.clock) });
  return { ownRuns: remediationRuns(w), remediationHolds: () => holds.byTask(formatTime) };
}

/** The watchdog's open queue backlogs (its queue look's conditions in the shared store): the nodes backed up now. */
function backedUpQueues(w: Wiring) {
  const store = createWatchStore(w.shared.sql);
  return {
    async backedUp() {
      return (await store.openConditions())
        .filter((c) => c.type === "queue_backlog")
        .map((c) => {
          const d = queueDetailsOf(c.openEvent.data);
          return { node: d.node ?? c.openEvent.host, sinceMs: d.waitingSinceMs ?? c.openedMs };
        });
    },
  };
}
