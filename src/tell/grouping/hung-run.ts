// A reload of a promised app that hangs (task.running_long) is the cause of the promise's warning and breach: its
// running-long page opens the parent and names the promise; the run's end (task.on_track) and the app fresh again end
// it with one recovered page (the demo's hung reload paged five times before: running long, at risk, late, fresh
// again, back on track). Without a promise it affects, the running-long page stays on its own: nothing else pages for
// it (the apps after it wait, and are not stale while it runs).
import type { WatchdogEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import type { ChainGraph } from "./chain-graph";
import { type CauseDecision, symptomReason, waitingEntry, taskAndApp } from "./decision";
import { promisesAtRisk, type PromiseRef } from "./promises-at-risk";

/** An app as the promises name it: by id, name or stream. */
export interface AppRef {
  appId?: string | undefined;
  appName?: string | undefined;
  stream?: string | undefined;
}

/** Whether a freshness promise is about one of these apps. */
export function promisedApps(promises: () => readonly PromiseRef[]): (apps: readonly AppRef[]) => boolean {
  return (apps) => {
    const low = (s: string | undefined) => (s ? [s.toLowerCase()] : []);
    const affected = {
      appIds: new Set(apps.flatMap((a) => low(a.appId))),
      appNames: new Set(apps.flatMap((a) => low(a.appName))),
      streams: new Set(apps.flatMap((a) => low(a.stream))),
    };
    return promisesAtRisk(promises(), affected).length > 0;
  };
}

export interface HungRunDeps {
  store: CauseStore;
  graph(): ChainGraph | undefined;
  promised(apps: readonly AppRef[]): boolean;
}

export function createHungRunRule(d: HungRunDeps) {
  return {
    /** A running-long page: the parent of its promise's alerts when a promise is about its app or one after it. */
    async review(e: WatchdogEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> {
      if (!e.task) return undefined;
      const id = e.task.id.toLowerCase();
      const after = d.graph()?.downstreamOf(id) ?? [];
      if (!d.promised([{ appId: e.app?.id, appName: e.app?.name, stream: e.app?.stream }, ...after])) return undefined;
      const title = `${e.task.name} is running long: what it reloads waits`;
      const { parentId, opened } = await d.store.attach(
        { key: `hung:${id}`, title },
        {
          subject: `watch:${e.condition.key}`,
          kind: e.kind,
          eventId: e.id,
          ...taskAndApp(e.task, e.app),
        },
        now,
        pageTo,
      );
      await d.store.addWaiting(
        parentId,
        after.map((t) => waitingEntry(t, e.id)),
        now,
      );
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
