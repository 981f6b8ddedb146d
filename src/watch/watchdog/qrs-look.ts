// The watchdog's look at Qlik Sense Enterprise: the plan read from QRS (tasks and triggers, only what changed),
// the runs read since the last look, the evaluation of the plan against them, and the conditions it opens and
// closes announced; then the look for tasks turned off.
import type { Logger } from "pino";
import type { WatchdogConfig } from "./config";
import type { WatchCondition, WatchdogEvent, WatchdogEventKind } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { type Announcer, isNotice } from "./announcer";
import { createDoubleTriggerMemo } from "./chains";
import { createEvaluationMemo, taskZone } from "./evaluation-look";
import { createLookRuns } from "./look-runs";
import { type CloseCondition, type Evaluation, evaluate, type KnownCondition, type OpenCondition, type TaskView } from "./evaluate";
import type { Execution } from "./observations";
import { type KeptPlan, nextPlan } from "./plan-update";
import { refreshQrsTimes } from "./qrs-times";
import { advanceCursor, readQrs } from "./qrs-read";
import { createQueueWatch, type OwnRuns } from "./queue-watch";
import { createRowParses } from "./row-parses";
import { detailsOf } from "./stored-details";
import { lastChangedMs } from "./turned-off-facts";
import { createTurnedOffWatch } from "./turned-off-watch";
import type { ConditionRow, WatchStore } from "./watch-store";
import { watchdogEvent } from "./watchdog-event";

export interface QrsLookDeps {
  cfg: WatchdogConfig;
  store: WatchStore;
  log: Logger;
  announcer: Announcer;
  /** The Qlik Sense host, for events whose node is unknown. */
  host: string;
  /**
   * Per app, the end of its last successful reload outside the Scheduler since `sinceMs` (src/hear/engine): fresh data
   * the stale judgement counts at once, before QRS's lastReloadTime is read again with the plan.
   */
  reloadsOutside?: (sinceMs: number) => Promise<ReadonlyMap<string, number>>;
  /** A plan read anew: grouping keeps its chains in the store (wired by the composition root). */
  planRead?: (plan: KeptPlan, now: number) => Promise<void>;
  /** The runs Steward started itself (remediation's): the queue look does not page them waiting alone. */
  ownRuns?: OwnRuns;
  /** Per task, a retry or re-run of its failure being done, a rule's or a person's (EvalInput.remediationHeld). */
  remediationHolds?: () => Promise<ReadonlyMap<string, string>>;
}

export interface QrsLook {
  look(qrs: QrsClient, now: number): Promise<void>;
  /** The plan last read (absent before the first read). */
  plan(): KeptPlan | undefined;
  /** What the last look knew of each task. */
  tasks(): TaskView[];
}

type Refs = (taskId: string | undefined, appId: string | undefined) => { task?: WatchdogEvent["task"]; app?: WatchdogEvent["app"] };

const KIND: Record<WatchCondition, WatchdogEventKind> = {
  missed: "task.missed",
  skipped: "task.missed",
  retrying: "task.retrying",
  chain_broken: "task.chain_broken",
  running_long: "task.running_long",
  stale: "app.stale",
  disabled: "task.disabled",
  queue_backlog: "scheduler.queue_backlog",
};

