// Runs schedules: one clock timer per started cron schedule (armed for its next fire, capped so clock changes
// are noticed), event triggers fed by task events on the bus, missed-fire detection at start, and the fire
// itself — a task start through the shared TaskStarter, logged, audited and recorded on the schedule.
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { Clock, Timer } from "../core/clock";
import type { EventBus } from "../core/bus";
import { describeError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import type { StartOrigin, TaskStarter, TaskStartReport } from "../control/types";
import type { DomainEvents, TaskEvent } from "../events/types";
import { compileTiming, firesBetween, inDateBounds, inWindow, nextFire, type Timing } from "./next-run";
import type { LastRun, MissedReport } from "./schedule-model";
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
}

export interface ScheduleRunner {
  start(): void;
  stop(budgetMs: number): Promise<void>;
  /** Re-reads a schedule and (re)arms or disarms it. */
  refresh(id: string): void;
  forget(id: string): void;
}

/** Longest single timer; a longer wait is re-armed, which also notices clock jumps. */
const MAX_TIMER_MS = 60 * 60 * 1000;
/** Event ids remembered per runner so one task event never fires a schedule twice. */
const SEEN_EVENTS = 2000;

export function createScheduleRunner(deps: RunnerDeps): ScheduleRunner {
  const { repo, clock, log, audit } = deps;
  const timers = new Map<string, Timer>();
  const timings = new Map<string, Timing>();
  const inFlight = new Set<Promise<void>>();
  const seenEvents = new Set<string>();
  /** Recent event-trigger fire times per schedule, for the loop guard. */
  const recentTriggerFires = new Map<string, number[]>();
  const unsubscribe: Array<() => void> = [];
  let running = false;
  const fires = deps.metrics.counter("steward_scheduler_fires_total", "Schedule fires by reason (cron, event, catch-up) and result.");
  const missedCounter = deps.metrics.counter("steward_scheduler_missed_fires_total", "Cron fires missed while Steward was not running.");

  const timingOf = (row: ScheduleRow): Timing => {
    let t = timings.get(row.id);
    if (!t) timings.set(row.id, (t = compileTiming(row.definition)));
    return t;
  };

  function disarm(id: string): void {
    const t = timers.get(id);
    if (t) clock.clearTimeout(t);
    timers.delete(id);
  }

  function arm(row: ScheduleRow): void {
    disarm(row.id);
    const active = running && row.state === "started" && row.definition.cronSchedule !== undefined;
    const next = active ? nextFire(timingOf(row), clock.now()) : null;
    if (deps.storeOpen()) repo.setNextRun(row.id, next);
    if (next === null) return;
    const timer = clock.setTimeout(() => onTimer(row.id, next), Math.min(Math.max(0, next - clock.now()), MAX_TIMER_MS));
    timer.unref?.();
    timers.set(row.id, timer);
  }

  function onTimer(id: string, due: number): void {
    timers.delete(id);
    if (!running || !deps.storeOpen()) return;
    const row = repo.get(id);
    if (!row || row.state !== "started") return;
    if (clock.now() < due) return arm(row);
    // Arm the following fire first, so a slow task start never delays the schedule.
    arm(row);
    track(fire(row, "cron"));
  }

  function track(p: Promise<void>): void {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  function failureOf(report: TaskStartReport, taskId: string): string | undefined {
    const started = report.started.find((s) => s.taskId.toLowerCase() === taskId.toLowerCase());
    if (started?.status === "started") return undefined;
    if (started?.error) return `QRS refused the start: ${started.error}`;
    if (report.notFound.length) return `task ${taskId} does not exist in Qlik Sense`;
    if (report.invalid.length) return `task id ${taskId} is not a GUID`;
    if (report.denied.length) return `denied by the start allowlist: ${report.denied[0]!.reason}`;
    return "the task was not started";
  }

  async function fire(row: ScheduleRow, reason: LastRun["reason"], event?: TaskEvent): Promise<void> {
    const taskId = row.definition.qlikSenseTaskId;
    const origin: StartOrigin = reason === "event" ? { kind: "event-trigger", name: row.id } : { kind: "schedule", name: row.id };
    const at = new Date(clock.now()).toISOString();
    let error: string | undefined;
    try {
      error = failureOf(await deps.taskStarter.start({ taskIds: [taskId] }, origin), taskId);
    } catch (err) {
      error = describeError(err);
    }
    const run: LastRun = { at, reason, result: error ? "failed" : "started", taskId, ...(error ? { error } : {}), ...(event ? { eventId: event.id } : {}) };
    fires.inc({ reason, result: run.result });
    const fields = { scheduleId: row.id, schedule: row.definition.name, taskId, reason, ...(event ? { eventId: event.id, sourceTaskId: event.task.id } : {}) };
    if (error) log.warn({ ...fields, error }, "schedule fired; the task did not start");
    else log.info(fields, "schedule fired; task started");
    if (!deps.storeOpen()) return;
    if (repo.get(row.id)) repo.setLastRun(row.id, run);
    audit.record({
      actor: { kind: origin.kind, name: row.id },
      action: "schedule.fire",
      target: row.id,
      result: error ? "failed" : "ok",
      details: { ...fields, firedAt: at, ...(error ? { error } : {}) },
    });
  }

  /** Fires that were due while Steward was down: reported always, run once when the schedule asks for it. */
  function checkMissed(row: ScheduleRow): void {
    if (row.state !== "started" || row.nextRunAt === null || row.definition.cronSchedule === undefined) return;
    const now = clock.now();
    if (row.nextRunAt > now) return;
    const t = timingOf(row);
    const missed = [row.nextRunAt, ...firesBetween(t, row.nextRunAt, now, deps.catchUpLimit - 1)];
    const report: MissedReport = {
      count: missed.length,
      capped: missed.length >= deps.catchUpLimit,
      first: new Date(missed[0]!).toISOString(),
      last: new Date(missed[missed.length - 1]!).toISOString(),
      detectedAt: new Date(now).toISOString(),
      caughtUp: row.definition.catchUp,
    };
    repo.setMissed(row.id, report);
    missedCounter.inc({}, report.count);
    log.warn({ scheduleId: row.id, schedule: row.definition.name, ...report }, "schedule missed fires while Steward was not running");
    audit.record({ actor: { kind: "system", name: "scheduler" }, action: "schedule.missed", target: row.id, result: "ok", details: { ...report } });
    if (row.definition.catchUp) track(fire(row, "catch-up"));
  }

  function matches(row: ScheduleRow, e: TaskEvent): boolean {
    const trig = row.definition.trigger;
    if (!trig || row.state !== "started" || !trig.on.includes(e.outcome)) return false;
    const byId = trig.taskIds.some((id) => id.toLowerCase() === e.task.id.toLowerCase());
    // Case-insensitive like QRS tag filters and notification routes.
    const eventTags = new Set(e.task.tags.map((t) => t.toLowerCase()));
    const byTag = trig.taskTags.some((tag) => eventTags.has(tag.toLowerCase()));
    if (!byId && !byTag) return false;
    const t = timingOf(row);
    const now = clock.now();
    return inDateBounds(t, now) && inWindow(t, now);
  }

  /** True (and reported) when the trigger already started its task maxFiresPerHour times in the last hour. */
  function loopGuardHolds(row: ScheduleRow, e: TaskEvent): boolean {
    const limit = row.definition.trigger?.maxFiresPerHour ?? Number.POSITIVE_INFINITY;
    const now = clock.now();
    const recent = (recentTriggerFires.get(row.id) ?? []).filter((t) => t > now - 3_600_000);
    if (recent.length >= limit) {
      recentTriggerFires.set(row.id, recent);
      fires.inc({ reason: "event", result: "suppressed" });
      const details = { scheduleId: row.id, schedule: row.definition.name, taskId: row.definition.qlikSenseTaskId, eventId: e.id, sourceTaskId: e.task.id, maxFiresPerHour: limit };
      log.warn(details, "event trigger skipped: it already fired maxFiresPerHour times in the last hour (loop guard)");
      audit.record({ actor: { kind: "event-trigger", name: row.id }, action: "schedule.suppressed", target: row.id, result: "denied", details });
      return true;
    }
    recent.push(now);
    recentTriggerFires.set(row.id, recent);
    return false;
  }

  function onTaskEvent(e: TaskEvent): void {
    if (!running || !deps.storeOpen()) return;
    for (const row of repo.all()) {
      if (!matches(row, e)) continue;
      // A datagram is a hint (UDP is unauthenticated): only a run QRS confirmed may start a task.
      if (e.unconfirmed) {
        log.warn({ scheduleId: row.id, schedule: row.definition.name, eventId: e.id, sourceTaskId: e.task.id, why: e.unconfirmed.reason }, "event trigger skipped: QRS did not confirm the run");
        continue;
      }
      const key = `${row.id}\u0000${e.id}`;
      if (seenEvents.has(key)) continue;
      seenEvents.add(key);
      if (seenEvents.size > SEEN_EVENTS) seenEvents.delete(seenEvents.values().next().value!);
      if (loopGuardHolds(row, e)) continue;
      track(fire(row, "event", e));
    }
  }

  return {
    start() {
      running = true;
      for (const row of repo.all()) {
        checkMissed(row);
        arm(row);
      }
      for (const kind of ["task.succeeded", "task.failed", "task.aborted"] as const) unsubscribe.push(deps.bus.on(kind, onTaskEvent));
    },
    async stop(budgetMs) {
      running = false;
      for (const u of unsubscribe.splice(0)) u();
      for (const id of [...timers.keys()]) disarm(id);
      // Let fires in flight record their result, within the budget.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, Math.max(0, budgetMs - 100))))]);
      clearTimeout(timer);
    },
    refresh(id) {
      timings.delete(id);
      const row = repo.get(id);
      if (row) arm(row);
      else disarm(id);
    },
    forget(id) {
      disarm(id);
      timings.delete(id);
    },
  };
}
