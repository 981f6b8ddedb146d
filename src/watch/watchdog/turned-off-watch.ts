// The watchdog's task.disabled for Qlik Sense: at each look, what QRS shows of the tasks and triggers is compared
// with what Steward saw before (a snapshot in the store, so a restart or another Steward neither repeats nor forgets
// a change); a task that can no longer run on its own opens one condition, closed by its next start.
import type { WatchdogConfig } from "./config";
import type { WatchdogEvent } from "../../platform/events/types";
import type { KeptRun, RunList } from "./run-list";
import type { ConditionRow, RunRow, WatchStore } from "./watch-store";
import type { Plan } from "./qrs-plan";
import { settingsFor } from "./task-settings";
import type { TurnOffFacts } from "./turned-off-facts";
import { judgeTurnedOff, type Seen, type TurnedOffChange } from "./turned-off";
import { type WatchDetails, watchdogEvent } from "./watchdog-event";
import { isNotice } from "./announcer";

const SEEN = "turned_off_seen";
/**
 * What the stored snapshot holds, in a few bytes (its length and a hash of it): a look reads this, and the snapshot
 * itself (a few hundred bytes a task) only when it is not the one this Steward last read or wrote.
 */
const SEEN_STAMP = "turned_off_seen_stamp";

/** FNV-1a over the UTF-16 code units, with the length: tells one snapshot from another, not a secret. */
function stampOf(raw: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw.charCodeAt(i), 0x01000193);
  return `${raw.length}:${(h >>> 0).toString(16)}`;
}
const iso = (ms: number) => new Date(ms).toISOString();

export interface TurnedOffDeps {
  cfg: WatchdogConfig;
  store: WatchStore;
  host: string;
  refs(taskId: string | undefined, appId: string | undefined): { task?: WatchdogEvent["task"]; app?: WatchdogEvent["app"] };
  open(c: { key: string; type: "disabled"; taskId: string; appId?: string; openedMs: number; event: WatchdogEvent }): Promise<void>;
  close(key: string, closedMs: number, event: WatchdogEvent, opts?: { notice?: boolean }): Promise<void>;
}

export interface TurnedOffLook {
  plan: Plan & { turnOff?: TurnOffFacts };
  nowMs: number;
  /** Finished runs in the learning window and runs in progress: a start after the condition opened closes it. */
  runs: readonly RunRow[];
  /** The same runs per task, when the store keeps them so (each open condition then reads its task's runs only). */
  runsByTask?: ReadonlyMap<string, RunList>;
  running: readonly { taskId: string; createdMs: number }[];
  /** Every open condition (QRS and Cloud), to say which alerts of the task stay open. */
  open: readonly ConditionRow[];
}

/** The text of the other alerts of a task that stay open while it is off (they close when it runs again). */
function keptOpen(open: readonly ConditionRow[], taskId: string): string | undefined {
  const kept = open.filter((c) => c.taskId === taskId && c.type !== "disabled").map((c) => `${c.openEvent.kind} (${c.openEvent.condition.openedAt})`);
  return kept.length ? kept.join(", ") : undefined;
}

