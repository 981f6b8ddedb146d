// Samples of the events a Qlik Cloud tenant's Qlik Talend Cloud data tasks raise (cloud.datatask.*), for `alert
// preview`, the template tests and the docs' examples: built by the same functions as the real events.
import { dataTaskFailedEvent, dataTaskRecoveredEvent } from "../../hear/cloud/data-task-events";
import type { SiteEvent, SiteEventKind } from "../../platform/events/types";

type Sample = { title: string; summary: string; data: SiteEvent["data"] };

const context = {
  tenant: { name: "corp-eu", url: "https://corp.eu.qlikcloud.com" },
  task: { id: "6571f3c2a1b2c3d4e5f6a7b8", name: "CRM to QVD", type: "QVD_STORAGE", projectId: "6571f3c2a1b2c3d4e5f6a7a0", projectName: "Sales pipeline" },
  nowMs: Date.parse("2026-11-24T02:14:00.000Z"),
};
const failed = dataTaskFailedEvent(
  context,
  {
    state: "FAILED",
    startTime: "2026-11-24T02:00:00.000Z",
    endTime: "2026-11-24T02:13:41.000Z",
    error: "Data task failed: the source endpoint refused the connection (ORA-12541: no listener)",
    traceId: "b3f1e2d4c5a6",
  },
  [
    { id: "ds-orders", name: "ORDERS" },
    { id: "ds-customers", name: "CUSTOMERS" },
  ],
  [{ taskId: "t-sales", taskName: "Reload Sales on ORDERS", appId: "a1b2c3d4-0000-4000-8000-000000000001", datasetId: "ds-orders", appName: "Sales" }],
);
const recovered = dataTaskRecoveredEvent(
  { ...context, nowMs: Date.parse("2026-11-24T03:20:00.000Z") },
  { state: "COMPLETED", startTime: "2026-11-24T03:00:00.000Z", endTime: "2026-11-24T03:12:09.000Z" },
  "2026-11-24T02:00:00.000Z",
);

const sample = (e: SiteEvent): Sample => ({ title: e.title, summary: e.summary, data: e.data });

export const DATA_TASK_SAMPLES: Record<Extract<SiteEventKind, `cloud.datatask.${string}`>, Sample> = {
  "cloud.datatask.failed": sample(failed),
  "cloud.datatask.recovered": sample(recovered),
};
