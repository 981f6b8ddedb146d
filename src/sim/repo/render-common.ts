// JSON shapes shared by several QRS entities: tags, custom property values, execution results.
import type { CpValueModel } from "../site/model";
import { NEVER, iso } from "../util/time";
import { stableGuid, ZERO_GUID } from "../util/ids";
import type { ExecutionRecord, Repository } from "./repository";

export type Json = Record<string, unknown>;

export interface RenderOptions {
  /** `?privileges=true`: QRS then fills `privileges` instead of null. */
  privileges: boolean;
}

const ADMIN_PRIVILEGES = ["create", "read", "update", "delete", "export", "publish", "change_owner", "change_role", "duplicate", "approve"];

export function privileges(opts: RenderOptions): string[] | null {
  return opts.privileges ? ADMIN_PRIVILEGES : null;
}

export function renderTagRef(repo: Repository, tagId: string, opts: RenderOptions): Json {
  const tag = repo.site.tags.find((t) => t.id === tagId);
  return { id: tagId, name: tag?.name ?? "", privileges: privileges(opts) };
}

export function renderCpValues(repo: Repository, cps: CpValueModel[], stamp: string, opts: RenderOptions): Json[] {
  return cps.map((cp) => {
    const def = repo.site.cpDefs.find((d) => d.id === cp.definitionId);
    return {
      id: cp.id,
      createdDate: stamp,
      modifiedDate: stamp,
      modifiedByUserName: "INTERNAL\\sa_repository",
      value: cp.value,
      definition: {
        id: cp.definitionId,
        name: def?.name ?? "",
        valueType: def?.valueType ?? "Text",
        choiceValues: def?.choiceValues ?? [],
        privileges: privileges(opts),
      },
      schemaPath: "CustomPropertyValue",
    };
  });
}

/** The ExecutionResult as it appears in `operational.lastExecutionResult` and under `/qrs/executionresult`. */
export function renderExecution(e: ExecutionRecord, opts: RenderOptions): Json {
  const startTime = e.startMs === undefined ? NEVER : iso(e.startMs);
  const stopTime = e.stopMs === undefined ? NEVER : iso(e.stopMs);
  const duration = e.startMs !== undefined && e.stopMs !== undefined ? e.stopMs - e.startMs : 0;
  return {
    id: e.id,
    createdDate: iso(e.createdMs),
    modifiedDate: iso(e.modifiedMs),
    modifiedByUserName: "INTERNAL\\sa_scheduler",
    executingNodeName: e.nodeName,
    executingNodeID: e.nodeId,
    executionID: e.executionID,
    status: e.status,
    startTime,
    stopTime,
    duration,
    fileReferenceID: e.fileReferenceID,
    scriptLogAvailable: e.fileReferenceID !== ZERO_GUID,
    scriptLogLocation: e.scriptLogLocation,
    scriptLogSize: e.scriptLogSize,
    taskID: e.taskId,
    appID: e.appId ?? ZERO_GUID,
    details: e.details.map((d) => ({
      id: d.id,
      createdDate: iso(d.createdMs),
      modifiedDate: iso(d.createdMs),
      modifiedByUserName: "INTERNAL\\sa_scheduler",
      detailsType: d.detailsType,
      message: d.message,
      detailCreatedDate: iso(d.createdMs),
      privileges: privileges(opts),
      schemaPath: "ExecutionResultDetail",
    })),
    privileges: privileges(opts),
    schemaPath: "ExecutionResult",
  };
}

/** What `lastExecutionResult` looks like for a task that never ran. */
export function neverRunExecution(taskId: string, appId: string | undefined, nodeName: string): ExecutionRecord {
  return {
    id: stableGuid("never-run", taskId),
    executionID: ZERO_GUID,
    taskId,
    appId,
    nodeId: ZERO_GUID,
    nodeName,
    status: 0,
    startMs: undefined,
    stopMs: undefined,
    fileReferenceID: ZERO_GUID,
    scriptLogLocation: "",
    scriptLogSize: 0,
    details: [],
    createdMs: Date.parse("2024-01-01T00:00:00.000Z"),
    modifiedMs: Date.parse("2024-01-01T00:00:00.000Z"),
    attempt: 0,
    scriptLog: undefined,
  };
}
