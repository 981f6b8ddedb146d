// A Qlik Cloud tenant that starts nothing (its scheduler paused, a tenant-wide outage): two or more of its Scheduling
// Tasks miss their starts close together and no reload of the tenant was heard since the first was due. As for an
// on-premise node that went silent (silent-node.ts), the first missed start pages on its own (one task's schedule may
// be the trouble), the second opens the tenant's cause ("no task starts on Qlik Cloud tenant …") and is its page, and
// every later start the tenant misses, and the apps it leaves stale, are its symptoms. Each task that runs again ends
// its part; the last one the recovered page.
import type { TaskEvent, WatchdogEvent } from "../../platform/events/types";
import type { CauseStore, SymptomInput } from "./cause-store";
import { type CauseDecision, symptomReason } from "./decision";
import type { SilentNodes } from "./silent-node";

const HEARD = new Set(["task.succeeded", "task.failed", "task.aborted"]);

export function createCloudTenantRule(store: CauseStore, silent: SilentNodes) {
  /** The tenant as the silent-node record names it: its host, apart from any Qlik Sense node. */
  const tenantKey = (host: string) => `cloud:${host.toLowerCase()}`;
  const causeOf = (host: string, tenant: string) => ({ key: `cloud-tenant:${host.toLowerCase()}`, title: `no task starts on Qlik Cloud tenant ${tenant}` });

  return {
    /** A Cloud reload ended: the tenant is heard (its scheduler or a person started something). */
    async heard(e: TaskEvent, now: number): Promise<void> {
      if (e.source === "cloud" && HEARD.has(e.kind)) await silent.heard(tenantKey(e.host), now);
    },
    /** A start missed that no cause holds: the tenant's cause when it is open, or when this miss makes the tenant silent. */
    async missed(e: WatchdogEvent, symptom: SymptomInput, tenant: string, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (e.kind !== "task.missed") return undefined;
      const cause = causeOf(e.host, tenant);
      if (await store.isOpen(cause.key)) {
        const { parentId, opened } = await store.attach(cause, symptom, now, pageTo);
        return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, cause.title) };
      }
      const together = await silent.missedOn(tenantKey(e.host), e);
      if (!together) return undefined;
      // This missed start opens it (and is its page); the ones before it join, also the one that paged on its own.
      const { parentId, opened } = await store.attach(cause, symptom, now, pageTo);
      for (const m of together)
        if (m.event !== e)
          await store.attach(
            cause,
            {
              subject: `watch:${m.event.condition.key}`,
              kind: m.event.kind,
              eventId: m.event.id,
              ...(m.event.task ? { taskName: m.event.task.name, taskId: m.event.task.id } : {}),
              ...(m.event.app ? { appName: m.event.app.name, appId: m.event.app.id } : {}),
            },
            now,
          );
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, cause.title) };
    },
  };
}
