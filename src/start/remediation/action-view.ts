// A remediation action as REST shows it (GET /v4/incidents/{id}/actions and the answers that return actions).
import { z } from "zod";
import type { RemediationAction } from "./action-store";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function actionView(a: RemediationAction) {
  return {
    id: a.id,
    incidentId: a.incidentId,
    taskId: a.taskId,
    taskName: a.taskName,
    kind: a.kind,
    status: a.status,
    causeId: a.causeId,
    afterId: a.afterId,
    requestedBy: a.requestedBy,
    requestedFrom: a.requestedFrom,
    requestedIp: a.requestedIp,
    requestedAt: iso(a.requestedAt),
    dueAt: iso(a.dueAt),
    claimedBy: a.claimedBy,
    claims: a.claims,
    startedAt: iso(a.startedAt),
    executionId: a.executionId,
    qlikAnswer: a.qlikAnswer,
    waitingSince: iso(a.waitingSince),
    endedAt: iso(a.endedAt),
    outcome: a.outcome,
    outcomeLine: a.outcomeLine,
    confirmedBy: a.confirmedBy,
    confirmedFrom: a.confirmedFrom,
    confirmedIp: a.confirmedIp,
    confirmedAt: iso(a.confirmedAt),
  };
}

export const ActionViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    incidentId: z.number(),
    taskId: z.string(),
    taskName: z.string(),
    kind: z
      .enum(["retry", "rerun", "reload", "chain", "start"])
      .describe(
        "retry, rerun (a queue's cancelled run), reload (the app through the Engine), chain (a task of the incident's chain started), start (a direct start held by the two-person rule; incidentId 0)",
      ),
    status: z
      .enum(["awaiting", "pending", "claimed", "started", "ended", "failed", "skipped", "cancelled"])
      .describe(
        "awaiting: waits for a second person to confirm it (remediation.approval); failed: Steward did not start it (refused, disabled); skipped: not needed any more (the task ran since it was asked for, or its incident recovered)",
      ),
    causeId: z.number().describe("A rerun: the queue cause whose end (the node's queue drained) it waits for; 0 for none."),
    afterId: z.number().describe("A rerun: the action before it in chain order, which it waits for; 0 for none."),
    requestedBy: z.string(),
    requestedFrom: z.string().describe("link (the alert's signed link) or rest"),
    requestedIp: z.string().nullable(),
    requestedAt: z.string().nullable(),
    dueAt: z.string().nullable(),
    claimedBy: z.string().nullable().describe("The Steward that carried it out (its instance id)."),
    claims: z.number().describe("More than 1: a Steward took it over from one that stopped mid-way."),
    startedAt: z.string().nullable(),
    executionId: z
      .string()
      .nullable()
      .describe("The run it started: QRS's execution session id, or for a reload the Engine reload job's id (GET /v4/app/reloads/{jobId})."),
    qlikAnswer: z.string().nullable().describe("What Qlik answered to the start, or why nothing was started."),
    waitingSince: z
      .string()
      .nullable()
      .describe(
        "A re-run or a chain's start: when it began waiting for a free engine (its node's queue empty, every engine busy); it ends, not started, remediation.engineWait after.",
      ),
    endedAt: z.string().nullable(),
    outcome: z.string().nullable().describe("succeeded, failed, aborted (the run's end); not started, not needed; cancelled by …"),
    outcomeLine: z.string().nullable().describe("The failing line of the run the action started, when it failed."),
    confirmedBy: z.string().nullable().describe("Under the two-person rule: the second person, who confirmed it."),
    confirmedFrom: z.string().nullable().describe("link or rest: where the second person confirmed it from."),
    confirmedIp: z.string().nullable(),
    confirmedAt: z.string().nullable(),
  }),
);

export const FORBIDDEN_SAME = "The same person confirming an action they asked for under the two-person rule (remediation.approval); the body names who asked";
