// One tenant's look at what cloud-turned-off.ts judges: opens task.disabled and task.chain_broken for Qlik Cloud
// tasks (stored before announced, like every condition), closes them when the task starts again, and lists a
// dataset trigger that started a task twice as a problem. Called by cloud-watch.ts under the watchdog lease.
import type { WatchdogConfig } from "./config";
import type { WatchdogEvent } from "../../platform/events/types";
import { type CloudPlanTask, readRuns } from "./cloud-plan";
import type { CloudWatchTenant } from "./cloud-task-list";
import { findCloudChainBreaks, findDoubleStarts, judgeCloudTurnedOff } from "./cloud-turned-off";
import type { CloudEventSpec } from "./cloud-watch-event";
import type { TaskSettings } from "./task-settings";
import type { Seen } from "./turned-off";
import type { KeptRun } from "./run-list";
import type { ConditionRow, WatchStore } from "./watch-store";

/** Dataset-triggered tasks whose runs are read per look at most, to look for a double start. */
const MAX_RUN_READS = 10;
/** A double start stays listed as a problem this long after it happened. */
const DOUBLE_KEPT_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface CloudTurnedOffContext {
  cfg: WatchdogConfig;
  tenant: CloudWatchTenant;
  prefix: string;
  tasks: readonly CloudPlanTask[];
  complete: boolean;
  store: WatchStore;
  nowMs: number;
  checkedUntilMs: number;
  watchingSinceMs: number;
  runsOf(taskId: string): readonly KeptRun[];
  startsOf(taskId: string): readonly number[];
  settingsOf(t: { id: string; name: string; appId?: string }): TaskSettings;
  open: readonly ConditionRow[];
  event(task: CloudPlanTask | undefined, spec: CloudEventSpec): Promise<WatchdogEvent>;
  sinkOpen(c: { key: string; type: "disabled" | "chain_broken"; taskId: string; appId?: string; openedMs: number; event: WatchdogEvent }): Promise<void>;
  sinkClose(key: string, closedMs: number, event: WatchdogEvent): Promise<void>;
}

