// Samples of the events a Qlik Cloud tenant's Qlik Automate automations raise (cloud.automation.*), for `alert
// preview`, the template tests and the docs' examples.
import type { SiteEvent, SiteEventKind } from "../../platform/events/types";

type Sample = { title: string; summary: string; data: SiteEvent["data"] };

const NAME = "Nightly CRM extract";
const automation = {
  tenant: "corp-eu",
  url: "https://corp.eu.qlikcloud.com",
  automationId: "7c1e0f4a2b9d4e6f8a0b1c2d3e4f5a6b",
  runMode: "scheduled",
  owner: "Anna Svensson",
  ownerEmail: "anna.svensson@corp.example",
  source: "cloud",
  link: "https://corp.eu.qlikcloud.com/automations/7c1e0f4a2b9d4e6f8a0b1c2d3e4f5a6b/editor",
};
const run = (runId: string, status: string, step: string, error: string) => ({
  automation: NAME,
  step,
  error,
  status,
  ...automation,
  runId,
  context: "detail",
  startTime: "2026-11-24T02:00:00.000Z",
  stopTime: "2026-11-24T02:03:12.000Z",
  runUrl: `https://corp.eu.qlikcloud.com/api/workflows/automations/${automation.automationId}/runs/${runId}`,
});

export const AUTOMATION_SAMPLES: Record<Extract<SiteEventKind, `cloud.automation.${string}`>, Sample> = {
  "cloud.automation.failed": {
    title: "Qlik Automate: Nightly CRM extract failed at Write to Snowflake",
    summary:
      'The run of automation "Nightly CRM extract" started 2026-11-24T02:00:00.000Z failed at step "Write to Snowflake": the request was refused (HTTP 403: the connection\'s token has expired). The steps after it did not run: reloads or exports this automation starts did not happen. Open the automation\'s run history in the tenant to see each block\'s output.',
    data: run("a1b2c3d4e5f6a7b8c9d0e1f2", "failed", "Write to Snowflake", "the request was refused (HTTP 403: the connection's token has expired)"),
  },
  "cloud.automation.recovered": {
    title: "Qlik Automate: Nightly CRM extract runs again",
    summary:
      'The run of automation "Nightly CRM extract" started 2026-11-25T02:00:00.000Z finished, after the failed run a1b2c3d4e5f6a7b8c9d0e1f2: what it feeds is renewed again.',
    data: {
      automation: NAME,
      status: "finished",
      failedRunId: "a1b2c3d4e5f6a7b8c9d0e1f2",
      runId: "c3d4e5f6a7b8c9d0e1f2a3b4",
      startTime: "2026-11-25T02:00:00.000Z",
      stopTime: "2026-11-25T02:02:51.000Z",
      ...automation,
    },
  },
  "cloud.automation.warning": {
    title: "Qlik Automate: Nightly CRM extract finished with warnings at Write to Snowflake",
    summary:
      'The run of automation "Nightly CRM extract" started 2026-11-24T02:00:00.000Z finished with warnings at step "Write to Snowflake": 2 of 40 items could not be written and were skipped. Its later steps ran; what the warnings skipped is missing downstream. Open the automation\'s run history in the tenant to see each block\'s output.',
    data: run("b2c3d4e5f6a7b8c9d0e1f2a3", "finished with warnings", "Write to Snowflake", "2 of 40 items could not be written and were skipped"),
  },
  "cloud.automation.disabled": {
    title: "Qlik Automate: Nightly CRM extract is disabled",
    summary:
      'Automation "Nightly CRM extract" was disabled at 2026-11-24T09:12:40.000Z: none of its runs start (scheduled, triggered or by webhook) until someone enables it again, so what it feeds is not refreshed. The tenant\'s Events page in the Management Console says who disabled it.',
    data: { automation: NAME, state: "disabled", changedAt: "2026-11-24T09:12:40.000Z", ...automation },
  },
  "cloud.automation.enabled": {
    title: "Qlik Automate: Nightly CRM extract is enabled again",
    summary: 'Automation "Nightly CRM extract" was enabled again at 2026-11-24T11:30:00.000Z (disabled since 2026-11-24T09:12:40.000Z); its runs start again.',
    data: {
      automation: NAME,
      state: "available",
      changedAt: "2026-11-24T11:30:00.000Z",
      disabledSince: "2026-11-24T09:12:40.000Z",
      ...automation,
    },
  },
};