export function createQrsLook(d: QrsLookDeps): QrsLook {
  const { cfg, store, log, announcer } = d;
  let plan: KeptPlan | undefined;
  // Kept across plan rebuilds: a change to one task recomputes that task's fires and validates its rows, not the site's.
  const doubles = createDoubleTriggerMemo();
  const parses = createRowParses();
  const memo = createEvaluationMemo();
  const lookRunsOf = createLookRuns();
  const reported = new Set<string>();
  let latencies: number[] = [];
  // The last look's evaluation: its view of the tasks is built when first asked for.
  let last: Evaluation | undefined;
  // When the last look that read everything up to its own time ended (qrs-read.ts readQrs): the next one's span.
  let lastCompleteMs: number | undefined;

  const startLatency = () => {
    if (latencies.length < 5) return 0;
    const s = [...latencies].sort((a, b) => a - b);
    return Math.round(3 * s[Math.floor(s.length / 2)]!);
  };

  const refs = (taskId: string | undefined, appId: string | undefined) => {
    const t = taskId ? plan?.tasks.get(taskId) : undefined;
    const a = appId ?? t?.appId;
    const app = a ? plan?.apps.get(a) : undefined;
    const { lastReloadMs: _drop, ...appRef } = app ?? ({} as NonNullable<typeof app>);
    return {
      ...(t ? { task: { id: t.id, name: t.name, tags: t.tags, customProperties: t.customProperties } } : {}),
      ...(app ? { app: appRef } : {}),
    };
  };

  async function refreshPlan(qrs: QrsClient, now: number): Promise<void> {
    // Only what changed is read again (modifiedDate); everything at start, after a deletion and once a day.
    const next = await nextPlan(qrs, plan, now, cfg.planRefresh, doubles, parses);
    if (!next) return;
    plan = next;
    await d.planRead?.(plan, now);
    for (const p of plan.problems) {
      if (reported.has(p)) continue;
      reported.add(p);
      log.warn({ problem: p }, `watchdog: ${p}`);
    }
  }

  const queue = cfg.queue.enabled ? createQueueWatch({ cfg, store, log, announcer, host: d.host, ...(d.ownRuns ? { ownRuns: d.ownRuns } : {}) }) : undefined;
  const turnedOff = createTurnedOffWatch({ cfg, store, host: d.host, refs, open: announcer.open, close: announcer.close });

  async function look(qrs: QrsClient, now: number): Promise<void> {
    await refreshPlan(qrs, now);
    if (!plan) return;
    // QRS's clock first: a trigger judged by QRS's stated time alone is read again once that time has passed.
    await refreshQrsTimes(qrs, plan, now);
    const r = await readQrs(qrs, store, cfg, log, now, lastCompleteMs);
    // Each node's queue first, as of this look's read (a capped read judges as of where it ended): a backlog opens
    // before what it holds up (a stale app, a missed start) is announced, so those join it instead of paging first.
    await queue?.look({ qrs, nowMs: r.asOf, running: r.running, changed: r.changed, plan });
    // Qlik Cloud's conditions are judged by the Cloud part (cloud-watch.ts).
    const open = (await store.openConditions()).filter((c) => !c.key.startsWith("cloud:"));
    // Held in memory (SQLite), the recent runs per task and what all of keepRuns teaches are what a look needs; what a
    // judgement needs from before them is read from the store (look-runs.ts).
    const since = now - cfg.keepRuns;
    const current = plan;
    store.taskZones((id) => {
      const t = current.tasks.get(id);
      return t ? taskZone(current, t) : undefined;
    });
    const openKnown = open.map(knownCondition);
    const lookRuns = { cfg, plan, nowMs: now, checkedUntilMs: r.checkedUntil, startLatencyMs: startLatency() };
    const { runs, runsByTask, learners, fromMs } = await lookRunsOf.forLook(store, { ...lookRuns, open: openKnown });
    // A store that cannot be read leaves the judgement to QRS's lastReloadTime, as before this was heard.
    const outside = d.reloadsOutside
      ? await d.reloadsOutside(since).catch((err: Error) => {
          log.warn({ err: err.message }, "watchdog: cannot read the reloads outside the Scheduler; stale apps are judged by QRS alone");
          return undefined;
        })
      : undefined;
    // Unreadable holds judge the app as if nothing were being done: a page too many rather than one missed.
    const remediationHeld = d.remediationHolds
      ? await d.remediationHolds().catch((err: Error) => {
          log.warn({ err: err.message }, "watchdog: cannot read what remediation is retrying; stale apps are judged without it");
          return undefined;
        })
      : undefined;
    const result = evaluate({
      cfg,
      plan,
      nowMs: r.asOf,
      checkedUntilMs: r.checkedUntil,
      watchingSinceMs: r.watchingSince,
      runs,
      ...(runsByTask ? { runsByTask } : {}),
      ...(learners ? { learners } : {}),
      running: r.running,
      changed: r.changed,
      open: openKnown,
      startLatencyMs: startLatency(),
      memo,
      ...(outside ? { reloadsOutside: outside } : {}),
      ...(remediationHeld ? { remediationHeld } : {}),
    });
    latencies = [...latencies, ...result.latencies].slice(-50);
    last = result;
    // A due time that fell before the task or its trigger changed (re-enabled) is not a missed start.
    const facts = plan.turnOff;
    const opens = result.opens.filter(
      (o) => o.type !== "missed" || o.details.expectedAtMs === undefined || !(o.details.expectedAtMs < (lastChangedMs(facts, o.taskId ?? "") ?? -1)),
    );
    await announceOpens(announcer, refs, d.host, opens, r.running, now, store);
    await announceCloses(announcer, refs, result.closes, open, now);
    // A task turned off this look may have been so since before the runs held: its runs since then are read.
    const openNow = await store.openConditions();
    const offRuns =
      runsByTask && fromMs !== undefined
        ? await lookRunsOf.forTurnedOff(store, { ...lookRuns, open: openNow.map(knownCondition) }, { fromMs, byTask: runsByTask })
        : undefined;
    await turnedOff.look({ plan, nowMs: now, runs, ...(offRuns ? { runsByTask: offRuns } : {}), running: r.running, open: openNow });
    await advanceCursor(store, cfg, r, now);
    lastCompleteMs = r.complete ? now : undefined;
  }

  return { look, plan: () => plan, tasks: () => last?.tasks ?? [] };
}

