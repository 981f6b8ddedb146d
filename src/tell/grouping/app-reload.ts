// Failed reloads of one app outside the Scheduler (heard from the Engine) are one cause: the first is its page, the
// next are its runs (listed there, not sent), and a successful reload of the app ends it with the recovered page.
// Thirty forged or real failure lines of one app in a second are one page, not thirty (issue 75, E1).
import type { TaskEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import { afterRecovery, type CauseDecision, symptomReason } from "./decision";

const subjectOf = (appId: string) => `app-reload:${appId.toLowerCase()}`;

export function createAppReloadRule(store: CauseStore) {
  return {
    async review(e: TaskEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (e.source !== "engine") return undefined;
      const appId = e.app?.id ?? e.task.id;
      if (e.kind === "app.reload_succeeded") return afterRecovery(await store.recover(subjectOf(appId), now), "reload(s) failing");
      if (e.kind !== "app.reload_failed") return undefined;
      const appName = e.app?.name ?? appId;
      const title = `Reloads of ${appName} failing outside the Scheduler`;
      const { parentId, opened } = await store.attach(
        { key: subjectOf(appId), title },
        {
          subject: subjectOf(appId),
          kind: e.kind,
          eventId: e.id,
          runId: e.executionId,
          appName,
          appId,
          ...(e.app?.stream ? { stream: e.app.stream } : {}),
        },
        now,
        pageTo,
      );
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
