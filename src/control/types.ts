// The one path that starts Qlik Sense tasks, shared by REST, MQTT, the scheduler and chained starts after app
// reloads, so the start allowlist and the audit log apply the same way everywhere.
import type { NameValue } from "../events/types";

/** Who asked for a start; recorded in the audit log. */
export interface StartOrigin {
  kind: "rest" | "mqtt" | "schedule" | "event-trigger" | "chain" | "ui";
  /** API key name, MQTT topic, schedule id, app reload job id … */
  name: string;
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
}

export interface TaskStartReport {
  started: StartedTask[];
  /** Ids that were well-formed but unknown to QRS. */
  notFound: string[];
  /** Ids that were not GUIDs. */
  invalid: string[];
  /** Matched but refused by the start allowlist. */
  denied: Array<{ taskId: string; taskName?: string; reason: string }>;
  /** Per tag / custom property: which tasks matched. */
  byTag: Array<{ tag: string; tasks: Array<{ taskId: string; taskName: string }> }>;
  byCustomProperty: Array<{ name: string; value: string; tasks: Array<{ taskId: string; taskName: string }> }>;
}

export interface TaskStarter {
  start(selector: TaskSelector, origin: StartOrigin): Promise<TaskStartReport>;
}
