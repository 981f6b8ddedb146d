// Which QRS trigger started a run the Scheduler's account started: a schema (time) trigger whose last event is
// the run's start, or a task-event trigger (a chain) whose upstream task ended as the trigger waits for just
// before. Read from the task's own triggers, the reads shared by the runs of a burst (trigger-readers.ts); nothing
// is guessed when QRS says nothing clear.
import type { Logger } from "pino";
import type { QueuedRun } from "../../hear/events/run-report";
import type { Clock } from "../../platform/core/clock";
import type { StartedBy } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import type { BatchReadOptions } from "../../platform/qlik/qrs-batch-reader";
import { startedByOf } from "./history";
import { createTriggerReaders, TASK_KEY, type TriggerQrs, type TriggerReaders } from "./trigger-readers";

/** A schema trigger's last event and the run's start may differ by the Scheduler's own delay. */
const SCHEDULE_SLACK_MS = 120_000;
/** A chain with no time constraint: the upstream run must have ended this recently. */
const CHAIN_DEFAULT_WINDOW_MS = 10 * 60_000;

/** The run whose trigger is asked for. */
export interface TriggerRun {
  taskId: string;
  /** The event's task type (`reload`, `externalProgram`, `userSync`; others have no triggers to read). */
  taskType: string;
  /** When the run started (ms); NaN when unknown. */
  startMs: number;
}

export interface TriggerLookupOptions {
  timeoutMs?: number;
  /** Reads that began at or after this time (Clock ms) will do: when the run was heard of. Default: now. */
  notBefore?: number;
}

type Trigger = NonNullable<StartedBy["trigger"]>;

const keyOf = (taskType: string) => TASK_KEY[taskType as keyof typeof TASK_KEY] as (typeof TASK_KEY)[keyof typeof TASK_KEY] | undefined;

async function findTrigger(
  readers: TriggerReaders,
  run: TriggerRun,
  key: NonNullable<ReturnType<typeof keyOf>>,
  o: BatchReadOptions,
): Promise<Trigger | undefined> {
  const start = run.startMs;
  const schedules = await readers.schedules(key, run.taskId, o);
  const bySchedule = schedules.find((s) => {
    const at = Date.parse(s.operational?.lastEventDate ?? "");
    return Number.isFinite(at) && at <= start + 5_000 && start - at <= SCHEDULE_SLACK_MS;
  });
  if (bySchedule) return { type: "schedule", name: bySchedule.name };

  for (const chain of await readers.chains(key, run.taskId, o)) {
    if (chain.enabled === false) continue;
    const c = chain.timeConstraint ?? {};
    const window = (((c.days ?? 0) * 24 + (c.hours ?? 0)) * 60 + (c.minutes ?? 0)) * 60_000 + (c.seconds ?? 0) * 1000 || CHAIN_DEFAULT_WINDOW_MS;
    for (const rule of chain.compositeRules) {
      const upstream = rule.reloadTask ?? rule.externalProgramTask ?? rule.userSyncTask;
      const status = rule.ruleState === 1 ? 7 : rule.ruleState === 2 ? 8 : undefined;
      if (!upstream || status === undefined) continue;
      const runs = await readers.upstreamRuns({ taskId: upstream.id, status, fromMs: start - window, toMs: start + 5_000 }, o);
      if (runs.length > 0) return { type: "chain", name: chain.name, after: { task: upstream.name, outcome: status === 7 ? "succeeded" : "failed" } };
    }
  }
  return undefined;
}

export async function triggerOf(readers: TriggerReaders, run: TriggerRun, started: StartedBy, log: Logger, o: TriggerLookupOptions = {}): Promise<StartedBy> {
  const key = keyOf(run.taskType);
  if (started.kind !== "scheduler" || !key || !Number.isFinite(run.startMs)) return started;
  try {
    const trigger = await findTrigger(readers, run, key, { timeoutMs: o.timeoutMs ?? 5_000, notBefore: o.notBefore });
    if (trigger?.type === "schedule") return { ...started, trigger, text: `the trigger "${trigger.name}"` };
    if (trigger?.after) return { ...started, trigger, text: `the task chain "${trigger.name}" (after "${trigger.after.task}" ${trigger.after.outcome})` };
  } catch (err) {
    log.debug({ taskId: run.taskId, err: (err as Error).message }, "cannot tell which trigger started the run");
  }
  return started;
}

/**
 * Asks for the reads `triggerOf` will make for a run still waiting its turn, without waiting for them: they join
 * the batches of the runs ahead of it and are kept for it. Without its start, only its task's triggers are read
 * (the upstream runs a chain rule asks for depend on it). Failures are left to `triggerOf`, which reads again.
 */
export function prefetchTrigger(readers: TriggerReaders, run: TriggerRun, o: Required<TriggerLookupOptions>): void {
  const key = keyOf(run.taskType);
  if (!key) return;
  const read = Number.isFinite(run.startMs)
    ? findTrigger(readers, run, key, o)
    : Promise.all([readers.schedules(key, run.taskId, o), readers.chains(key, run.taskId, o)]);
  read.catch(() => undefined);
}

export interface TriggerLookupDeps {
  qrs?: TriggerQrs;
  clock: Clock;
  log: Logger;
  /** The Scheduler's accounts (`incidents.schedulerUsers`): only their runs have a trigger to name. */
  schedulerUsers: readonly string[];
  timeoutMs?: number;
}

/** The incidents' trigger lookups: one set of readers for every run, so the lookups of a burst share their reads. */
export function createTriggerLookup(deps: TriggerLookupDeps) {
  const readers = deps.qrs ? createTriggerReaders(deps.qrs, deps.clock) : undefined;
  const timeoutMs = deps.timeoutMs ?? 5_000;
  return {
    /** A failure of the Scheduler's own run waits in the intake's queue: its lookup's reads start now (prefetchTrigger). */
    prepare(q: QueuedRun): void {
      const r = q.report;
      if (!readers || r.outcome === "succeeded" || startedByOf({ user: r.user ?? "" }, deps.schedulerUsers).kind !== "scheduler") return;
      const run = { taskId: r.taskId, taskType: q.taskType, startMs: Date.parse(q.startTime ?? "") };
      prefetchTrigger(readers, run, { timeoutMs, notBefore: r.heardAtMs ?? deps.clock.now() });
    },
    /**
     * Who or what started the run; for a failure of the Scheduler's, the trigger or chain QRS shows. `heardAtMs`: see
     * TriggerLookupOptions.notBefore. A promise only when QRS is read (a success, or no QRS: the answer at once).
     */
    startedBy(e: TaskEvent, failed: boolean, heardAtMs?: number): StartedBy | Promise<StartedBy> {
      const started = startedByOf(e, deps.schedulerUsers);
      if (!failed || !readers) return started;
      const run = { taskId: e.task.id, taskType: e.taskType, startMs: Date.parse(e.execution?.startTime ?? "") };
      return triggerOf(readers, run, started, deps.log, { timeoutMs, notBefore: heardAtMs ?? deps.clock.now() });
    },
  };
}
