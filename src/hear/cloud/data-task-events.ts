// The events of a Qlik Talend Cloud data task (data-task-watch.ts): cloud.datatask.failed when its run failed or was
// stopped (Qlik's FAILED and CANCELED), naming the datasets it did not update and the apps whose on-dataset-updated
// tasks will therefore not start; cloud.datatask.recovered when a run completes after it.
import type { SiteEvent } from "../../platform/events/types";
import { siteEvent } from "../../platform/events/site-event";
import type { DataTaskLastRun, DatasetTriggeredTask } from "./data-task-read";

export interface DataTaskRef {
  id: string;
  name: string;
  type?: string;
  projectId: string;
  projectName: string;
}

export interface DataTaskEventContext {
  tenant: { name: string; url: string };
  task: DataTaskRef;
  nowMs: number;
}

/** An app a failed data task leaves stale: the task that reloads it on the dataset's update, and its name when read. */
export interface FedApp extends DatasetTriggeredTask {
  appName?: string;
}

/** The field the grouping reads the fed apps from (JSON); left out of the facts a plain alert shows. */
export const FED_APPS_FIELD = "fedAppsJson";

const base = (c: DataTaskEventContext) => ({
  tenant: c.tenant.name,
  url: c.tenant.url,
  // A silence or filter on `source: cloud` takes it, as the tenant's other site events.
  source: "cloud",
  dataTaskId: c.task.id,
  dataTaskType: c.task.type ?? null,
  project: c.task.projectName,
  projectId: c.task.projectId,
  stateUrl: `${c.tenant.url.replace(/\/+$/, "")}/api/v1/di-projects/${encodeURIComponent(c.task.projectId)}/di-tasks/${encodeURIComponent(c.task.id)}/runtime/state`,
});

const appLabel = (a: FedApp) => (a.appName ? `${a.appName} (${a.appId})` : a.appId);

/** A run that failed or was stopped; `datasets` it did not update, `apps` their on-dataset-updated tasks reload. */
export function dataTaskFailedEvent(
  c: DataTaskEventContext,
  run: DataTaskLastRun,
  datasets: ReadonlyArray<{ id: string; name: string }>,
  apps: readonly FedApp[],
  linkProblem?: string,
): SiteEvent {
  const stopped = run.state === "CANCELED";
  const what = stopped ? "was stopped" : "failed";
  const name = c.task.name;
  const names = datasets.map((d) => d.name);
  const appNames = [...new Set(apps.map(appLabel))];
  const effect =
    apps.length > 0
      ? `Its datasets (${names.join(", ")}) were not updated, so the apps reloaded on their update will not reload and will be stale: ${appNames.join(", ")}.`
      : linkProblem
        ? `Its datasets (${names.join(", ") || "none read"}) were not updated; Steward could not find the apps they feed: ${linkProblem}.`
        : `Its datasets (${names.join(", ") || "none read"}) were not updated; no enabled Scheduling Task of the tenant reloads an app on their update.`;
  const e = siteEvent(
    "cloud.datatask.failed",
    `${c.tenant.name}:${c.task.id}:${run.startTime ?? run.endTime ?? c.nowMs}`,
    new URL(c.tenant.url).host,
    c.nowMs,
    {
      title: `Qlik Talend Cloud: data task ${name} ${what}`,
      summary: `The run of data task "${name}" (project "${c.task.projectName}") started ${run.startTime ?? "(no start time)"} ${what}${run.error ? `: ${run.error}` : ""}. ${effect} Open the data task's monitor in the tenant to see each dataset's state.`,
    },
    {
      // What a plain alert shows first: the data task, what went wrong and what it leaves stale.
      dataTask: name,
      error: run.error ?? null,
      apps: appNames.join(", ") || null,
      status: stopped ? "stopped" : "failed",
      state: run.state,
      ...base(c),
      datasets: names.join(", ") || null,
      datasetIds: datasets.map((d) => d.id).join(" ") || null,
      startTime: run.startTime ?? null,
      endTime: run.endTime ?? null,
      traceId: run.traceId ?? null,
      linkProblem: linkProblem ?? null,
      [FED_APPS_FIELD]: JSON.stringify(apps),
    },
  );
  return { ...e, facts: e.facts.filter((f) => f.name !== FED_APPS_FIELD) };
}

/** A run that completed after the failure Steward announced: what the task feeds is updated again. */
export function dataTaskRecoveredEvent(c: DataTaskEventContext, run: DataTaskLastRun, failedStartTime: string): SiteEvent {
  return siteEvent(
    "cloud.datatask.recovered",
    `${c.tenant.name}:${c.task.id}:${run.startTime ?? run.endTime ?? c.nowMs}:recovered`,
    new URL(c.tenant.url).host,
    c.nowMs,
    {
      title: `Qlik Talend Cloud: data task ${c.task.name} runs again`,
      summary: `The run of data task "${c.task.name}" (project "${c.task.projectName}") started ${run.startTime ?? "(no start time)"} completed, after the run of ${failedStartTime} that did not: its datasets are updated again, and the apps reloaded on their update start.`,
    },
    {
      dataTask: c.task.name,
      status: "completed",
      state: run.state,
      ...base(c),
      failedStartTime,
      startTime: run.startTime ?? null,
      endTime: run.endTime ?? null,
    },
  );
}
