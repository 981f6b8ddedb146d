// Zod schema of the simulator's site fixture (YAML): nodes, users, streams, tags, custom properties, apps, tasks.
import { z } from "zod";
import { ExpressionsSchema } from "../engine/expressions";
import { GUID_RE } from "../util/ids";

const GuidSchema = z.string().regex(GUID_RE, "must be a GUID such as 7552d9fc-d1bb-4975-9a38-18357de531ea");
const IsoDateSchema = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date such as 2025-11-03T06:00:41.512Z" });
const NameSchema = z.string().min(1);

/** `name: value` or `name: [v1, v2]` — values must be in the definition's choiceValues when it has any. */
export const CustomPropertyValuesSchema = z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]));

export const OutcomeSchema = z.union([z.enum(["succeed", "fail", "abort"]), z.strictObject({ failThenSucceed: z.int().min(1).max(1000) })]);

export const NodeSchema = z.strictObject({
  id: GuidSchema.optional(),
  name: NameSchema,
  hostName: NameSchema,
  central: z.boolean().default(false),
  /**
   * Where this node's Scheduler appender sends (its own LocalLogConfig.xml), e.g. ["127.0.0.1:9998"]: one Steward
   * per node. Left out, the node sends to the simulator's site-wide targets (`--udp-target`, `PUT /udp/targets`).
   */
  udpTargets: z.array(z.union([z.string(), z.strictObject({ host: NameSchema, port: z.int().min(1).max(65_535) })])).optional(),
  /**
   * The node's Scheduler settings, as QRS names them (SchedulerServiceSettings): `maxConcurrentEngines` is the QMC's
   * "Max concurrent reloads" (4 by default, Qlik's KB "Concurrent Reload Settings in Qlik Sense Enterprise"; qlik-cli
   * allows 1–256), `engineTimeout` the minutes a reload may wait in the queue before Qlik cancels it (30 by default;
   * 0: never, per the same article; qlik-cli allows 10–10080).
   */
  scheduler: z
    .strictObject({
      maxConcurrentEngines: z.int().min(1).max(256).default(4),
      engineTimeout: z.int().min(0).max(10_080).default(30),
    })
    .optional(),
});

export const UserSchema = z.strictObject({
  id: GuidSchema.optional(),
  userDirectory: NameSchema,
  userId: NameSchema,
  name: z.string().optional(),
  email: z.union([z.email(), z.array(z.email())]).optional(),
  roles: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  customProperties: CustomPropertyValuesSchema.default({}),
  inactive: z.boolean().default(false),
  blacklisted: z.boolean().default(false),
  removedExternally: z.boolean().default(false),
  /** Allocated license access type, for license/professionalaccesstype and analyzeraccesstype. */
  access: z.enum(["professional", "analyzer", "none"]).default("none"),
  lastUsed: IsoDateSchema.optional(),
});

export const StreamSchema = z.strictObject({
  id: GuidSchema.optional(),
  name: NameSchema,
  tags: z.array(z.string()).default([]),
  customProperties: CustomPropertyValuesSchema.default({}),
});

export const TagSchema = z.union([NameSchema, z.strictObject({ id: GuidSchema.optional(), name: NameSchema })]);

export const CustomPropertyDefinitionSchema = z.strictObject({
  id: GuidSchema.optional(),
  name: NameSchema,
  valueType: z.enum(["Text", "Number"]).default("Text"),
  choiceValues: z.array(z.string()).default([]),
  objectTypes: z.array(z.enum(["App", "ReloadTask", "ExternalProgramTask", "UserSyncTask", "User", "Stream", "ContentLibrary", "DataConnection"])).min(1),
  description: z.string().default(""),
});

const TitledSchema = z.strictObject({ title: NameSchema, description: z.string().default("") });

/** Optional explicit app content for the Engine's dump calls; anything left out is generated from the script. */
export const AppContentSchema = z.strictObject({
  sheets: z.array(z.union([NameSchema, TitledSchema])).optional(),
  stories: z.array(z.union([NameSchema, TitledSchema])).optional(),
  masterObjects: z.array(z.strictObject({ title: NameSchema, visualization: z.string().default("barchart"), description: z.string().default("") })).optional(),
  dimensions: z.array(z.strictObject({ title: NameSchema, field: NameSchema, description: z.string().default("") })).optional(),
  measures: z.array(z.strictObject({ title: NameSchema, expression: NameSchema, description: z.string().default("") })).optional(),
  bookmarks: z.array(z.union([NameSchema, TitledSchema])).optional(),
  snapshots: z.array(z.union([NameSchema, TitledSchema])).optional(),
  variables: z.array(z.strictObject({ name: NameSchema, definition: z.string(), comment: z.string().default("") })).optional(),
  media: z.array(z.string().startsWith("/media/")).optional(),
});

