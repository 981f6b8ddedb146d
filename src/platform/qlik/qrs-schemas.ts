// zod schemas for the QRS entities Steward reads. Loose objects: Qlik adds fields between releases, so unknown
// keys pass through and only what Steward relies on is checked (qlik-protocols §2.8). Each is built on its first
// use (z.lazy): a Steward without `qlik:` never needs them, and building ~340 schema objects is a visible share of a start.
import { z } from "zod";

/**
 * A list whose rows the caller validates one by one (a bad row is reported and skipped, not the whole answer). Built
 * once: a schema built per call costs more than the check itself on a watchdog's small answers.
 */
export const QrsRowsSchema = z.lazy(() => z.array(z.unknown()));

/** `GET …/count`. */
export const QrsCountSchema = z.lazy(() => z.looseObject({ value: z.number() }));

export const QrsTagSchema = z.lazy(() => z.looseObject({ id: z.string(), name: z.string() }));

export const QrsCustomPropertyDefinitionSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    valueType: z.string().nullish(),
    choiceValues: z.array(z.string()).nullish(),
    objectTypes: z.array(z.string()).nullish(),
    description: z.string().nullish(),
  }),
);

export const QrsCustomPropertyValueSchema = z.lazy(() =>
  z.looseObject({
    id: z.string().nullish(),
    value: z.string(),
    definition: z.looseObject({ id: z.string().nullish(), name: z.string() }),
  }),
);

export const QrsExecutionDetailSchema = z.lazy(() =>
  z.looseObject({
    id: z.string().nullish(),
    detailsType: z.number().nullish(),
    message: z.string().nullish(),
    detailCreatedDate: z.string().nullish(),
  }),
);

export const QrsExecutionResultSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    executionID: z.string().nullish(),
    executingNodeName: z.string().nullish(),
    status: z.number(),
    startTime: z.string().nullish(),
    stopTime: z.string().nullish(),
    duration: z.number().nullish(),
    fileReferenceID: z.string().nullish(),
    scriptLogAvailable: z.boolean().nullish(),
    scriptLogLocation: z.string().nullish(),
    scriptLogSize: z.number().nullish(),
    details: z.array(QrsExecutionDetailSchema).nullish(),
    /** Only on executionresult entities (not on task.operational.lastExecutionResult). */
    taskID: z.string().nullish(),
    appID: z.string().nullish(),
    executingNodeID: z.string().nullish(),
  }),
);

const StreamRefSchema = z.lazy(() => z.looseObject({ id: z.string(), name: z.string() }));

export const QrsTaskCondensedSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    taskType: z.number().nullish(),
    enabled: z.boolean().nullish(),
  }),
);

export const QrsTaskSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    /** 0 reload, 1 external program, 2 user sync, 3 distribute, 4 preload. Absent on type-specific endpoints. */
    taskType: z.number().nullish(),
    enabled: z.boolean().nullish(),
    isManuallyTriggered: z.boolean().nullish(),
    isPartialReload: z.boolean().nullish(),
    maxRetries: z.number().nullish(),
    taskSessionTimeout: z.number().nullish(),
    modifiedDate: z.string().nullish(),
    modifiedByUserName: z.string().nullish(),
    app: z
      .looseObject({
        id: z.string(),
        name: z.string(),
        published: z.boolean().nullish(),
        stream: StreamRefSchema.nullish(),
      })
      .nullish(),
    tags: z.array(QrsTagSchema).nullish(),
    customProperties: z.array(QrsCustomPropertyValueSchema).nullish(),
    operational: z
      .looseObject({
        id: z.string().nullish(),
        nextExecution: z.string().nullish(),
        lastExecutionResult: QrsExecutionResultSchema.nullish(),
      })
      .nullish(),
  }),
);

export const QrsUserRefSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    userId: z.string(),
    userDirectory: z.string(),
    name: z.string().nullish(),
  }),
);

export const QrsAppSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    description: z.string().nullish(),
    fileSize: z.number().nullish(),
    lastReloadTime: z.string().nullish(),
    published: z.boolean().nullish(),
    publishTime: z.string().nullish(),
    stream: StreamRefSchema.nullish(),
    modifiedDate: z.string().nullish(),
    modifiedByUserName: z.string().nullish(),
    tags: z.array(QrsTagSchema).nullish(),
    customProperties: z.array(QrsCustomPropertyValueSchema).nullish(),
    owner: QrsUserRefSchema.nullish(),
  }),
);

export const QrsUserSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    userId: z.string(),
    userDirectory: z.string(),
    name: z.string().nullish(),
    inactive: z.boolean().nullish(),
    removedExternally: z.boolean().nullish(),
    blacklisted: z.boolean().nullish(),
    tags: z.array(QrsTagSchema).nullish(),
    customProperties: z.array(QrsCustomPropertyValueSchema).nullish(),
    attributes: z
      .array(z.looseObject({ attributeType: z.string().nullish(), attributeValue: z.string().nullish(), externalId: z.string().nullish() }))
      .nullish(),
  }),
);

export const QrsAboutSchema = z.lazy(() =>
  z.looseObject({
    buildVersion: z.string().nullish(),
    buildDate: z.string().nullish(),
    nodeType: z.number().nullish(),
    schemaPath: z.string().nullish(),
  }),
);

/** `{ "value": ... }` wrappers: script-log references, synchronous start session id, counts. */
export const QrsValueSchema = z.lazy(() => z.looseObject({ value: z.unknown() }));

export type QrsTag = z.infer<typeof QrsTagSchema>;
export type QrsCustomPropertyDefinition = z.infer<typeof QrsCustomPropertyDefinitionSchema>;
export type QrsCustomPropertyValue = z.infer<typeof QrsCustomPropertyValueSchema>;
export type QrsExecutionDetail = z.infer<typeof QrsExecutionDetailSchema>;
export type QrsExecutionResult = z.infer<typeof QrsExecutionResultSchema>;
export type QrsTaskCondensed = z.infer<typeof QrsTaskCondensedSchema>;
export type QrsTask = z.infer<typeof QrsTaskSchema>;
export type QrsApp = z.infer<typeof QrsAppSchema>;
export type QrsUser = z.infer<typeof QrsUserSchema>;
export type QrsAbout = z.infer<typeof QrsAboutSchema>;

/** QRS TaskExecutionStatus names by code (qlik-protocols §2.6). */
export const EXECUTION_STATUS_NAMES = [
  "NeverStarted",
  "Triggered",
  "Started",
  "Queued",
  "AbortInitiated",
  "Aborting",
  "Aborted",
  "FinishedSuccess",
  "FinishedFail",
  "Skipped",
  "Retry",
  "Error",
  "Reset",
  "DistributionQueue",
  "DistributionRunning",
] as const;

export function executionStatusName(code: number): string {
  return EXECUTION_STATUS_NAMES[code] ?? `Unknown(${code})`;
}

/** Statuses after which a run will not change any more. */
export const FINAL_EXECUTION_STATUSES: ReadonlySet<number> = new Set([6, 7, 8, 9, 11, 12]);

/** The "never" date QRS uses (SQL minimum). */
export function isNeverDate(value: string | null | undefined): boolean {
  return !value || value.startsWith("1753");
}

export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
