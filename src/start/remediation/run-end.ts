// Ends a started action when its task's run ends: any Steward that hears the run end closes it (one UPDATE: once on
// the site), so the action's outcome is the run's, whichever Steward started it. The worker then looks at its pace:
// a started retry keeps it at none (only re-runs and reloads are followed), and the outcome's telling (action-updates.ts)
// must not wait for its idle look, which on a single Steward is past the time an outcome is told on its own.
import type { Logger } from "pino";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { ActionStore } from "./action-store";

const ENDS = ["task.succeeded", "task.failed", "task.aborted"] as const;

export function closeOnRunEnd(bus: EventBus<DomainEvents>, store: Pick<ActionStore, "ended">, clock: Clock, log: Logger, poke: () => Promise<void>): void {
  for (const kind of ENDS)
    bus.on(kind, async (e: TaskEvent) => {
      if (e.source === "test") return;
      const outcome = kind === "task.succeeded" ? "succeeded" : kind === "task.failed" ? "failed" : "aborted";
      try {
        const ended = await store.ended(e.task.id, clock.now(), outcome, e.errorLine ?? null, e.executionId);
        for (const a of ended) log.info({ actionId: a.id, taskId: a.taskId, outcome }, "the run a remediation action started has ended");
        // Not awaited: the bus's listeners of this event (its messages) go on meanwhile.
        if (ended.length > 0) void poke().catch(() => undefined);
      } catch (err) {
        log.warn({ taskId: e.task.id, err: describeError(err) }, "could not record the end of a remediation action's run");
      }
    });
}