export const EngineReloadSchema = z.strictObject({
  durationMs: z.int().min(0).default(8_000),
  outcome: z.enum(["succeed", "fail"]).default("succeed"),
  /** Error line for a failing reload, e.g. "Cannot open file: 'lib://Data/orders.qvd'". */
  error: z.string().optional(),
  /** Rows a successful reload loads and stores (DoReloadEx's qNbrOfLoadedRows, qNbrOfStoredRows). */
  loadedRows: z.int().min(0).default(125_000),
  storedRows: z.int().min(0).default(0),
  /** The reload ran out of the memory it was allowed (DoReloadEx's qEndedWithMemoryConstraint). */
  memoryConstrained: z.boolean().default(false),
});

export const AppSchema = z.strictObject({
  id: GuidSchema.optional(),
  name: NameSchema,
  /** `DIRECTORY\userid` of a user in `users`. */
  owner: NameSchema,
  stream: z.string().nullable().default(null),
  description: z.string().default(""),
  fileSize: z.int().min(0).optional(),
  tags: z.array(z.string()).default([]),
  customProperties: CustomPropertyValuesSchema.default({}),
  script: z.string().optional(),
  lastReloadTime: IsoDateSchema.optional(),
  createdDate: IsoDateSchema.optional(),
  reload: EngineReloadSchema.prefault({}),
  content: AppContentSchema.optional(),
  /** Values Evaluate/EvaluateEx give, by expression text (the simulator computes none). */
  expressions: ExpressionsSchema.default({}),
});

/** A QMC schema (time) trigger, as QRS stores it in `schemaevent`: every form the QMC and the QRS API write. */
export const SchemaTriggerSchema = z.strictObject({
  type: z.literal("schema"),
  name: NameSchema,
  enabled: z.boolean().default(true),
  /** QRS incrementOption: 0 once, 1 hourly, 2 daily, 3 weekly, 4 monthly, 5 custom; a name, the number, or the number as a string. */
  incrementOption: z.union([z.enum(["once", "hourly", "daily", "weekly", "monthly", "custom"]), z.int().min(0).max(5), z.string().regex(/^[0-5]$/)]),
  /** QRS incrementDescription "minutes hours days weeks"; defaults to one unit of the increment. */
  incrementDescription: z.string().max(100).optional(),
  /** Wall time in timeZone; a Z or offset after it is kept as written (QRS's readers ignore it). */
  startDate: z.string().max(40),
  expirationDate: z.string().max(40).default("9999-12-31T00:00:00.000"),
  timeZone: z.string().default("UTC"),
  daylightSavingTime: z.union([z.int().min(0).max(3), z.string().regex(/^[0-3]$/)]).default(0),
  schemaFilterDescription: z.string().max(400).default("* * - * * * * *"),
  /**
   * The Scheduler cannot read this trigger either (a form no Qlik reads): served as written, never fired, and QRS
   * states "never" for it. Without it a trigger the simulator cannot read is refused at load.
   */
  unreadable: z.boolean().default(false),
  /** The Scheduler fires this trigger this many minutes after its reading of it, and QRS states those times: a Qlik that reads the trigger differently from Steward. */
  schedulerShiftMinutes: z.int().min(-1440).max(1440).default(0),
});

/** A QMC task-event trigger, as QRS stores it in `compositeevent`: start when the upstream tasks ended so. */
export const CompositeTriggerSchema = z.strictObject({
  type: z.literal("composite"),
  name: NameSchema,
  enabled: z.boolean().default(true),
  timeConstraint: z
    .strictObject({
      days: z.int().min(0).default(0),
      hours: z.int().min(0).default(0),
      minutes: z.int().min(0).default(360),
      seconds: z.int().min(0).default(0),
    })
    .prefault({}),
  /** Upstream task (name or id) and the outcome the trigger waits for. */
  rules: z.array(z.strictObject({ task: NameSchema, state: z.enum(["success", "fail"]).default("success") })).min(1),
});

export const TriggerSchema = z.discriminatedUnion("type", [SchemaTriggerSchema, CompositeTriggerSchema]);

const TaskCommon = {
  id: GuidSchema.optional(),
  name: NameSchema,
  enabled: z.boolean().default(true),
  tags: z.array(z.string()).default([]),
  customProperties: CustomPropertyValuesSchema.default({}),
  /** Node name that executes the task; defaults to the first node. */
  node: z.string().optional(),
  maxRetries: z.int().min(0).max(20).default(0),
  taskSessionTimeout: z.int().min(1).default(1440),
  durationMs: z.int().min(0).default(30_000),
  outcome: OutcomeSchema.default("succeed"),
  /** Cron expression (5 or 6 fields) run by the simulator's scheduler. */
  schedule: z.string().optional(),
  /** Qlik-shaped triggers served at /qrs/schemaevent and /qrs/compositeevent and fired by the simulator's scheduler. */
  triggers: z.array(TriggerSchema).default([]),
  createdDate: IsoDateSchema.optional(),
  modifiedByUserName: z.string().optional(),
};

