// The typed QRS client every Steward module uses: entity reads validated with zod, task starts, script logs.
// Usage and error contract: src/platform/qlik/README.md.
import type { Logger } from "pino";
import { z } from "zod";
import type { QlikConfig } from "./config";
import type { Clock } from "../core/clock";
import { AppError } from "../core/errors";
import { eq, isGuid, type QrsFilter } from "./qrs-filter";
import {
  QrsAboutSchema,
  QrsAppSchema,
  QrsCustomPropertyDefinitionSchema,
  QrsExecutionResultSchema,
  QrsTagSchema,
  QrsTaskCondensedSchema,
  QrsTaskSchema,
  QrsUserSchema,
  QrsValueSchema,
  ZERO_GUID,
  type QrsAbout,
  type QrsApp,
  type QrsCustomPropertyDefinition,
  type QrsExecutionResult,
  type QrsTag,
  type QrsTask,
  type QrsTaskCondensed,
  type QrsUser,
} from "./qrs-schemas";
import { fetchScriptLog, type ScriptLogOptions, type ScriptLogResult } from "./qrs-script-log";
import { createQrsTransport, type QrsAnswers, type QrsRawResponse, type QrsRequest, type QrsTransport } from "./qrs-transport";

/** Per-call knobs; every entity call accepts them as its last argument. */
export interface QrsCallOptions {
  /** Per-attempt timeout (default qlik.timeoutMs). */
  timeoutMs?: number;
  /** Retries on network errors / 5xx (default qlik.retries). */
  retries?: number;
  signal?: AbortSignal;
}

export interface QrsListOptions extends QrsCallOptions {
  /** QRS `orderby`, e.g. `stopTime desc`. */
  orderBy?: string;
}

