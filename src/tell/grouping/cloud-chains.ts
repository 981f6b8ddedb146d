// Qlik Cloud task chains seen from a cause: which Scheduling Tasks will not run after an app's reload fails (those
// started when a task of that app succeeded, and the tasks after those). Read from the watchdog's last look at each
// tenant (structural, so grouping does not depend on watchdog internals); bounded like the on-premise chain graph.
import type { SymptomInput } from "./cause-store";

/** One tenant's tasks as the watchdog read them: a task-event trigger names the task it runs after. */
export interface CloudTenantTasks {
  host: string;
  tasks: ReadonlyArray<{
    id: string;
    name: string;
    enabled: boolean;
    appId?: string;
    trigger?: { kind: string; upstreamId?: string; on?: string };
  }>;
}

/** A chain longer than this is cut: a failure's lookup must stay bounded on a pathological tenant. */
const MAX_WALK = 2_000;

/** The tasks waiting after a failed reload of `appId` on the tenant at `host`, nearest first, as a cause lists them. */
export function cloudWaiting(tenants: readonly CloudTenantTasks[], host: string, appId: string, eventId: string): SymptomInput[] {
  const tasks = tenants.find((t) => t.host.toLowerCase() === host.toLowerCase())?.tasks ?? [];
  const after = new Map<string, string[]>();
  for (const t of tasks)
    if (t.enabled && t.trigger?.kind === "task" && t.trigger.upstreamId && t.trigger.on === "succeeded")
      (after.get(t.trigger.upstreamId) ?? after.set(t.trigger.upstreamId, []).get(t.trigger.upstreamId)!).push(t.id);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const seen = new Set(tasks.filter((t) => t.appId?.toLowerCase() === appId.toLowerCase()).map((t) => t.id));
  const queue = [...seen];
  const out: SymptomInput[] = [];
  while (queue.length > 0 && out.length < MAX_WALK) {
    for (const id of after.get(queue.shift()!) ?? []) {
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(id);
      const t = byId.get(id)!;
      out.push({
        subject: `cloud-task:${id.toLowerCase()}`,
        kind: "task.waiting",
        eventId,
        taskName: t.name,
        taskId: id,
        ...(t.appId ? { appId: t.appId } : {}),
      });
    }
  }
  return out;
}