export const ReloadTaskSchema = z.strictObject({
  ...TaskCommon,
  type: z.literal("reload"),
  /** App name or id. */
  app: NameSchema,
  partial: z.boolean().default(false),
  manuallyTriggered: z.boolean().default(false),
  /** The script error written to the log when a run fails. */
  scriptError: z.string().optional(),
  /**
   * The Scheduler cannot open the app's Engine session when the run would start (after it waited in the queue, when it
   * did): the run ends FinishedFail, never started, with this error detail (e.g. "Failed to start session").
   */
  sessionFails: z.string().min(1).max(500).optional(),
});

export const ExternalProgramTaskSchema = z.strictObject({
  ...TaskCommon,
  type: z.literal("externalProgram"),
  path: NameSchema,
  parameters: z.string().default(""),
});

export const UserSyncTaskSchema = z.strictObject({
  ...TaskCommon,
  type: z.literal("userSync"),
  userDirectory: NameSchema,
});

export const DistributeTaskSchema = z.strictObject({
  ...TaskCommon,
  type: z.literal("distribute"),
  /** App name or id that gets distributed (not sent in UDP: distribute datagrams have an empty app). */
  app: z.string().optional(),
});

export const PreloadTaskSchema = z.strictObject({
  ...TaskCommon,
  type: z.literal("preload"),
  app: NameSchema,
  /** Text of the failure log line: "Could not reserve an executor for task <id>" or "Failed to start session". */
  failMessage: z.enum(["Could not reserve an executor for task", "Failed to start session"]).optional(),
});

export const TaskSchema = z.discriminatedUnion("type", [
  ReloadTaskSchema,
  ExternalProgramTaskSchema,
  UserSyncTaskSchema,
  DistributeTaskSchema,
  PreloadTaskSchema,
]);

/** A Qlik Cloud time-scheduled reload task of the simulated tenant (served at /api/scheduling/tasks, run on its schedule). */
export const CloudTaskSchema = z.strictObject({
  name: NameSchema,
  /** App name or id (the tenant's apps are the site's). */
  app: NameSchema,
  enabled: z.boolean().default(true),
  /** RFC 5545 lines, e.g. ["RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"]; served as written, run when Steward's evaluator reads them. */
  recurrence: z.array(z.string()).min(1),
  timezone: z.string().default("UTC"),
  startDateTime: z.string().optional(),
  endDateTime: z.string().optional(),
  outcome: z.enum(["succeed", "fail", "cancel"]).default("succeed"),
});

export const LicenseSchema = z.strictObject({
  serial: z.string().default("9999000000001234"),
  name: z.string().default("Simulated Site"),
  organization: z.string().default("Example Corp"),
  product: z.string().default("Qlik Sense Enterprise"),
  numberOfCores: z.int().default(8),
  validTo: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default("2027-12-31"),
  professionalTokens: z.int().min(0).default(50),
  analyzerTokens: z.int().min(0).default(200),
});

export const SiteInfoSchema = z.strictObject({
  name: z.string().default("Simulated Qlik Sense site"),
  productVersion: z.string().default("14.212.7"),
  releaseLabel: z.string().default("May 2025"),
  buildVersion: z.string().default("34.12.3"),
});

export const SiteSchema = z.strictObject({
  site: SiteInfoSchema.prefault({}),
  nodes: z.array(NodeSchema).min(1),
  users: z.array(UserSchema).default([]),
  streams: z.array(StreamSchema).default([]),
  tags: z.array(TagSchema).default([]),
  customProperties: z.array(CustomPropertyDefinitionSchema).default([]),
  apps: z.array(AppSchema).default([]),
  tasks: z.array(TaskSchema).default([]),
  /** The simulated Qlik Cloud tenant's scheduled tasks (`steward sim --cloud-port`). */
  cloud: z.strictObject({ tasks: z.array(CloudTaskSchema).default([]) }).prefault({}),
  license: LicenseSchema.prefault({}),
});

export type SiteInput = z.input<typeof SiteSchema>;
export type SiteFixture = z.output<typeof SiteSchema>;
export type TaskFixture = z.output<typeof TaskSchema>;
export type TriggerFixture = z.output<typeof TriggerSchema>;
export type AppFixture = z.output<typeof AppSchema>;
export type CloudTaskFixture = z.output<typeof CloudTaskSchema>;
export type Outcome = z.output<typeof OutcomeSchema>;
export type AppContentFixture = z.output<typeof AppContentSchema>;