export interface QrsClient {
  /** `https://host:4242`, for messages. */
  readonly baseUrl: string;
  /** The X-Qlik-User header value sent with every call. */
  readonly user: string;
  /** GET /qrs/about — the cheapest reachability probe. */
  about(o?: QrsCallOptions): Promise<QrsAbout>;
  /** Condensed task by id (GET task?filter=id eq …); NOT_FOUND when no such task. */
  getTask(id: string, o?: QrsCallOptions): Promise<QrsTaskCondensed>;
  listTasks(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsTaskCondensed[]>;
  /** Full task (type, tags, custom properties, app, operational) by id; NOT_FOUND when no such task. */
  getTaskFull(id: string, o?: QrsCallOptions): Promise<QrsTask>;
  listTasksFull(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsTask[]>;
  /** POST task/{id}/start; resolves on 204, NOT_FOUND for an unknown task, QRS_UNAVAILABLE otherwise. */
  startTask(id: string, o?: QrsCallOptions): Promise<void>;
  /** POST task/{id}/start/synchronous; the execution session id, or undefined when QRS did not start it. */
  startTaskSynchronous(id: string, o?: QrsCallOptions): Promise<string | undefined>;
  /** True while GET executionsession/{id} answers 200; false once QRS deleted it (the run finished). */
  isExecutionSessionActive(sessionId: string, o?: QrsCallOptions): Promise<boolean>;
  getReloadTask(id: string, o?: QrsCallOptions): Promise<QrsTask>;
  getExternalProgramTask(id: string, o?: QrsCallOptions): Promise<QrsTask>;
  getUserSyncTask(id: string, o?: QrsCallOptions): Promise<QrsTask>;
  /** GET executionresult/full?filter=…; one per run attempt. */
  getExecutionResults(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsExecutionResult[]>;
  /** GET app/{id} (includes owner). */
  getApp(id: string, o?: QrsCallOptions): Promise<QrsApp>;
  /** GET app/full?filter=id eq …; NOT_FOUND when no such app. */
  getAppFull(id: string, o?: QrsCallOptions): Promise<QrsApp>;
  listAppsFull(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsApp[]>;
  getUser(id: string, o?: QrsCallOptions): Promise<QrsUser>;
  /** GET user/full?filter=…: the same entities as user/{id}, many at once. */
  listUsersFull(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsUser[]>;
  listTags(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsTag[]>;
  getCustomPropertyDefinitions(filter?: QrsFilter, o?: QrsListOptions): Promise<QrsCustomPropertyDefinition[]>;
  /** A reload task run's script log (new `scriptlogfile` flow, then the old `scriptlog` flow), retried while QRS catches up. */
  getScriptLog(taskId: string, opts?: ScriptLogOptions): Promise<ScriptLogResult>;
  /** Escape hatch for endpoints without a typed call (license, …): JSON validated by `schema`. */
  getJson<S extends z.ZodType>(path: string, schema: S, query?: Record<string, string | undefined>, o?: QrsCallOptions): Promise<z.infer<S>>;
  /** Raw call; throws AppError for non-2xx. */
  request(req: QrsRequest): Promise<QrsRawResponse>;
  /** When QRS last answered a call, and when one last failed (no answer, 5xx, 401/403): evidence of its health. */
  answers(): QrsAnswers;
  /** Closes pooled connections. */
  close(): void;
}

export interface QrsClientDeps {
  log: Logger;
  /** Retries and the waits between script-log reads run on it. */
  clock: Clock;
  /** Folder relative cert paths are resolved against (the config file's folder). */
  baseDir: string;
  /** First retry delay (default 250 ms); tests shorten it. */
  retryBaseMs?: number;
}

/** One array schema per row schema: building a zod schema costs more than checking a short answer with it. */
const arrays = new WeakMap<z.ZodType, z.ZodArray>();
function arrayOf<S extends z.ZodType>(schema: S): z.ZodArray<S> {
  let a = arrays.get(schema);
  if (!a) arrays.set(schema, (a = z.array(schema)));
  return a as z.ZodArray<S>;
}

function requireGuid(id: string, what: string): string {
  if (!isGuid(id)) throw new AppError("BAD_REQUEST", `${what} must be a GUID, got ${JSON.stringify(id)}`, { details: { [what]: id } });
  return id;
}

export function createQrsClient(cfg: QlikConfig, deps: QrsClientDeps): QrsClient {
  const transport: QrsTransport = createQrsTransport(cfg, { log: deps.log, clock: deps.clock, baseDir: deps.baseDir, retryBaseMs: deps.retryBaseMs });

  function decode<S extends z.ZodType>(res: QrsRawResponse, path: string, schema: S): z.infer<S> {
    let data: unknown;
    try {
      data = JSON.parse(res.body.toString("utf8"));
    } catch (err) {
      throw new AppError("QRS_UNAVAILABLE", `QRS answered ${path} with something that is not JSON (is qlik.qrsPort the QRS port?)`, { cause: err });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "";
      throw new AppError("QRS_UNAVAILABLE", `QRS answered ${path} with an unexpected shape (${where})`, {
        details: { path, issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join("."), message: i.message })) },
      });
    }
    return parsed.data;
  }

  async function getJson<S extends z.ZodType>(path: string, schema: S, query?: QrsRequest["query"], o: QrsCallOptions = {}): Promise<z.infer<S>> {
    const res = await transport.request({ method: "GET", path, query, ...o });
    return decode(res, path, schema);
  }

  const list = <S extends z.ZodType>(path: string, schema: S, filter: QrsFilter | undefined, o: QrsListOptions = {}) => {
    const { orderBy, ...call } = o;
    return getJson(path, arrayOf(schema), { filter: filter?.expression, orderby: orderBy }, call);
  };

  async function single<S extends z.ZodType>(path: string, schema: S, id: string, what: string, o?: QrsCallOptions): Promise<z.infer<S>> {
    const rows = await list(path, schema, eq("id", requireGuid(id, `${what} id`)), o);
    const first = rows[0];
    if (first === undefined) throw new AppError("NOT_FOUND", `no ${what} with id ${id} on the Qlik site`, { details: { id } });
    return first;
  }

  return {
    baseUrl: transport.baseUrl,
    user: transport.user,
    about: (o) => getJson("about", QrsAboutSchema, undefined, o),
    getTask: (id, o) => single("task", QrsTaskCondensedSchema, id, "task", o),
    listTasks: (filter, o) => list("task", QrsTaskCondensedSchema, filter, o),
    getTaskFull: (id, o) => single("task/full", QrsTaskSchema, id, "task", o),
    listTasksFull: (filter, o) => list("task/full", QrsTaskSchema, filter, o),
    async startTask(id, o = {}) {
      const res = await transport.request({ method: "POST", path: `task/${requireGuid(id, "task id")}/start`, body: {}, ...o });
      if (res.status !== 204) {
        throw new AppError("QRS_UNAVAILABLE", `QRS answered ${res.status} instead of 204 when starting task ${id}`, { details: { status: res.status } });
      }
    },
    async startTaskSynchronous(id, o = {}) {
      const path = `task/${requireGuid(id, "task id")}/start/synchronous`;
      const res = await transport.request({ method: "POST", path, body: {}, ...o });
      const { value } = decode(res, path, QrsValueSchema);
      return typeof value === "string" && isGuid(value) && value !== ZERO_GUID ? value : undefined;
    },
    async isExecutionSessionActive(sessionId, o = {}) {
      try {
        await transport.request({ method: "GET", path: `executionsession/${requireGuid(sessionId, "execution session id")}`, ...o });
        return true;
      } catch (err) {
        if (err instanceof AppError && err.code === "NOT_FOUND") return false;
        throw err;
      }
    },
    getReloadTask: (id, o) => getJson(`reloadtask/${requireGuid(id, "task id")}`, QrsTaskSchema, undefined, o),
    getExternalProgramTask: (id, o) => getJson(`externalprogramtask/${requireGuid(id, "task id")}`, QrsTaskSchema, undefined, o),
    getUserSyncTask: (id, o) => getJson(`usersynctask/${requireGuid(id, "task id")}`, QrsTaskSchema, undefined, o),
    getExecutionResults: (filter, o) => list("executionresult/full", QrsExecutionResultSchema, filter, o),
    getApp: (id, o) => getJson(`app/${requireGuid(id, "app id")}`, QrsAppSchema, undefined, o),
    getAppFull: (id, o) => single("app/full", QrsAppSchema, id, "app", o),
    listAppsFull: (filter, o) => list("app/full", QrsAppSchema, filter, o),
    getUser: (id, o) => getJson(`user/${requireGuid(id, "user id")}`, QrsUserSchema, undefined, o),
    listUsersFull: (filter, o) => list("user/full", QrsUserSchema, filter, o),
    listTags: (filter, o) => list("tag/full", QrsTagSchema, filter, o),
    getCustomPropertyDefinitions: (filter, o) => list("custompropertydefinition/full", QrsCustomPropertyDefinitionSchema, filter, o),
    getScriptLog: (taskId, opts = {}) =>
      fetchScriptLog({ request: transport.request, getJson, decode, clock: deps.clock }, requireGuid(taskId, "task id"), opts),
    getJson: (path, schema, query, o) => getJson(path, schema, query, o),
    request: (req) => transport.request(req),
    answers: () => transport.answers(),
    close: () => transport.close(),
  };
}
