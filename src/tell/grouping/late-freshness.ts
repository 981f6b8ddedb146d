// A freshness promise's alerts after the cause that explains them ended (issue 76): a node down while the promised
// chain ran closes its cause when it is back, but the promise's breach comes at the deadline and its recovery once the
// chain ran again. Both are that cause's, listed in it and not paged: its pages said the promise was at risk, and its
// over page what did not run. Without this they came as pages without a cause after the cause had closed.
import type { WatchdogEvent } from "../../platform/events/types";
import type { CauseStore, HolderQuery } from "./cause-store";
import type { CauseDecision } from "./decision";

/** How long after a cause ended the promise it made late still folds into it (the next deadline is a day later). */
const LATE_WITHIN_MS = 86_400_000;
const FRESHNESS = new Set(["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"]);

export function createLateFreshness(store: CauseStore) {
  const held = (parentId: number, title: string, what: string): CauseDecision => ({
    action: "suppress",
    parentId,
    reason: `${what} cause #${parentId} (${title}), which has ended: listed there, not sent`,
  });
  return {
    /**
     * The ended cause a freshness alert belongs to, if any, and the alert recorded there: the cause already held this
     * occurrence of the condition (it was still open when the condition opened), or, for a warning or breach, it held
     * a task of the app's chain and the app has not been reloaded since the cause began.
     */
    async review(e: WatchdogEvent, q: HolderQuery, now: number): Promise<CauseDecision | undefined> {
      if (!FRESHNESS.has(e.kind)) return undefined;
      const subject = `watch:${e.condition.key}`;
      const openedAt = Date.parse(e.condition.openedAt);
      const same = await store.closedWithSubject(subject, now - LATE_WITHIN_MS);
      if (same?.closedAt != null && Number.isFinite(openedAt) && same.closedAt >= openedAt) {
        await store.noteInClosed(same.id, subject, e.kind, e.id, now);
        return held(same.id, same.title, e.kind === "app.freshness_recovered" ? "fresh again after" : "made late by");
      }
      if (e.kind === "app.freshness_recovered" || !e.app) return undefined;
      const closed = await store.closedHolder(q, now - LATE_WITHIN_MS);
      const asOf = Date.parse(String(e.data.dataAsOf ?? ""));
      if (!closed || !Number.isFinite(asOf) || asOf >= closed.openedAt) return undefined;
      await store.listInClosed(
        closed.id,
        { subject, kind: e.kind, eventId: e.id, appName: e.app.name, appId: e.app.id, ...(e.app.stream ? { stream: e.app.stream } : {}) },
        now,
      );
      return held(closed.id, closed.title, "made late by");
    },
  };
}
