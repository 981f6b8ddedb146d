// The sample of an action update (src/platform/events/action-update.ts) that previews and test sends render.
import type { SiteEvent } from "../../platform/events/types";

export const ACTION_UPDATE_SAMPLE: { title: string; summary: string; data: SiteEvent["data"] } = {
  title: "Reload CRM: retry asked by anna@corp.example FAILED",
  summary: "Retried by anna@corp.example (from the alert's link) at 2026-11-27 10:05 CET: Qlik started the task (execution session 5c1f…); the retry failed.",
  data: {
    actionId: 12,
    incidentId: 41,
    causeId: null,
    taskId: "7e3c0000-0000-4000-8000-000000000001",
    taskName: "Reload CRM",
    action: "retry",
    status: "ended",
    outcome: "failed",
    failed: true,
    requestedBy: "anna@corp.example",
    confirmedBy: null,
    thread: "task:7e3c0000-0000-4000-8000-000000000001",
    alertKey: "steward-incident-41",
    lines: JSON.stringify([
      "Retried by anna@corp.example (from the alert's link) at 2026-11-27 10:05 CET: Qlik started the task (execution session 5c1f…); the retry failed.",
    ]),
    replyTo: "{}",
  },
};
