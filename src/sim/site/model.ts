// The resolved site: every entity has its id, every name reference is an id, ready for the repository.
import type { AppContentFixture, CloudTaskFixture, Outcome } from "./schema";
import type { ExpressionValue } from "../engine/expressions";

export type TaskType = 0 | 1 | 2 | 3 | 4;

export const TASK_TYPE_BY_NAME = {
  reload: 0,
  externalProgram: 1,
  userSync: 2,
  distribute: 3,
  preload: 4,
} as const satisfies Record<string, TaskType>;

export interface CpValueModel {
  id: string;
  definitionId: string;
  value: string;
}

export interface NodeModel {
  id: string;
  name: string;
  hostName: string;
  central: boolean;
  /** The node's own appender targets from the fixture (seed `udp.nodeTargets`); undefined = the site-wide ones. */
  udpTargets: { host: string; port: number }[] | undefined;
  /** The node's Scheduler settings (QRS SchedulerServiceSettings); the control API changes them. */
  scheduler: SchedulerSettingsModel;
}

/** How many reloads the node's Scheduler runs at once, and how long one may wait for an engine (minutes; 0 never ends it). */
export interface SchedulerSettingsModel {
  maxConcurrentEngines: number;
  engineTimeout: number;
  /** When they were last changed (QRS modifiedDate); undefined: as installed. */
  modifiedMs?: number;
  modifiedBy?: string;
}

export interface UserModel {
  id: string;
  userDirectory: string;
  userId: string;
  name: string;
  emails: string[];
  roles: string[];
  tagIds: string[];
  cps: CpValueModel[];
  inactive: boolean;
  blacklisted: boolean;
  removedExternally: boolean;
  access: "professional" | "analyzer" | "none";
  lastUsed: string | undefined;
  createdDate: string;
}

export interface StreamModel {
  id: string;
  name: string;
  tagIds: string[];
  cps: CpValueModel[];
  createdDate: string;
}

export interface TagModel {
  id: string;
  name: string;
}

export interface CpDefinitionModel {
  id: string;
  name: string;
  valueType: "Text" | "Number";
  choiceValues: string[];
  objectTypes: string[];
  description: string;
}

export interface EngineReloadModel {
  durationMs: number;
  outcome: "succeed" | "fail";
  error: string | undefined;
  loadedRows: number;
  storedRows: number;
  memoryConstrained: boolean;
}

export interface AppModel {
  id: string;
  name: string;
  ownerId: string;
  streamId: string | null;
  description: string;
  fileSize: number;
  tagIds: string[];
  cps: CpValueModel[];
  script: string;
  lastReloadTime: string;
  createdDate: string;
  publishTime: string;
  reload: EngineReloadModel;
  content: AppContentFixture | undefined;
  expressions: Record<string, ExpressionValue>;
}

export interface TaskModel {
  id: string;
  name: string;
  taskType: TaskType;
  enabled: boolean;
  tagIds: string[];
  cps: CpValueModel[];
  nodeId: string;
  maxRetries: number;
  taskSessionTimeout: number;
  durationMs: number;
  outcome: Outcome;
  schedule: string | undefined;
  triggers: TriggerModel[];
  createdDate: string;
  modifiedByUserName: string;
  appId: string | undefined;
  partial: boolean;
  manuallyTriggered: boolean;
  scriptError: string | undefined;
  /** A reload whose Engine session cannot be opened when it would start: the error detail it ends with. */
  sessionFails: string | undefined;
  failMessage: string | undefined;
  path: string | undefined;
  parameters: string | undefined;
  userDirectory: string | undefined;
}

export interface LicenseModel {
  serial: string;
  name: string;
  organization: string;
  product: string;
  numberOfCores: number;
  validTo: string;
  professionalTokens: number;
  analyzerTokens: number;
}

export interface SiteModel {
  info: { name: string; productVersion: string; releaseLabel: string; buildVersion: string };
  license: LicenseModel;
  nodes: NodeModel[];
  users: UserModel[];
  streams: StreamModel[];
  tags: TagModel[];
  cpDefs: CpDefinitionModel[];
  apps: AppModel[];
  tasks: TaskModel[];
  /** Qlik Cloud time-scheduled reload tasks, their app resolved to its id. */
  cloudTasks: Array<Omit<CloudTaskFixture, "app"> & { appId: string }>;
}

export interface SchemaTriggerModel {
  type: "schema";
  id: string;
  name: string;
  enabled: boolean;
  /** 0 once, 1 hourly, 2 daily, 3 weekly, 4 monthly, 5 custom; a string when the site file wrote one ("1"). */
  incrementOption: number | string;
  incrementDescription: string;
  startDate: string;
  expirationDate: string;
  timeZone: string;
  daylightSavingTime: number | string;
  schemaFilterDescription: string;
  /** The Scheduler cannot read it: never fired, QRS states "never". */
  unreadable?: boolean;
  /** The Scheduler fires it this much later (or earlier) than its reading says, and QRS states those times. */
  shiftMs?: number;
  /** Set when the control API changed the trigger (else the task's own modified date and user are shown). */
  modifiedMs?: number;
  modifiedByUserName?: string;
}

export interface CompositeTriggerModel {
  type: "composite";
  id: string;
  name: string;
  enabled: boolean;
  timeConstraint: { days: number; hours: number; minutes: number; seconds: number };
  /** Upstream task ids and the outcome each must reach (QRS ruleState 1 = success, 2 = fail). */
  rules: { id: string; taskId: string; ruleState: 1 | 2 }[];
  modifiedMs?: number;
  modifiedByUserName?: string;
}

export type TriggerModel = SchemaTriggerModel | CompositeTriggerModel;
