// Event triggers: a task event on the bus starts the schedules whose trigger it matches, on the Steward that
// hears of it. The claim in the store keeps it to one fire per event across a cluster, a loop guard caps the
// fires per hour, and an unconfirmed datagram never starts a task.
import type { TaskEvent } from "../../platform/events/types";
import { inDateBounds, inWindow } from "./next-run";
import type { RunnerContext } from "./runner-context";
import type { ScheduleRow } from "./schedule-repo";
import { fireUnlessHeld } from "./schedule-fire";

/** Event ids remembered per runner so one task event never fires a schedule twice. */
const SEEN_EVENTS = 2000;
/** Event-fire claims are kept this long (an event is never heard of again after that). */
export const EVENT_CLAIM_TTL_MS = 7 * 86_400_000;
/** How long the schedules read for event triggers are used before they are read again. */
const TRIGGER_ROWS_TTL_MS = 1_000;

export interface EventTriggers {
  onTaskEvent(e: TaskEvent): Promise<void>;
  /** The schedules changed here: read them again for the next event. */
  invalidate(): void;
}

export function createEventTriggers(ctx: RunnerContext, running: () => boolean): EventTriggers {
  const { deps, timingOf, track, fires } = ctx;
  const { repo, clock, log, audit } = deps;
  const seenEvents = new Set<string>();
  /** Recent event-trigger fire times per schedule, for the loop guard. */
  const recentTriggerFires = new Map<string, number[]>();
  let eventClaims = 0;

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
    if (!running() || !deps.storeOpen()) return;
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
      track(fireUnlessHeld(ctx, row, e));
    }
  }

  return {
    onTaskEvent,
    invalidate() {
      triggerRows = undefined;
    },
  };
}
