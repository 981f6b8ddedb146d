// A promise's alert raised before the cause that explains it (issue 102): the warning "Sales is at risk" at 02:05, the
// node's reload queue backed up at 02:14. The rules fold a freshness alert into a cause only when the cause is open as
// the alert comes; here the warning came first and paged alone, and its breach and recovery would have followed on
// their own beside the cause's pages. When a cause opens, each open freshness alert about an app the cause holds (as a
// symptom or waiting) that no open cause holds yet joins it: the cause's page names the promise, and the alert's
// breach and recovery are the cause's (upstream.ts, queue-backlog.ts: the same condition stays where it joined).

import type { CauseStore } from "./cause-store";
import type { CauseDecision } from "./decision";

/** An open freshness alert (its condition's latest event), as the composition root reads it from the judge's store. */
export interface EarlierAlert {
  /** `watch:<condition key>`, the subject its cause records. */
  subject: string;
  kind: string;
  eventId: string;
  appId: string;
  appName: string;
  stream?: string;
}

export type OpenAlerts = () => Promise<readonly EarlierAlert[]>;

export function createEarlierAlerts(store: CauseStore, open: OpenAlerts | undefined) {
  /** Folds into the cause that just opened the open alerts it explains; how many joined. */
  async function adopt(parentId: number, now: number): Promise<number> {
    const alerts = open ? await open() : [];
    if (alerts.length === 0) return 0;
    const parent = await store.get(parentId);
    if (parent?.status !== "open") return 0;
    const apps = new Set((await store.symptoms(parentId)).flatMap((s) => (s.appId ? [s.appId] : [])));
    let joined = 0;
    for (const a of alerts) {
      if (!apps.has(a.appId.toLowerCase())) continue;
      // One claim in the store: another cause opening at the same moment (on another Steward) may take it first.
      const symptom = { subject: a.subject, kind: a.kind, eventId: a.eventId, appId: a.appId, appName: a.appName, ...(a.stream ? { stream: a.stream } : {}) };
      if (await store.adopt(parentId, symptom, now)) joined++;
    }
    return joined;
  }
  return {
    adopt,
    /** The gate's decision, once a cause it opened (its page: `pass`, not a repeat) took in the alerts it explains. */
    async opening(decision: CauseDecision | undefined, now: number): Promise<CauseDecision | undefined> {
      if (decision?.action === "pass" && !decision.repeat) await adopt(decision.parentId, now);
      return decision;
    },
  };
}