export function createTurnedOffWatch(d: TurnedOffDeps): { look(l: TurnedOffLook): Promise<void> } {
  // The stored snapshot as last parsed: read back each look (another Steward may have written it), parsed only when it changed.
  let cached: { raw: string; stamp: string; seen: Seen } | undefined;
  // What the last judgement saw: the same facts (the plan was not rebuilt), the snapshot it wrote, and no trigger
  // expired since, judge the same and find nothing new. A look then skips the pass over every task and trigger.
  let judged: { facts: TurnOffFacts; stamp: string; untilMs: number } | undefined;
  async function raise(c: TurnedOffChange, l: TurnedOffLook): Promise<void> {
    const t = l.plan.tasks.get(c.taskId);
    const pseudo = t ?? {
      id: c.taskId,
      name: c.taskName,
      taskType: 0,
      enabled: false,
      tags: [],
      customProperties: [],
      schedules: [],
      chains: [],
      overrides: {},
    };
    const s = settingsFor(d.cfg, pseudo, c.appId ? l.plan.apps.get(c.appId) : undefined);
    if (!s.watch || !s.reportDisabled) return;
    const key = `disabled:${c.taskId}`;
    // QRS's own time of the change when it has one (not in the future); a deletion has none, so when it was noticed
    // (runs between the last plan read and the deletion must not count as "it runs again").
    const openedMs = c.changedAtMs !== undefined && c.changedAtMs <= l.nowMs ? c.changedAtMs : l.nowMs;
    const details: WatchDetails = {
      turnedOff: c.turnedOff,
      ...(c.trigger ? { trigger: c.trigger } : {}),
      ...(c.upstreamTask ? { upstreamTask: c.upstreamTask } : {}),
      ...(c.changedBy ? { changedBy: c.changedBy } : {}),
      ...(c.changedAtMs !== undefined ? { changedAtMs: c.changedAtMs } : {}),
      ...(c.lastSeenAtMs !== undefined ? { lastSeenAtMs: c.lastSeenAtMs } : {}),
    };
    const refs = d.refs(t ? c.taskId : undefined, c.appId);
    // A schedule that reached the end date its admin set ended as configured: a notice for the report, not a page
    // (issue 64). Still a condition of its own, so its app's staleness is held back as for a task turned off.
    const expired = c.turnedOff === "trigger-expired";
    const event = watchdogEvent({
      kind: expired ? "task.notice" : "task.disabled",
      condition: { type: "disabled", key, openedAtMs: openedMs },
      nowMs: l.nowMs,
      host: d.host,
      task: refs.task ?? { id: c.taskId, name: c.taskName, tags: [], customProperties: [] },
      ...(refs.app ? { app: refs.app } : {}),
      details,
    });
    const kept = keptOpen(l.open, c.taskId);
    if (kept) {
      event.facts.push({ name: "Alerts kept open until it runs again", value: kept });
      event.data.keptOpen = kept;
      event.summary += ` Its open alerts (${kept}) stay open until it runs again or they are acknowledged.`;
    }
    await d.open({ key, type: "disabled", taskId: c.taskId, ...(c.appId ? { appId: c.appId } : {}), openedMs, event });
  }

  async function closeStarted(l: TurnedOffLook): Promise<void> {
    for (const c of l.open) {
      if (c.type !== "disabled" || c.key.startsWith("cloud:") || !c.taskId) continue;
      const own: readonly KeptRun[] = l.runsByTask ? (l.runsByTask.get(c.taskId)?.rows() ?? []) : l.runs.filter((r) => r.taskId === c.taskId);
      const first = [...own.filter((r) => r.status !== 9), ...l.running.filter((r) => r.taskId === c.taskId)]
        .map((r) => r.createdMs)
        .filter((s) => s > c.openedMs)
        .sort((a, b) => a - b)[0];
      if (first === undefined) continue;
      const refs = d.refs(c.taskId, c.appId);
      const event = watchdogEvent({
        kind: "task.on_track",
        condition: { type: "disabled", key: c.key, openedAtMs: c.openedMs, closedAtMs: l.nowMs },
        nowMs: l.nowMs,
        host: c.openEvent.host,
        task: refs.task ?? c.openEvent.task ?? { id: c.taskId, name: c.taskId, tags: [], customProperties: [] },
        ...(refs.app ? { app: refs.app } : c.openEvent.app ? { app: c.openEvent.app } : {}),
        details: { ...detailsFromData(c.openEvent), resolution: `it runs again: started at ${iso(first)}` },
      });
      await d.close(c.key, l.nowMs, event, { notice: isNotice(c.openEvent) });
    }
  }

  return {
    async look(l) {
      await closeStarted(l);
      if (!l.plan.turnOff) return;
      const facts = l.plan.turnOff;
      const stamp = await d.store.getMeta(SEEN_STAMP);
      if (judged && judged.facts === facts && stamp === judged.stamp && l.nowMs < judged.untilMs) return;
      // Another Steward may have written the snapshot since (a cluster's lease moved): read it unless it is ours.
      const raw = stamp !== undefined && stamp === cached?.stamp ? cached.raw : await d.store.getMeta(SEEN);
      if (raw !== undefined && cached?.raw !== raw) cached = { raw, stamp: stampOf(raw), seen: JSON.parse(raw) as Seen };
      const prev = raw !== undefined ? cached?.seen : undefined;
      const { changes, seen } = judgeTurnedOff(prev, facts, l.plan.readAtMs, l.nowMs);
      // Conditions first, then the snapshot: a crash in between finds the same change again, and the stored
      // condition (same key, same opening time) keeps it from being announced twice.
      for (const c of changes) await raise(c, l);
      const next = JSON.stringify(seen);
      const nextStamp = next === raw && cached ? cached.stamp : stampOf(next);
      if (next !== raw) {
        // The stamp is cleared first: a crash before the new one is written leaves one no Steward takes for its own.
        if (stamp !== undefined) await d.store.setMeta(SEEN_STAMP, "");
        await d.store.setMeta(SEEN, next);
        // The snapshot just written is `seen` itself (plain JSON values): not parsed back from its text (1.7 MB on the ×50
        // site, written each hour as the tasks' "last seen" times move on).
        cached = { raw: next, stamp: nextStamp, seen };
      }
      if (stamp !== nextStamp) await d.store.setMeta(SEEN_STAMP, nextStamp);
      judged = { facts, stamp: nextStamp, untilMs: nextExpiry(facts, l.nowMs) };
    },
  };
}

/** The first time after `nowMs` a trigger expires (a live trigger may stop being one then), or never. */
function nextExpiry(facts: TurnOffFacts, nowMs: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const t of facts.tasks.values()) for (const tr of t.triggers) if (tr.expiresMs > nowMs && tr.expiresMs < next) next = tr.expiresMs;
  return next;
}

/** The task.disabled details stored in its opening event, for the text of its task.on_track. */
function detailsFromData(e: WatchdogEvent): WatchDetails {
  const s = (k: string) => (typeof e.data[k] === "string" ? (e.data[k] as string) : undefined);
  const t = (k: string) => (typeof e.data[k] === "string" ? Date.parse(e.data[k] as string) : undefined);
  const out: WatchDetails = {};
  const turnedOff = s("turnedOff") as WatchDetails["turnedOff"];
  if (turnedOff) out.turnedOff = turnedOff;
  if (s("trigger")) out.trigger = s("trigger")!;
  if (s("upstreamTask")) out.upstreamTask = s("upstreamTask")!;
  if (s("changedBy")) out.changedBy = s("changedBy")!;
  const at = t("changedAt");
  if (at !== undefined && Number.isFinite(at)) out.changedAtMs = at;
  const seen = t("lastSeenAt");
  if (seen !== undefined && Number.isFinite(seen)) out.lastSeenAtMs = seen;
  return out;
}
