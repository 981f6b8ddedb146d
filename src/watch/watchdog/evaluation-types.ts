// What one look of the watchdog takes in and gives out (evaluate.ts): the conditions it opens and closes and
// what it knows of each task.
import type { StaleMemo } from "./stale-memo";
import type { WatchdogConfig } from "./config";
import type { WatchCondition } from "../../platform/events/types";
import type { Execution } from "./observations";
import type { Plan, WatchedTask } from "./qrs-plan";
import type { TriggerWatch } from "./schedule";
import type { TaskSettings } from "./task-settings";
import type { UsualDuration } from "./usual";
import type { WatchDetails } from "./watchdog-event";
import type { RunList } from "./run-list";
import type { RunLearner } from "./run-learner";
import type { RunRow } from "./watch-store";

export interface OpenCondition {
  key: string;
  type: WatchCondition;
  taskId?: string;
  appId?: string;
  /** Deterministic (from QRS's own times), so a restart or a second Steward derives the same occurrence. */
  openedMs: number;
  details: WatchDetails;
  /** Worth knowing, not worth a page: announced as task.notice, and closed without a task.on_track. */
  notice?: boolean;
}

export interface CloseCondition {
  key: string;
  resolution: string;
}

export interface KnownCondition {
  key: string;
  type: string;
  taskId?: string;
  appId?: string;
  openedMs: number;
  details: WatchDetails;
}

/** One enabled schema trigger of a task and how its starts are expected (schedule.ts watchOf). */
export interface TriggerView {
  name: string;
  watch: TriggerWatch;
  /** Why it is judged by QRS alone or not watched. */
  reason?: string;
}

export interface TaskView {
  id: string;
  name: string;
  appId?: string;
  watched: boolean;
  /** Why the task is not watched at all: disabled, StewardWatch=off, a config rule, or (Qlik Cloud) no schedule. */
  offReason?: string;
  /** Its enabled triggers that are not watched, each with the reason (never silently skipped). */
  notWatched?: string[];
  triggers?: TriggerView[];
  /** Its triggers (time or task-event) that are disabled in the QMC: a task whose every trigger is off expects no start. */
  disabledTriggers?: number;
  /** Its app is past due but not paged now, and why (a run in progress, a retry, a page that already said it). */
  staleHeldBack?: string;
  nextExpectedMs?: number;
  /**
   * A start of its schedule that fell due within its grace before the look and has not come yet (it may still: the
   * Scheduler takes seconds to start a run). A chain through it is not late yet (src/watch/freshness/chain-eta.ts).
   */
  dueMs?: number;
  usual?: UsualDuration;
  lastRunMs?: number;
  lastStatus?: number;
  runningSinceMs?: number;
  /** Its run waits in the Scheduler's queue for an engine (status Queued) since then: waiting, not stopped. */
  waitingSinceMs?: number;
  /** When that wait becomes the queue watch's backlog (watchdog.queue.backlogAfter after it began); absent when the queue watch is off. */
  backlogAtMs?: number;
  /** Its enabled task-event triggers, each the upstream task ids it waits for (all of them) and on what outcome. */
  after?: Array<{ upstreamIds: string[]; onSuccess: boolean }>;
}

export interface EvaluationInput {
  cfg: WatchdogConfig;
  plan: Plan;
  nowMs: number;
  /** Due times whose grace ended at or before this were judged by an earlier look. */
  checkedUntilMs: number;
  /** When the watchdog first looked at this site: earlier due times and chain ends are history, not judged. */
  watchingSinceMs: number;
  /** Finished runs (and skipped, retried attempts) in the learning window, oldest first. */
  runs: readonly RunRow[];
  /** The same runs per task when the store has them so (grouped here otherwise). */
  runsByTask?: ReadonlyMap<string, RunList>;
  /**
   * What each task's runs teach, kept as the store added and pruned them (SQLite; a task without one has no run kept).
   * Without them (PostgreSQL) a look learns each task from its runs.
   */
  learners?: ReadonlyMap<string, RunLearner>;
  running: readonly Execution[];
  /** Results QRS changed since the last look (for Skipped and Retry). */
  changed: readonly Execution[];
  open: readonly KnownCondition[];
  /** How late starts usually are on this site (learned), added to the configured grace. */
  startLatencyMs: number;
  /** What the last look learned that still holds (evaluation-look.ts); a look without it learns everything again. */
  memo?: EvaluationMemo;
  /** Per app, the end of its last successful reload outside the Scheduler (the hub, the Engine API): fresh data too. */
  reloadsOutside?: ReadonlyMap<string, number>;
  /**
   * Per task (lower-case id), a retry or re-run of its failure being done (a remediation rule's or a person's), in
   * words: its app and the apps down its chain are not paged stale meanwhile (the hold is the incident's, issue 101);
   * once the rule gives up or the person's retry failed, the apps are judged as any other.
   */
  remediationHeld?: ReadonlyMap<string, string>;
}

export interface Evaluation {
  opens: OpenCondition[];
  closes: CloseCondition[];
  tasks: TaskView[];
  /** Start delays seen this look (a due time and the start that answered it), to learn the site's latency. */
  latencies: number[];
}

export interface Learned {
  /** What it was learned from, and that one's version then: the same learner at the same version teaches the same. */
  source: RunLearner;
  version: number;
  usual: UsualDuration | undefined;
  /** The median of its recent successful durations, from the first one seen (an app's stale deadline). */
  typicalMs?: number;
  /** The median gap between its successful ends (computed when first asked); null when there is no gap. */
  gapMedian?: number | null;
}

/**
 * What a look learned that holds at the next one, kept by the caller (the QRS look): each task's settings (a plan's
 * task and app objects never change, so they key them) and its usual duration, learned again only when its runs
 * changed. Without it a look computed both for every task from every kept run: the whole site at every look.
 */
export interface EvaluationMemo {
  settings: WeakMap<WatchedTask, TaskSettings>;
  learned: Map<string, Learned>;
  /** Each app's stale facts, kept while what they were worked out from is unchanged (stale-memo.ts). */
  stale: StaleMemo;
}
