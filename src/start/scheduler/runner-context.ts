// What the parts of the schedule runner share: its dependencies, its counters, the compiled timing of each
// schedule and the set of work in flight that stop() waits for.
import type { PollInterval } from "../../platform/core/poll-interval";
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import type { EventBus } from "../../platform/core/bus";
import { describeError } from "../../platform/core/errors";
import type { Counter, MetricsRegistry } from "../../platform/core/metrics";
import { causedByDiskFull } from "../../platform/store/sql";
import type { TaskStarter } from "../control/types";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import { compileTiming, type Timing } from "./next-run";
import type { ScheduleRepo, ScheduleRow } from "./schedule-repo";

export interface RunnerDeps {
  repo: ScheduleRepo;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
  bus: EventBus<DomainEvents>;
  taskStarter: TaskStarter;
  catchUpLimit: number;
  /** False once the store is closing; no writes after that. */
  storeOpen: () => boolean;
  /** The scheduler duty of a cluster; without it this Steward always leads (a single Steward on its own store). */
  duty?: SchedulerDuty;
  /** In a cluster: how often the leader re-reads schedules (changed through another Steward's API). 0 = never. */
  syncIntervalMs?: PollInterval;
  /**
   * In a cluster: asked before each re-read; false skips it (alone in the cluster and nobody changed anything since
   * the last: src/platform/cluster/peer-poll.ts). `missed()` after a re-read that failed.
   */
  syncGate?: (() => boolean) & { missed(): void };
  /**
   * Fires that fell due at most this long ago when this Steward takes the lead are made up once whatever the
   * schedule's catchUp says: they were missed because the lead changed hands, not because Steward was down.
   */
  takeoverGraceMs?: number;
  /**
   * Asked before an event trigger starts its task after a successful reload: a reason when the reload's data
   * checks hold its follow-ups back (a block check failed). It waits for the checks of that reload.
   */
  holdBack?: (e: TaskEvent) => Promise<string | undefined>;
}

export interface SchedulerDuty {
  holds(): boolean;
  onChange(fn: (held: boolean) => void): () => void;
}

export interface RunnerContext {
  deps: RunnerDeps;
  /** Schedule fires by reason and result. */
  fires: Counter;
  /** Cron fires that did not happen on time. */
  missedCounter: Counter;
  /** The schedule's compiled timing, compiled again only when its definition changed. */
  timingOf(row: ScheduleRow): Timing;
  forgetTiming(id: string): void;
  /** Keeps work in flight for stop(); the returned promise never rejects (failures are logged). */
  track(p: Promise<unknown>): Promise<void>;
  /** Settles when the work in flight now has settled. */
  settled(): Promise<unknown>;
}

export function createRunnerContext(deps: RunnerDeps): RunnerContext {
  const timings = new Map<string, { def: string; timing: Timing }>();
  const inFlight = new Set<Promise<void>>();
  return {
    deps,
    fires: deps.metrics.counter("steward_scheduler_fires_total", "Schedule fires by reason (cron, event, catch-up) and result."),
    missedCounter: deps.metrics.counter(
      "steward_scheduler_missed_fires_total",
      "Cron fires missed: Steward not running, the lead changing hands, or a timer woken after later fires were due.",
    ),
    timingOf(row) {
      const def = JSON.stringify(row.definition);
      let t = timings.get(row.id);
      if (!t || t.def !== def) timings.set(row.id, (t = { def, timing: compileTiming(row.definition) }));
      return t.timing;
    },
    forgetTiming(id) {
      timings.delete(id);
    },
    track(p) {
      const settled = p.then(
        () => {},
        // A full disk is said by the store once a minute; every schedule's failed write saying it again floods the log.
        (err) => void (causedByDiskFull(err) || deps.log.error({ err: describeError(err) }, "scheduler work failed")),
      );
      inFlight.add(settled);
      void settled.finally(() => inFlight.delete(settled));
      return settled;
    },
    settled() {
      return Promise.allSettled([...inFlight]);
    },
  };
}
