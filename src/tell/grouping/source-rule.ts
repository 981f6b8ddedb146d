// The same-source rule: a failure of one of the configured error classes that names the data connection or source it
// was reading joins the open parent of that class and source (the first opens it and is its page).
import type { GroupingConfig } from "./config";
import type { TaskEvent } from "../../platform/events/types";
import type { CauseStore } from "./cause-store";
import { type CauseDecision, symptomReason, taskAndApp } from "./decision";
import { causeSourceOf } from "./source";

export function createSourceRule(store: CauseStore, cfg: GroupingConfig["sameSource"]) {
  const classes = new Set<string>(cfg.classes);
  return {
    async review(e: TaskEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!cfg.enabled || !e.errorClass || !classes.has(e.errorClass)) return undefined;
      const source = causeSourceOf(e);
      if (!source) return undefined;
      const title = `${e.errorClass} errors from ${source}`;
      const { parentId, opened } = await store.attach(
        { key: `source:${e.errorClass}|${source.toLowerCase()}`, title },
        {
          subject: `task:${e.task.id.toLowerCase()}`,
          kind: e.kind,
          eventId: e.id,
          runId: e.executionId,
          ...taskAndApp(e.task, e.app),
        },
        now,
        pageTo,
      );
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
