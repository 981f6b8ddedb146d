// Runs schedules: one clock timer per started cron schedule (armed for its next fire, capped so clock changes
// are noticed), event triggers fed by task events on the bus, missed-fire detection when this Steward takes the
// lead, and the fire itself — a task start through the shared TaskStarter, logged, audited and recorded on the
// schedule. With several Stewards on one store only the holder of the scheduler duty arms timers, and every fire
// is claimed in the store first (the planned next fire moves on only for the one that wins), so a schedule fires
// once per occurrence even while the lead changes hands.
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { Clock, Timer } from "../core/clock";
import type { EventBus } from "../core/bus";
import { describeError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import type { StartOrigin, TaskStarter, TaskStartReport } from "../control/types";
import type { DomainEvents, TaskEvent } from "../events/types";
import { compileTiming, firesBetween, inDateBounds, inWindow, nextFire, plannedTooFarAhead, type Timing } from "./next-run";
import type { LastRun, MissedReport } from "./schedule-model";
import type { ScheduleRepo, ScheduleRow } from "./schedule-repo";
import { recordHeldFire } from "./held-fire";

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
  syncIntervalMs?: number;
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

export interface ScheduleRunner {
  start(): Promise<void>;
  stop(budgetMs: number): Promise<void>;
  /** Re-reads a schedule and (re)arms or disarms it. */
  refresh(id: string): Promise<void>;
  forget(id: string): void;
}

/** Longest single timer; a longer wait is re-armed, which also notices clock jumps. */
const MAX_TIMER_MS = 60 * 60 * 1000;
/** Event ids remembered per runner so one task event never fires a schedule twice. */
const SEEN_EVENTS = 2000;
/** Event-fire claims are kept this long (an event is never heard of again after that). */
const EVENT_CLAIM_TTL_MS = 7 * 86_400_000;
/** How long the schedules read for event triggers are used before they are read again. */
const TRIGGER_ROWS_TTL_MS = 1_000;
/** How closely the (offset-corrected) clocks of a cluster's Stewards agree, for the check of planned next fires. */
const PLAN_TOLERANCE_MS = 1_000;

const ALWAYS_LEADING: SchedulerDuty = { holds: () => true, onChange: () => () => {} };

/** The next fire a schedule plans from `now`: none while stopped or for a schedule without cron. */
export function plannedNextRun(def: ScheduleRow["definition"], state: ScheduleRow["state"], now: number): number | null {
  if (state !== "started" || def.cronSchedule === undefined) return null;
  return nextFire(compileTiming(def), now);
}

export function createScheduleRunner(deps: RunnerDeps): ScheduleRunner {
  const { repo, clock, log, audit } = deps;
  const duty = deps.duty ?? ALWAYS_LEADING;
  const timers = new Map<string, Timer>();
  /** What each armed timer was armed for (state, next fire, definition): a change re-arms. */
  const armed = new Map<string, string>();
  const timings = new Map<string, { def: string; timing: Timing }>();
  const inFlight = new Set<Promise<void>>();
  const seenEvents = new Set<string>();
  /** Recent event-trigger fire times per schedule, for the loop guard. */
  const recentTriggerFires = new Map<string, number[]>();
  const unsubscribe: Array<() => void> = [];
  let running = false;
  let leading = false;
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  let eventClaims = 0;
  const fires = deps.metrics.counter("steward_scheduler_fires_total", "Schedule fires by reason (cron, event, catch-up) and result.");
  const missedCounter = deps.metrics.counter(
    "steward_scheduler_missed_fires_total",
    "Cron fires missed: Steward not running, the lead changing hands, or a timer woken after later fires were due.",
  );

  const timingOf = (row: ScheduleRow): Timing => {
    const def = JSON.stringify(row.definition);
    let t = timings.get(row.id);
    if (!t || t.def !== def) timings.set(row.id, (t = { def, timing: compileTiming(row.definition) }));
    return t.timing;
  };
  const fingerprint = (row: ScheduleRow) => `${row.state}|${row.nextRunAt}|${JSON.stringify(row.definition)}`;

  function disarm(id: string): void {
    const t = timers.get(id);
    if (t) clock.clearTimeout(t);
    timers.delete(id);
    armed.delete(id);
  }

  /** Arms the timer for the row's planned next fire (the store's next_run_at), if this Steward leads. */
  function arm(row: ScheduleRow): void {
    disarm(row.id);
    if (!leading || row.state !== "started" || row.definition.cronSchedule === undefined || row.nextRunAt === null) return;
    armed.set(row.id, fingerprint(row));
    const due = row.nextRunAt;
    const timer = clock.setTimeout(() => track(onTimer(row.id, due)), Math.min(Math.max(0, due - clock.now()), MAX_TIMER_MS));
    timer.unref?.();
    timers.set(row.id, timer);
  }

  async function onTimer(id: string, due: number): Promise<void> {
    timers.delete(id);
    armed.delete(id);
    if (!running || !leading || !deps.storeOpen()) return;
    const row = await repo.get(id);
    if (!row) return;
    // Changed meanwhile, or woken early (a long wait is cut in pieces; the clock may have been set back).
    if (row.state !== "started" || row.nextRunAt !== due || clock.now() < due) return arm(row);
    if (!duty.holds()) return;
    const now = clock.now();
    const following = nextFire(timingOf(row), now);
    if (!(await repo.claimNextRun(id, due, following))) {
      // Another Steward fired this occurrence (it led a moment ago) or the schedule just changed.
      const fresh = await repo.get(id);
      if (fresh) arm(fresh);
      return;
    }
    // Arm the following fire first, so a slow task start never delays the schedule.
    arm({ ...row, nextRunAt: following });
    // Woken so late (a busy or suspended machine) that later occurrences are due too: this one fire stands for
    // them; they are reported as missed, not silently dropped.
    track(fire(row, "cron", undefined, due));
    const overtaken = firesBetween(timingOf(row), due, now, deps.catchUpLimit);
    if (overtaken.length) await reportMissed(row, overtaken, now, false, "late");
  }

  /** Keeps work in flight for stop(); the returned promise never rejects (failures are logged). */
  function track(p: Promise<unknown>): Promise<void> {
    const settled = p.then(
      () => {},
      (err) => log.error({ err: describeError(err) }, "scheduler work failed"),
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return settled;
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

  /** `occurrence`: the planned time this fire stands for (cron: its due time; catch-up: the first missed one). */
  async function fire(row: ScheduleRow, reason: LastRun["reason"], event?: TaskEvent, occurrence?: number): Promise<void> {
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
    // Audited first: the audit log keeps the entry through a store outage and writes it when the store is back,
    // whereas the schedule's lastRun below is written now or not at all (the next fire sets it again).
    audit.record({
      actor: { kind: origin.kind, name: row.id },
      action: "schedule.fire",
      target: row.id,
      result: error ? "failed" : "ok",
      details: { ...fields, firedAt: at, ...(occurrence !== undefined ? { occurrence: new Date(occurrence).toISOString() } : {}), ...(error ? { error } : {}) },
    });
    if (!deps.storeOpen()) return;
    try {
      if (await repo.get(row.id)) await repo.setLastRun(row.id, run);
    } catch (err) {
      log.warn({ ...fields, err: describeError(err) }, "cannot record the fire on the schedule (the audit log has it)");
    }
  }

  /** An event trigger's fire, unless the data checks of the reload that triggered it hold its follow-ups back. */
  async function fireUnlessHeld(row: ScheduleRow, e: TaskEvent): Promise<void> {
    let why: string | undefined;
    if (deps.holdBack && e.kind === "task.succeeded") {
      why = await deps.holdBack(e).catch((err: unknown) => `the data checks of the reload could not be read: ${describeError(err)}`);
    }
    if (!why) return fire(row, "event", e);
    await recordHeldFire({ repo, clock, log, audit, fires, storeOpen: deps.storeOpen }, row, e, why);
  }

  /** Fires that were due while no Steward led: reported always, made up once when the schedule asks for it. */
  async function checkMissed(row: ScheduleRow): Promise<ScheduleRow> {
    if (row.state !== "started" || row.definition.cronSchedule === undefined) return row;
    const now = clock.now();
    const t = timingOf(row);
    if (row.nextRunAt === null) {
      // Started but never planned (a store written before next fires were kept): plan it now.
      const next = nextFire(t, now);
      return (await repo.claimNextRun(row.id, null, next)) ? { ...row, nextRunAt: next } : ((await repo.get(row.id)) ?? row);
    }
    if (row.nextRunAt > now) return replanIfAhead(row, t, now);
    const next = nextFire(t, now);
    if (!(await repo.claimNextRun(row.id, row.nextRunAt, next))) return (await repo.get(row.id)) ?? row;
    const missed = [row.nextRunAt, ...firesBetween(t, row.nextRunAt, now, deps.catchUpLimit - 1)];
    const takeover = (deps.takeoverGraceMs ?? 0) > 0 && now - missed[0]! <= deps.takeoverGraceMs!;
    const report = await reportMissed(row, missed, now, row.definition.catchUp || takeover, takeover ? "takeover" : "not-running");
    if (report.caughtUp) track(fire(row, "catch-up", undefined, missed[0]));
    return { ...row, nextRunAt: next, missed: report };
  }

  /**
   * In a cluster: a next fire planned further ahead than the cron allows from the cluster's time (by a Steward whose
   * clock ran ahead, e.g. stepped forward between two heartbeats) is planned again from now, and the occurrences
   * that fell due since it was planned (the database's time of that write) are reported missed, as after a takeover.
   */
  async function replanIfAhead(row: ScheduleRow, t: Timing, now: number): Promise<ScheduleRow> {
    if (!deps.duty || !plannedTooFarAhead(t, row.nextRunAt, now, PLAN_TOLERANCE_MS)) return row;
    const next = nextFire(t, now);
    if (!(await repo.claimNextRun(row.id, row.nextRunAt, next))) return (await repo.get(row.id)) ?? row;
    const details = {
      planned: new Date(row.nextRunAt!).toISOString(),
      replanned: next === null ? null : new Date(next).toISOString(),
      ...(row.plannedAt !== undefined ? { plannedAt: new Date(row.plannedAt).toISOString() } : {}),
    };
    log.warn(
      { scheduleId: row.id, schedule: row.definition.name, ...details },
      "the schedule's next fire was planned further ahead than its cron allows (by a Steward whose clock ran ahead): planned again from the cluster's time",
    );
    audit.record({ actor: { kind: "system", name: "scheduler" }, action: "schedule.replanned", target: row.id, result: "ok", details });
    // Since when nothing could fire: the write of the far plan, by the database's clock. Unknown for a row last
    // written before that time was kept: then no occurrence is known to be missed.
    const since = row.plannedAt !== undefined && row.plannedAt < now ? row.plannedAt : now;
    const missed = firesBetween(t, since, now, deps.catchUpLimit);
    if (missed.length === 0) return { ...row, nextRunAt: next };
    const takeover = (deps.takeoverGraceMs ?? 0) > 0 && now - missed[0]! <= deps.takeoverGraceMs!;
    const report = await reportMissed(row, missed, now, row.definition.catchUp || takeover, "ahead");
    if (report.caughtUp) track(fire(row, "catch-up", undefined, missed[0]));
    return { ...row, nextRunAt: next, missed: report };
  }

  const MISSED_MESSAGES = {
    takeover: "schedule fell due while the lead changed hands; firing it now",
    "not-running": "schedule missed fires while Steward was not running",
    late: "schedule timer woke after later fires were due; fired once for them",
    ahead: "schedule missed fires while its next fire was planned too far ahead",
  } as const;

  /**
   * Records fires that did not happen on time: in the log, the audit log, the counter and on the schedule. Never
   * throws: the store may fail right after a claim, and what follows the claim (a catch-up fire) must still run.
   */
  async function reportMissed(row: ScheduleRow, missed: number[], now: number, caughtUp: boolean, why: keyof typeof MISSED_MESSAGES): Promise<MissedReport> {
    const report: MissedReport = {
      count: missed.length,
      capped: missed.length >= deps.catchUpLimit,
      first: new Date(missed[0]!).toISOString(),
      last: new Date(missed[missed.length - 1]!).toISOString(),
      detectedAt: new Date(now).toISOString(),
      caughtUp,
    };
    missedCounter.inc({}, report.count);
    log.warn({ scheduleId: row.id, schedule: row.definition.name, ...report }, MISSED_MESSAGES[why]);
    audit.record({ actor: { kind: "system", name: "scheduler" }, action: "schedule.missed", target: row.id, result: "ok", details: { ...report } });
    try {
      await repo.setMissed(row.id, report);
    } catch (err) {
      log.warn({ scheduleId: row.id, err: describeError(err) }, "cannot record the missed fires on the schedule (the audit log has them)");
    }
    return report;
  }

  async function takeOver(): Promise<void> {
    leading = true;
    const now = clock.now();
    for (const row of await repo.all()) {
      if (!leading) return;
      arm(await checkMissed(row));
    }
    if (deps.storeOpen()) await repo.pruneEventFires(now - EVENT_CLAIM_TTL_MS);
    scheduleSync();
  }

  function giveUp(): void {
    leading = false;
    if (syncTimer) clearTimeout(syncTimer);
    syncTimer = undefined;
    for (const id of [...timers.keys()]) disarm(id);
  }

  /** The leader picks up schedules changed through another Steward's API (created, edited, started, stopped, deleted). */
  async function sync(): Promise<void> {
    const rows = await repo.all();
    if (!leading) return;
    const ids = new Set(rows.map((r) => r.id));
    for (const id of [...armed.keys()]) if (!ids.has(id)) disarm(id);
    const now = clock.now();
    for (let row of rows) {
      const should = row.state === "started" && row.definition.cronSchedule !== undefined && row.nextRunAt !== null;
      // A far plan written meanwhile (by this Steward before its clock was corrected, or by another one).
      if (should && row.nextRunAt! > now) {
        const replanned = await replanIfAhead(row, timingOf(row), now);
        if (!leading) return;
        row = replanned;
      }
      if (should ? armed.get(row.id) !== fingerprint(row) : timers.has(row.id)) arm(row);
    }
  }

  function scheduleSync(): void {
    const every = deps.syncIntervalMs ?? 0;
    if (every <= 0 || !leading || !running) return;
    syncTimer = setTimeout(() => {
      void track(sync()).finally(scheduleSync);
    }, every);
    syncTimer.unref?.();
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
      const details = {
        scheduleId: row.id,
        schedule: row.definition.name,
        taskId: row.definition.qlikSenseTaskId,
        eventId: e.id,
        sourceTaskId: e.task.id,
        maxFiresPerHour: limit,
      };
      log.warn(details, "event trigger skipped: it already fired maxFiresPerHour times in the last hour (loop guard)");
      audit.record({ actor: { kind: "event-trigger", name: row.id }, action: "schedule.suppressed", target: row.id, result: "denied", details });
      return true;
    }
    recent.push(now);
    recentTriggerFires.set(row.id, recent);
    return false;
  }

  /**
   * The schedules, read for event triggers at most once per TRIGGER_ROWS_TTL_MS instead of per task event (a
   * burst of events read and parsed every schedule each time), and again at once after a change made here. A
   * change made through another Steward or `schedules import` is seen within that time.
   */
  let triggerRows: { at: number; rows: Promise<ScheduleRow[]> } | undefined;
  function rowsForTriggers(): Promise<ScheduleRow[]> {
    const now = clock.now();
    if (triggerRows === undefined || now - triggerRows.at >= TRIGGER_ROWS_TTL_MS || now < triggerRows.at) {
      const read = repo.all();
      triggerRows = { at: now, rows: read };
      // A failed read is not kept: the next event reads again.
      read.catch(() => {
        if (triggerRows?.rows === read) triggerRows = undefined;
      });
    }
    return triggerRows.rows;
  }

  /** Event triggers run on the Steward that hears of the event; the claim in the store keeps it to one fire. */
  async function onTaskEvent(e: TaskEvent): Promise<void> {
    if (!running || !deps.storeOpen()) return;
    for (const row of await rowsForTriggers()) {
      if (!matches(row, e)) continue;
      // A datagram is a hint (UDP is unauthenticated): only a run QRS confirmed may start a task.
      if (e.unconfirmed) {
        log.warn(
          { scheduleId: row.id, schedule: row.definition.name, eventId: e.id, sourceTaskId: e.task.id, why: e.unconfirmed.reason },
          "event trigger skipped: QRS did not confirm the run",
        );
        continue;
      }
      const key = `${row.id}\u0000${e.id}`;
      if (seenEvents.has(key)) continue;
      seenEvents.add(key);
      if (seenEvents.size > SEEN_EVENTS) seenEvents.delete(seenEvents.values().next().value!);
      if (loopGuardHolds(row, e)) continue;
      if (!(await repo.claimEventFire(row.id, e.id, clock.now()))) continue;
      if (++eventClaims % 500 === 0) void track(repo.pruneEventFires(clock.now() - EVENT_CLAIM_TTL_MS));
      track(fireUnlessHeld(row, e));
    }
  }

  return {
    async start() {
      running = true;
      for (const kind of ["task.succeeded", "task.failed", "task.aborted"] as const) {
        unsubscribe.push(deps.bus.on(kind, (e) => void track(onTaskEvent(e))));
      }
      unsubscribe.push(
        duty.onChange((held) => {
          if (!running) return;
          if (held && !leading) void track(takeOver());
          else if (!held && leading) giveUp();
        }),
      );
      if (duty.holds()) await takeOver();
    },
    async stop(budgetMs) {
      running = false;
      for (const u of unsubscribe.splice(0)) u();
      giveUp();
      // Let fires in flight record their result, within the budget.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, Math.max(0, budgetMs - 100))))]);
      clearTimeout(timer);
    },
    async refresh(id) {
      triggerRows = undefined;
      const row = await repo.get(id);
      if (row) arm(row);
      else disarm(id);
    },
    forget(id) {
      triggerRows = undefined;
      disarm(id);
      timings.delete(id);
    },
  };
}
