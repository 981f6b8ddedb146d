// Qlik Cloud task chains seen from a cause: which Scheduling Tasks will not run after an app's reload fails (those
// started when a task of that app succeeded, and the tasks after those). The watchdog's look at each tenant is kept in
// the store, not in memory: in a cluster the Steward that polls the tenant's reloads (the cloud lease) and hears the
// failure may not be the one whose watchdog read the tasks (the watchdog lease). Bounded like the on-premise graph.
import { createHash } from "node:crypto";
import type { SqlDb } from "../../platform/store/sql";
import type { SymptomInput } from "./cause-rows";

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

/** A task as kept: what a chain walk needs. `after`: the task whose success starts it (only while it is enabled). */
interface KeptTask {
  id: string;
  name: string;
  appId?: string;
  after?: string;
}

export interface CloudChains {
  /** Keeps the watchdog's last look at a tenant; written only when it changed (its digest differs from the stored one). */
  note(tenant: CloudTenantTasks, now: number): Promise<void>;
  /** The tasks waiting after a failed reload of `appId` on the tenant at `host`, nearest first, as a cause lists them. */
  waiting(host: string, appId: string, eventId: string): Promise<SymptomInput[]>;
}

/** A chain longer than this is cut: a failure's lookup must stay bounded on a pathological tenant. */
const MAX_WALK = 2_000;

function keep(t: CloudTenantTasks["tasks"][number]): KeptTask {
  const after = t.enabled && t.trigger?.kind === "task" && t.trigger.on === "succeeded" ? t.trigger.upstreamId : undefined;
  return { id: t.id, name: t.name, ...(t.appId ? { appId: t.appId } : {}), ...(after ? { after } : {}) };
}

export function createCloudChains(db: SqlDb): CloudChains {
  return {
    async note(tenant, now) {
      const host = tenant.host.toLowerCase();
      const tasks = JSON.stringify(tenant.tasks.map(keep));
      const digest = createHash("sha256").update(tasks).digest("hex");
      // A small read each look instead of the whole list written again: a tenant's tasks seldom change.
      const stored = await db.get<{ digest: string }>("SELECT digest FROM cause_cloud_tasks WHERE host = ?", [host]);
      if (stored?.digest === digest) return;
      await db.run(
        `INSERT INTO cause_cloud_tasks (host, digest, tasks, read_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (host) DO UPDATE SET digest = excluded.digest, tasks = excluded.tasks, read_at = excluded.read_at`,
        [host, digest, tasks, now],
      );
    },
    async waiting(host, appId, eventId) {
      const row = await db.get<{ tasks: string }>("SELECT tasks FROM cause_cloud_tasks WHERE host = ?", [host.toLowerCase()]);
      return row ? walkAfter(JSON.parse(row.tasks) as KeptTask[], appId, eventId) : [];
    },
  };
}

/** Breadth first from the tasks of the app: each task started by one already reached, once. */
function walkAfter(tasks: readonly KeptTask[], appId: string, eventId: string): SymptomInput[] {
  const after = new Map<string, string[]>();
  for (const t of tasks) if (t.after) (after.get(t.after) ?? after.set(t.after, []).get(t.after)!).push(t.id);
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
