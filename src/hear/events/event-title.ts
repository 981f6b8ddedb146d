// What a person calls an event: the task's name, the service's display name, or a site event's title.
import { isServiceEvent, isTaskEvent, type DomainEvent } from "../../platform/events/types";

export function eventTitle(e: DomainEvent): string {
  if (isTaskEvent(e)) return e.task.name || e.task.id;
  return isServiceEvent(e) ? e.service.displayName || e.service.name : e.title;
}
