// Builds a preview/test event for a real task from QRS: the task's last execution (when it has one) is
// enriched exactly like an intake event, so previews show the real tags, custom properties and app owner.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { IntakeConfig } from "../../hear/intake/config";
import type { QlikConfig } from "../../platform/qlik/config";
import type { Clock } from "../../platform/core/clock";
import { createTaskEventEnricher } from "../../hear/events/enrich-task-event";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { TaskEventLookup } from "./event-schema";

export function createQrsTaskLookup(config: { intake: IntakeConfig; qlik?: QlikConfig }, qrs: QrsClient, deps: { log: Logger; clock: Clock }): TaskEventLookup {
  // Previews should answer quickly: one try for the final status, no waiting for QRS to catch up.
  const enrichment = { ...config.intake.enrichment, finalStatusAttempts: 1 };
  const enricher = createTaskEventEnricher(
    enrichment,
    { qmcUrl: config.qlik?.qmcUrl, hubUrl: config.qlik?.hubUrl, appBaseUrl: config.qlik?.appBaseUrl },
    { qrs, log: deps.log, clock: deps.clock },
  );
  return async (taskId, outcome) => {
    const task = await qrs.getTaskFull(taskId, { timeoutMs: enrichment.lookupTimeoutMs });
    const last = task.operational?.lastExecutionResult?.executionID;
    const event = await enricher.enrich({ source: "test", outcome, taskId, executionId: (last ?? randomUUID()).toLowerCase() });
    // A fresh id: a preview or test of a run that was alerted on before is not a duplicate of it.
    return { ...event, id: `test:${randomUUID()}`, source: "test" };
  };
}
