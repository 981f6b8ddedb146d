// What the parts of the watchdog's look at one Qlik Cloud tenant share: the watch-wide dependencies and the
// facts of this look (its tasks, runs, open conditions) with the lists the look fills.
import type { WatchdogConfig } from "./config";
import type { WatchCondition, WatchdogEvent } from "../../platform/events/types";
import type { CostlySchedules } from "./cloud-costly";
import type { CloudPlanTask } from "./cloud-plan";
import type { CloudWatchTenant } from "./cloud-task-list";
import type { TenantRuns } from "./cloud-tenant-runs";
import type { CloudEventSpec } from "./cloud-watch-event";
import type { TaskView } from "./evaluate";
import type { TaskSettings } from "./task-settings";
import type { ConditionRow } from "./watch-store";

/** Starts before a due time by this much still answer it (clocks differ a little). */
export const EARLY_MS = 60_000;

export const iso = (ms: number) => new Date(ms).toISOString();

export interface ConditionSink {
  /** Stores the condition (unless open already) and announces it. */
  open(c: { key: string; type: WatchCondition; taskId: string; appId?: string; openedMs: number; event: WatchdogEvent }): Promise<void>;
  close(key: string, closedMs: number, event: WatchdogEvent): Promise<void>;
}

export interface CloudJudgeDeps {
  cfg: WatchdogConfig;
  sink: ConditionSink;
  event(t: CloudWatchTenant, task: CloudPlanTask | undefined, spec: CloudEventSpec): Promise<WatchdogEvent>;
  /** A Cloud task's settings: config rules by id, name or app (QMC custom properties do not exist there). */
  settingsOf(task: { id: string; name: string; appId?: string }): TaskSettings;
  costly: CostlySchedules;
}

export interface TenantLook {
  t: CloudWatchTenant;
  /** `cloud:<tenant>:`, the start of the keys and task ids of this tenant in the store. */
  prefix: string;
  now: number;
  checkedUntil: number;
  watchingSince: number;
  tasks: CloudPlanTask[];
  runs: TenantRuns;
  /** This tenant's open conditions as the look began, and the keys open now. */
  open: ConditionRow[];
  openKeys: Set<string>;
  /** Filled by the look: what it knows of each task, schedules too costly to watch, the tasks it judged. */
  view: TaskView[];
  costly: string[];
  judged: Map<string, { grace: number; limit: number | undefined }>;
}
