// What is over on a Qlik Cloud tenant in a look: a start after a missed due time, a long run that ended, an app
// reloaded since it went stale. Each closes its condition with task.on_track.
import type { WatchCondition } from "../../platform/events/types";
import { spanText } from "../../tell/notify/time-format";
import { type CloudJudgeDeps, EARLY_MS, iso, type TenantLook } from "./cloud-tenant-look";

export async function closeOver(deps: CloudJudgeDeps, look: TenantLook, lastSuccessByApp: Map<string, number>): Promise<void> {
  const { t, now, tasks, open } = look;
  const { starts, ends, running } = look.runs;
  const { event } = deps;
  // ── What is over: a start after the missed due time, a long run that ended. A task disabled or deleted keeps its
  // conditions open (task.disabled says why) until it runs again or someone acknowledges them.
  const byId = new Map(tasks.map((x) => [x.id, x]));
  for (const c of open) {
    const task = c.taskId ? byId.get(c.taskId) : undefined;
    const expected = typeof c.openEvent.data.expectedAt === "string" ? Date.parse(c.openEvent.data.expectedAt) : c.openedMs;
    let resolution: string | undefined;
    if (task && c.type === "missed") {
      const first = (starts.get(task.id) ?? []).filter((x) => x >= expected - EARLY_MS).sort((a, b) => a - b)[0];
      if (first !== undefined) resolution = `started at ${iso(first)}, ${spanText(first - expected)} after it was due`;
    } else if (c.type === "stale") {
      const last = c.appId ? lastSuccessByApp.get(c.appId) : undefined;
      if (last !== undefined && last > c.openedMs) resolution = `reloaded successfully at ${iso(last)}`;
    } else if (task && c.type === "running_long") {
      const startedAt = typeof c.openEvent.data.startedAt === "string" ? Date.parse(c.openEvent.data.startedAt) : c.openedMs;
      const r = running(task);
      if (!r || r.startedMs !== startedAt) {
        const ended = (ends.get(task.id) ?? []).find((x) => x.createdMs === startedAt);
        const how = ended ? (ended.status === 7 ? "succeeded" : ended.status === 8 ? "failed" : "ended") : "is no longer running";
        resolution = `the run ${how}${ended ? ` after ${spanText(ended.stopMs - startedAt)}` : ""}`;
      }
    }
    if (resolution === undefined) continue;
    const e = await event(t, task, {
      kind: "task.on_track",
      type: c.type as WatchCondition,
      key: c.key,
      openedMs: c.openedMs,
      closedMs: now,
      ...(c.openEvent.task ? { taskRef: c.openEvent.task } : {}),
      ...(c.appId ? { appId: c.appId } : {}),
      details: { ...(Number.isFinite(expected) && c.type === "missed" ? { expectedAtMs: expected } : {}), resolution },
    });
    await deps.sink.close(c.key, now, e);
  }
}