function knownCondition(c: ConditionRow): KnownCondition {
  return {
    key: c.key,
    type: c.type,
    ...(c.taskId ? { taskId: c.taskId } : {}),
    ...(c.appId ? { appId: c.appId } : {}),
    openedMs: c.openedMs,
    details: detailsOf(c.openEvent),
  };
}

/**
 * Each condition names the node it is about: the node running its task now, else the node of the task's last run
 * (a task mostly runs where it ran, and a start missed because that node is down is that node's), else qlik.host. So
 * a maintenance window on that node holds it (issue 106: the runs kept in memory carry no node, the stored ones do).
 */
async function announceOpens(
  announcer: Announcer,
  refs: Refs,
  host: string,
  opens: OpenCondition[],
  running: Execution[],
  now: number,
  store: Pick<WatchStore, "lastNodeOf">,
): Promise<void> {
  for (const o of opens) {
    const node = o.taskId ? (running.find((e) => e.taskId === o.taskId)?.node ?? (await store.lastNodeOf(o.taskId))) : undefined;
    const event = watchdogEvent({
      kind: o.notice ? "task.notice" : KIND[o.type],
      condition: { type: o.type, key: o.key, openedAtMs: o.openedMs },
      nowMs: now,
      host: node ?? host,
      ...refs(o.taskId, o.appId),
      details: o.details,
    });
    await announcer.open({
      key: o.key,
      type: o.type,
      ...(o.taskId ? { taskId: o.taskId } : {}),
      ...(o.appId ? { appId: o.appId } : {}),
      openedMs: o.openedMs,
      event,
    });
  }
}

async function announceCloses(announcer: Announcer, refs: Refs, closes: CloseCondition[], open: ConditionRow[], now: number): Promise<void> {
  for (const c of closes) {
    const row = open.find((x) => x.key === c.key);
    if (!row) continue;
    const event = watchdogEvent({
      kind: "task.on_track",
      condition: { type: row.type as WatchCondition, key: row.key, openedAtMs: row.openedMs, closedAtMs: now },
      nowMs: now,
      host: row.openEvent.host,
      ...refs(row.taskId, row.appId),
      details: { ...detailsOf(row.openEvent), resolution: c.resolution },
    });
    await announcer.close(c.key, now, event, { notice: isNotice(row.openEvent) });
  }
}
