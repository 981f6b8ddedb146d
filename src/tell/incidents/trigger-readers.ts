// The QRS reads behind "which trigger started the run" (started-by-trigger.ts), shared by the runs of a burst
// (platform/qlik/qrs-batch-reader.ts): the tasks whose triggers are asked for while a read is under way go together
// as one `reloadTask.id eq A or reloadTask.id eq B …` filter, one reader per task type (QRS ties a trigger to its task
// under the key of the task's type), and the upstream runs of chain rules as one filter of one clause per rule
// (`(taskID eq U and status eq 7 and stopTime ge … and stopTime le …) or …`), each rule getting exactly the rows its
// own clause matches. A read serves for 30 s on the Clock the runs heard of before it began, never an older one.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import { type BatchReader, type BatchReadOptions, createBatchReader } from "../../platform/qlik/qrs-batch-reader";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { and, compare, eq, type QrsFilter } from "../../platform/qlik/qrs-filter";
import type { QrsExecutionResult } from "../../platform/qlik/qrs-schemas";

/** How long a read serves runs heard of before it began (the runs of a burst are annotated within seconds). */
export const TRIGGER_CACHE_TTL_MS = 30_000;

/** The key a trigger names its task under, by the task's type. */
export const TASK_KEY = { reload: "reloadTask", externalProgram: "externalProgramTask", userSync: "userSyncTask" } as const;
export type TaskKey = (typeof TASK_KEY)[keyof typeof TASK_KEY];

const TaskRef = z.lazy(() => z.object({ id: z.string(), name: z.string() }).nullish());
const taskRefs = { reloadTask: TaskRef, externalProgramTask: TaskRef, userSyncTask: TaskRef };
const SchemaEventSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    enabled: z.boolean().optional(),
    operational: z.object({ lastEventDate: z.string().nullish() }).nullish(),
    ...taskRefs,
  }),
);
const CompositeEventSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    enabled: z.boolean().optional(),
    timeConstraint: z.object({ days: z.number(), hours: z.number(), minutes: z.number(), seconds: z.number() }).partial().nullish(),
    compositeRules: z.array(z.object({ ruleState: z.number(), ...taskRefs })).default([]),
    ...taskRefs,
  }),
);
export type SchemaEvent = z.infer<typeof SchemaEventSchema>;
export type CompositeEvent = z.infer<typeof CompositeEventSchema>;

/** A chain rule's question: did `taskId` end with `status` (7 succeeded, 8 failed) between the two times (ms)? */
export interface UpstreamAsk {
  taskId: string;
  status: number;
  fromMs: number;
  toMs: number;
}

export interface TriggerReaders {
  /** The task's schema (time) triggers. */
  schedules(key: TaskKey, taskId: string, o: BatchReadOptions): Promise<SchemaEvent[]>;
  /** The task's task-event triggers (chains). */
  chains(key: TaskKey, taskId: string, o: BatchReadOptions): Promise<CompositeEvent[]>;
  /** The upstream's runs that answer the ask. */
  upstreamRuns(ask: UpstreamAsk, o: BatchReadOptions): Promise<QrsExecutionResult[]>;
  /** Requests sent so far. */
  readonly requests: number;
}

export type TriggerQrs = Pick<QrsClient, "request" | "getExecutionResults">;

/** A list read of `path`; rows that do not parse are left out (a 2xx other than 200 reads as none). */
async function list<T>(qrs: TriggerQrs, path: string, filter: QrsFilter, schema: z.ZodType<T>, o: BatchReadOptions): Promise<T[]> {
  const res = await qrs.request({ method: "GET", path, query: { filter: filter.expression }, timeoutMs: o.timeoutMs, signal: o.signal });
  if (res.status !== 200) return [];
  const parsed = z.array(z.unknown()).safeParse(JSON.parse(res.body.toString("utf8")));
  if (!parsed.success) return [];
  return parsed.data.flatMap((x) => {
    const one = schema.safeParse(x);
    return one.success ? [one.data] : [];
  });
}

const upstreamKey = (a: UpstreamAsk) => `${a.taskId.toLowerCase()} ${a.status} ${new Date(a.fromMs).toISOString()} ${new Date(a.toMs).toISOString()}`;

function readUpstreamKey(key: string): { taskId: string; status: number; from: string; to: string } {
  const [taskId = "", status = "", from = "", to = ""] = key.split(" ");
  if (!/^\d+$/.test(status) || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(to))) {
    throw new AppError("BAD_REQUEST", `not an upstream run question: ${JSON.stringify(key)}`, { details: { key } });
  }
  return { taskId, status: Number(status), from, to };
}

function upstreamClause(key: string): QrsFilter {
  const k = readUpstreamKey(key);
  return and(eq("taskID", k.taskId), compare("status", "eq", k.status), compare("stopTime", "ge", k.from), compare("stopTime", "le", k.to));
}

/** As QRS answers the clause alone: the same task, status and a stop time within the bounds. */
function answersUpstream(row: QrsExecutionResult, key: string): boolean {
  const k = readUpstreamKey(key);
  const stop = Date.parse(row.stopTime ?? "");
  return (row.taskID ?? "").toLowerCase() === k.taskId && row.status === k.status && stop >= Date.parse(k.from) && stop <= Date.parse(k.to);
}

export function createTriggerReaders(qrs: TriggerQrs, clock: Clock, ttlMs = TRIGGER_CACHE_TTL_MS): TriggerReaders {
  const byTask = <T extends Partial<Record<TaskKey, { id: string } | null>>>(what: string, path: string, schema: z.ZodType<T>) =>
    Object.fromEntries(
      Object.values(TASK_KEY).map((key) => [
        key,
        createBatchReader<T>({
          what,
          field: `${key}.id`,
          keyOf: (row) => row[key]?.id,
          fetch: (f, o) => list(qrs, path, f, schema, o),
          clock,
          ttlMs,
          // Most tasks have no schema trigger or no chain: that answer is kept like any other.
          keepEmpty: true,
        }),
      ]),
    ) as Record<TaskKey, BatchReader<T>>;
  const schedules = byTask("schema trigger of a task", "schemaevent/full", SchemaEventSchema);
  const chains = byTask("task-event trigger of a task", "compositeevent/full", CompositeEventSchema);
  const upstream = createBatchReader<QrsExecutionResult>({
    what: "upstream run",
    clause: upstreamClause,
    matches: answersUpstream,
    fetch: (f, o) => qrs.getExecutionResults(f, o),
    clock,
    ttlMs,
    keepEmpty: true,
  });
  const all: Array<BatchReader<unknown>> = [...Object.values(schedules), ...Object.values(chains), upstream];
  return {
    schedules: (key, taskId, o) => schedules[key].read(taskId, o),
    chains: (key, taskId, o) => chains[key].read(taskId, o),
    upstreamRuns: (ask, o) => upstream.read(upstreamKey(ask), o),
    get requests() {
      return all.reduce((n, r) => n + r.requests, 0);
    },
  };
}
