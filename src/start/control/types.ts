// The one path that starts Qlik Sense tasks, shared by REST, MQTT, the scheduler and chained starts after app
// reloads, so the start allowlist and the audit log apply the same way everywhere.
import type { NameValue } from "../../platform/events/types";

/** Who asked for a start; recorded in the audit log. */
export interface StartOrigin {
  kind: "rest" | "mqtt" | "schedule" | "event-trigger" | "chain" | "ui" | "remediation";
  /** API key name, MQTT topic, schedule id, app reload job id … */
  name: string;
  /** The audit actor, when it says more than kind/name (REST: the request's principal kind and address). */
  actor?: { kind: string; name: string; ip?: string };
}

export interface TaskSelector {
  taskIds?: string[];
  tags?: string[];
  customProperties?: NameValue[];
}

export interface StartedTask {
  taskId: string;
  taskName: string;
  status: "started" | "failed";
  /** Why QRS refused, when status is "failed". */
  error?: string;
  /** QRS taskType 0..4 (reload, external program, user sync, distribute, preload). */
  taskType?: number;
  /** How it was selected: "id", "tag:<name>", "cp:<name>=<value>" (a task matched twice is started once). */
  via?: string[];
  /** The QRS execution session id, when started with `synchronous: true` (needed to wait for the result). */
  executionSessionId?: string;
}

export interface StartOptions {
  /** Butler's allTaskIdsMustExist: when any requested id is malformed or unknown, no id-selected task starts. */
  allTaskIdsMustExist?: boolean;
  /** Start through QRS's synchronous start so the run can be followed (?wait=true). */
  synchronous?: boolean;
}

export interface TaskStartReport {
  started: StartedTask[];
  /** Ids that were well-formed but unknown to QRS. */
  notFound: string[];
  /** Ids that were not GUIDs. */
  invalid: string[];
  /** Matched but refused by the start allowlist (or held back by allTaskIdsMustExist). */
  denied: Array<{ taskId: string; taskName?: string; reason: string; via?: string[] }>;
  /** Per tag / custom property: which tasks matched. */
  byTag: Array<{ tag: string; tasks: Array<{ taskId: string; taskName: string }> }>;
  byCustomProperty: Array<{ name: string; value: string; tasks: Array<{ taskId: string; taskName: string }> }>;
}

export interface TaskStarter {
  start(selector: TaskSelector, origin: StartOrigin, options?: StartOptions): Promise<TaskStartReport>;
}

export type { KeyValueWriter } from "../../platform/store/key-value";