export function createCloudTurnedOff(): { look(c: CloudTurnedOffContext): Promise<string[]> } {
  const lastStart = new Map<string, number>();
  const doubles = new Map<string, { text: string; atMs: number }>();

  async function turnedOff(c: CloudTurnedOffContext): Promise<void> {
    const metaKey = `${c.prefix}turned_off_seen`;
    const raw = await c.store.getMeta(metaKey);
    const { changes, seen } = judgeCloudTurnedOff(raw ? (JSON.parse(raw) as Seen) : undefined, c.tasks, c.complete, c.runsOf, c.nowMs);
    const byId = new Map(c.tasks.map((t) => [t.id, t]));
    for (const ch of changes) {
      const s = c.settingsOf({ id: ch.taskId, name: ch.taskName, ...(ch.appId ? { appId: ch.appId } : {}) });
      if (!s.watch || !s.reportDisabled) continue;
      const key = `${c.prefix}disabled:${ch.taskId}`;
      const openedMs = ch.changedAtMs !== undefined && ch.changedAtMs <= c.nowMs ? ch.changedAtMs : c.nowMs;
      const task = byId.get(ch.taskId);
      const e = await c.event(task, {
        kind: "task.disabled",
        type: "disabled",
        key,
        openedMs,
        ...(task ? {} : { taskRef: { id: ch.taskId, name: ch.taskName, tags: ["Qlik Cloud"], customProperties: [] } }),
        ...(ch.appId ? { appId: ch.appId } : {}),
        details: {
          turnedOff: ch.turnedOff,
          ...(ch.trigger ? { trigger: ch.trigger } : {}),
          ...(ch.upstreamTask ? { upstreamTask: ch.upstreamTask } : {}),
          // Qlik's own disabling is not a person's change: its updatedBy is not shown as one.
          ...(ch.changedBy && ch.turnedOff !== "disabled-by-qlik" ? { changedBy: ch.changedBy } : {}),
          ...(ch.changedAtMs !== undefined ? { changedAtMs: ch.changedAtMs } : {}),
          ...(ch.lastSeenAtMs !== undefined ? { lastSeenAtMs: ch.lastSeenAtMs } : {}),
          ...(ch.failures !== undefined ? { failures: ch.failures } : {}),
          ...(ch.disabledCode ? { disabledCode: ch.disabledCode } : {}),
        },
      });
      await c.sinkOpen({ key, type: "disabled", taskId: ch.taskId, ...(ch.appId ? { appId: ch.appId } : {}), openedMs, event: e });
    }
    const next = JSON.stringify(seen);
    if (next !== raw) await c.store.setMeta(metaKey, next);
  }

  async function chains(c: CloudTurnedOffContext): Promise<void> {
    const breaks = findCloudChainBreaks({
      tasks: c.tasks,
      runsOf: c.runsOf,
      startsOf: c.startsOf,
      watched: (t) => t.enabled && c.settingsOf(t).watch,
      graceOf: (t) => c.settingsOf(t).graceMs ?? c.cfg.grace,
      nowMs: c.nowMs,
      checkedUntilMs: c.checkedUntilMs,
      watchingSinceMs: c.watchingSinceMs,
    });
    for (const b of breaks) {
      const key = `${c.prefix}chain:${b.task.id}`;
      if (c.open.some((x) => x.key === key)) continue;
      const grace = c.settingsOf(b.task).graceMs ?? c.cfg.grace;
      const on = b.task.trigger?.kind === "task" ? b.task.trigger.on : "any";
      const e = await c.event(b.task, {
        kind: "task.chain_broken",
        type: "chain_broken",
        key,
        openedMs: b.endMs,
        details: {
          expectedAtMs: b.endMs,
          trigger: `when "${b.upstream.name}" ${on === "any" ? "finishes" : on}`,
          graceMs: grace,
          upstreamTask: b.upstream.name,
          upstreamOutcome: b.outcome,
        },
      });
      await c.sinkOpen({ key, type: "chain_broken", taskId: b.task.id, ...(b.task.appId ? { appId: b.task.appId } : {}), openedMs: b.endMs, event: e });
    }
  }

  /** A stopped chain or a task turned off is over when the task starts (after the upstream ended, after it was turned off). */
  async function closeStarted(c: CloudTurnedOffContext): Promise<void> {
    for (const row of c.open) {
      if ((row.type !== "disabled" && row.type !== "chain_broken") || !row.taskId) continue;
      const from = row.type === "chain_broken" ? row.openedMs - 5_000 : row.openedMs + 1;
      const first = c
        .startsOf(row.taskId)
        .filter((s) => s >= from)
        .sort((a, b) => a - b)[0];
      if (first === undefined) continue;
      const task = c.tasks.find((t) => t.id === row.taskId);
      const e = await c.event(task, {
        kind: "task.on_track",
        type: row.type,
        key: row.key,
        openedMs: row.openedMs,
        closedMs: c.nowMs,
        ...(row.openEvent.task ? { taskRef: row.openEvent.task } : {}),
        ...(row.appId ? { appId: row.appId } : {}),
        details: { resolution: row.type === "disabled" ? `it runs again: started at ${iso(first)}` : `started at ${iso(first)}` },
      });
      await c.sinkClose(row.key, c.nowMs, e);
    }
  }

  /** One dataset update that started a task twice: read its recent runs when its last start changed (bounded per look). */
  async function doubleStarts(c: CloudTurnedOffContext): Promise<string[]> {
    let reads = 0;
    for (const t of c.tasks) {
      if (t.trigger?.kind !== "dataset" || !t.last) continue;
      const key = `${c.tenant.name}:${t.id}`;
      if (lastStart.get(key) === t.last.startedMs || reads >= MAX_RUN_READS) continue;
      reads++;
      lastStart.set(key, t.last.startedMs);
      const twice = findDoubleStarts(t, readRuns(await c.tenant.client.taskRuns(t.id, 20)));
      if (twice.length > 0)
        doubles.set(key, {
          atMs: twice.at(-1)!,
          text: `Qlik Cloud tenant ${c.tenant.name}: task "${t.name}" was started twice by one dataset update (again at ${iso(twice.at(-1)!)}): Qlik documents that one pipeline run may start a dataset-triggered task more than once; the second reload repeats the first`,
        });
    }
    for (const [k, v] of doubles) if (c.nowMs - v.atMs > DOUBLE_KEPT_MS) doubles.delete(k);
    return [...doubles.entries()].filter(([k]) => k.startsWith(`${c.tenant.name}:`)).map(([, v]) => v.text);
  }

  return {
    async look(c) {
      await closeStarted(c);
      await chains(c);
      await turnedOff(c);
      return doubleStarts(c);
    },
  };
}
