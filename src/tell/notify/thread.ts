// Which deliveries are one conversation on a channel: an alert and what follows it up (a cause's opening and
// recovered pages, a task's failure and its recovery, a watchdog condition's open and close, a service stopping and
// starting). The outbox sends a thread's deliveries to one channel and recipient in the order they were queued, so a
// "resolved" never overtakes the "new" it resolves (SIGNL4 would keep that incident open for ever), whatever retries.
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { actionUpdateOf } from "../../platform/events/action-update";

/** The thread of an event's deliveries; null for an event nothing follows up (sent as soon as it is due). */
export function threadOf(e: DomainEvent): string | null {
  // An action update follows the page it tells of, in that page's conversation.
  const update = actionUpdateOf(e);
  if (update) return update.thread;
  if (e.cause) return `cause:${e.cause.id}`;
  if (isTaskEvent(e)) return e.kind === "task.warning" ? null : `task:${e.task.id}`;
  if (isWatchdogEvent(e)) return `watch:${e.condition.key}`;
  if (isServiceEvent(e)) return `service:${e.host.toLowerCase()}:${e.service.name.toLowerCase()}`;
  if (isDataCheckEvent(e)) return `check:${e.app.id}:${e.check?.name ?? "*"}`;
  return null;
}
