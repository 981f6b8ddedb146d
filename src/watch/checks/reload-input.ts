// What the checks learn of a finished reload: the reload itself, the app (tags, stream, custom properties,
// owner, size) and the reload task. A task event brings them from its enrichment; otherwise QRS is asked.
// Entry point for other reload sources: build a ReloadInput and call DataChecks.afterReload (holdBack for
// follow-ups). Qlik Cloud reloads (reload.kind "cloud", reserved) will also need the app passed in and an
// Engine client for the tenant instead of the QSEoW one (src/watch/checks/setup.ts).
import type { DataCheckEvent, ReloadTrigger, TaskEvent } from "../../platform/events/types";
import { appPart, withOwner } from "../../hear/events/enrich-mappers";
import type { QrsClient } from "../../platform/qlik/qrs-client";

export interface ReloadInput {
  reload: ReloadTrigger;
  appId: string;
  /** What the caller knows of the app; QRS is asked when absent. */
  app?: DataCheckEvent["app"] & { fileSize?: number };
  task?: DataCheckEvent["task"];
}

export type CheckedApp = DataCheckEvent["app"] & { fileSize?: number };

/** The run of a reload: one per task execution, reload job or Cloud reload. */
export function runIdOf(r: ReloadTrigger): string {
  return `${r.kind === "reload-job" ? "job" : r.kind}:${r.id.toLowerCase()}`;
}

/**
 * A successful reload task run as heard from QSEoW, or a successful reload of a published app outside the Scheduler
 * (app.reload_succeeded: the data people read changed); undefined for anything else. A run QRS did not confirm (a
 * datagram alone, possibly forged) starts no Engine work; nor does a developer's reload of an unpublished copy.
 */
export function reloadInputOf(e: TaskEvent): ReloadInput | undefined {
  if (e.kind === "app.reload_succeeded") return e.app?.published === true && !e.unconfirmed ? outsideInput(e) : undefined;
  if (e.kind !== "task.succeeded" || e.taskType !== "reload" || !e.app?.id || e.unconfirmed || e.source === "test") return undefined;
  const appMissing = e.missing.some((m) => m.item === "app");
  return {
    reload: { kind: "task", id: e.executionId, ...(e.execution?.stopTime ? { at: e.execution.stopTime } : {}) },
    appId: e.app.id,
    ...(appMissing
      ? {}
      : {
          app: {
            id: e.app.id,
            name: e.app.name,
            ...(e.app.stream ? { stream: e.app.stream } : {}),
            tags: e.app.tags,
            customProperties: e.app.customProperties,
            ...(e.app.owner ? { owner: e.app.owner } : {}),
            ...(e.app.fileSize !== undefined ? { fileSize: e.app.fileSize } : {}),
          },
        }),
    task: { id: e.task.id, name: e.task.name, tags: e.task.tags, customProperties: e.task.customProperties },
  };
}

/** A reload outside the Scheduler: no task; its run is the Engine reload's key. */
function outsideInput(e: TaskEvent): ReloadInput {
  const app = e.app!;
  return {
    reload: { kind: "engine", id: e.executionId.replace(/^engine:/, ""), ...(e.execution?.stopTime ? { at: e.execution.stopTime } : {}) },
    appId: app.id,
    app: {
      id: app.id,
      name: app.name,
      ...(app.stream ? { stream: app.stream } : {}),
      tags: app.tags,
      customProperties: app.customProperties,
      ...(app.owner ? { owner: app.owner } : {}),
      ...(app.fileSize !== undefined ? { fileSize: app.fileSize } : {}),
    },
  };
}

/** The app as QRS has it, with its owner's e-mail addresses (for appOwner recipients). */
export async function lookUpApp(qrs: QrsClient, appId: string): Promise<CheckedApp> {
  const a = appPart(await qrs.getAppFull(appId));
  let owner = a.owner;
  const user = owner?.id ? await qrs.getUser(owner.id).catch(() => undefined) : undefined;
  if (owner && user) owner = withOwner(owner, user);
  return {
    id: a.id,
    name: a.name,
    ...(a.stream ? { stream: a.stream } : {}),
    tags: a.tags,
    customProperties: a.customProperties,
    ...(owner ? { owner } : {}),
    ...(a.fileSize !== undefined ? { fileSize: a.fileSize } : {}),
  };
}
