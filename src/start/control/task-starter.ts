// The one TaskStarter: resolves ids, tags and custom properties to tasks through QRS, applies the start
// allowlist, starts each task once (any task type), and records every decision in the audit log.
import { mapLimited } from "../../platform/core/map-limited";
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import { AppError, describeError } from "../../platform/core/errors";
import type { Counter, MetricsRegistry } from "../../platform/core/metrics";
import type { NameValue } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { and, eq, eqString, isGuid, or } from "../../platform/qlik/qrs-filter";
import type { QrsTask } from "../../platform/qlik/qrs-schemas";
import type { StartFilter } from "./start-filter";
import type { StartedTask, StartOptions, StartOrigin, TaskSelector, TaskStarter, TaskStartReport } from "./types";

export type TaskStarterQrs = Pick<QrsClient, "listTasksFull" | "startTask" | "startTaskSynchronous">;

export interface TaskStarterDeps {
  qrs: TaskStarterQrs;
  filter: StartFilter;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  /** QRS calls in flight at once for one request (default 8). */
  concurrency?: number;
}

interface Candidate {
  task: QrsTask;
  via: string[];
  byId: boolean;
}

const ID_BATCH = 20;

const uniq = <T>(xs: T[], key: (x: T) => string = String): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
};

export const taskTags = (t: QrsTask): string[] => (t.tags ?? []).map((x) => x.name);
export const taskCustomProperties = (t: QrsTask): NameValue[] => (t.customProperties ?? []).map((c) => ({ name: c.definition.name, value: c.value }));

export function createTaskStarter(deps: TaskStarterDeps): TaskStarter {
  const log = deps.log.child({ module: "task-starter" });
  const concurrency = deps.concurrency ?? 8;
  const starts = deps.metrics.counter("steward_task_starts_total", "Task start decisions by origin and result (started, failed, denied, not_found, invalid).");

  async function resolveIds(ids: string[]): Promise<Map<string, QrsTask>> {
    const found = new Map<string, QrsTask>();
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += ID_BATCH) batches.push(ids.slice(i, i + ID_BATCH));
    await mapLimited(batches, concurrency, async (batch) => {
      const tasks = await qrsCall("looking up tasks by id", () => deps.qrs.listTasksFull(or(...batch.map((id) => eq("id", id)))));
      for (const t of tasks) found.set(t.id.toLowerCase(), t);
    });
    return found;
  }

  async function start(selector: TaskSelector, origin: StartOrigin, options: StartOptions = {}): Promise<TaskStartReport> {
    const report: TaskStartReport = { started: [], notFound: [], invalid: [], denied: [], byTag: [], byCustomProperty: [] };
    const actor = origin.actor ?? { kind: origin.kind, name: origin.name };
    const candidates = new Map<string, Candidate>();
    const add = (task: QrsTask, via: string, byId: boolean) => {
      const key = task.id.toLowerCase();
      const c = candidates.get(key);
      if (c) {
        if (!c.via.includes(via)) c.via.push(via);
        c.byId ||= byId;
      } else candidates.set(key, { task, via: [via], byId });
    };

    // 1. Ids: malformed ones are invalid, unknown ones not found.
    const ids = uniq(
      (selector.taskIds ?? []).map((id) => id.trim()),
      (id) => id.toLowerCase(),
    );
    const wellFormed = ids.filter((id) => isGuid(id));
    report.invalid = ids.filter((id) => !isGuid(id));
    const known = wellFormed.length ? await resolveIds(wellFormed) : new Map<string, QrsTask>();
    report.notFound = wellFormed.filter((id) => !known.has(id.toLowerCase()));
    const holdIds = options.allTaskIdsMustExist === true && (report.invalid.length > 0 || report.notFound.length > 0);
    for (const id of wellFormed) {
      const t = known.get(id.toLowerCase());
      if (t) add(t, "id", true);
    }

    // 2. Tags and 3. custom properties: every matching task.
    const tags = uniq((selector.tags ?? []).filter((t) => t.length > 0));
    report.byTag = await mapLimited(tags, concurrency, async (tag) => {
      const tasks = await qrsCall(`looking up tasks tagged ${tag}`, () => deps.qrs.listTasksFull(eqString("tags.name", tag)));
      // QRS compares case-insensitively, and so does every step after it (Butler starts what QRS returned):
      // the tag check only drops tasks a looser QRS filter might add, never ones that differ in case.
      const wanted = tag.toLowerCase();
      const matching = tasks.filter((t) => taskTags(t).some((x) => x.toLowerCase() === wanted));
      for (const t of matching) add(t, `tag:${tag}`, false);
      return { tag, tasks: matching.map((t) => ({ taskId: t.id, taskName: t.name })) };
    });
    const cps = uniq(
      (selector.customProperties ?? []).filter((cp) => cp.name.length > 0),
      (cp) => `${cp.name}\u0000${cp.value}`,
    );
    report.byCustomProperty = await mapLimited(cps, concurrency, async (cp) => {
      const filter = and(eqString("customProperties.definition.name", cp.name), eqString("customProperties.value", cp.value));
      const tasks = await qrsCall(`looking up tasks with ${cp.name}=${cp.value}`, () => deps.qrs.listTasksFull(filter));
      // QRS evaluates each predicate on its own, so name and value may match different properties; require one
      // property with both, compared case-insensitively as QRS does.
      const [name, value] = [cp.name.toLowerCase(), cp.value.toLowerCase()];
      const matching = tasks.filter((t) => taskCustomProperties(t).some((c) => c.name.toLowerCase() === name && c.value.toLowerCase() === value));
      for (const t of matching) add(t, `cp:${cp.name}=${cp.value}`, false);
      return { ...cp, tasks: matching.map((t) => ({ taskId: t.id, taskName: t.name })) };
    });

    // 4. Decide per task, then start the allowed ones.
    const toStart: Candidate[] = [];
    for (const c of candidates.values()) {
      if (holdIds && c.byId && c.via.length === 1) {
        report.denied.push({
          taskId: c.task.id,
          taskName: c.task.name,
          reason: "allTaskIdsMustExist: another requested task id is malformed or unknown",
          via: c.via,
        });
        continue;
      }
      const decision = deps.filter.check({ id: c.task.id, tags: taskTags(c.task), customProperties: taskCustomProperties(c.task) });
      if (decision.allowed) toStart.push(c);
      else report.denied.push({ taskId: c.task.id, taskName: c.task.name, reason: decision.reason, via: c.via });
    }
    report.started = await mapLimited(toStart, concurrency, (c) => startOne(c, options));

    // 5. Audit and count every outcome.
    auditReport(deps.audit, starts, actor, origin.kind, report);
    log.info(
      {
        origin,
        started: report.started.filter((s) => s.status === "started").length,
        failed: report.started.filter((s) => s.status === "failed").length,
        denied: report.denied.length,
        notFound: report.notFound.length,
        invalid: report.invalid.length,
      },
      "task start request handled",
    );
    return report;
  }

  async function startOne(c: Candidate, options: StartOptions): Promise<StartedTask> {
    const base: StartedTask = {
      taskId: c.task.id,
      taskName: c.task.name,
      status: "started",
      via: c.via,
      ...(typeof c.task.taskType === "number" ? { taskType: c.task.taskType } : {}),
    };
    try {
      if (options.synchronous) {
        const sessionId = await deps.qrs.startTaskSynchronous(c.task.id);
        if (!sessionId)
          return { ...base, status: "failed", error: "QRS did not start the task (it is disabled, already running, or no scheduler node could take it)" };
        return { ...base, executionSessionId: sessionId };
      }
      await deps.qrs.startTask(c.task.id);
      return base;
    } catch (err) {
      log.warn({ taskId: c.task.id, err: describeError(err) }, "QRS refused to start a task");
      return { ...base, status: "failed", error: describeError(err) };
    }
  }

  return { start };
}

/** A QRS call whose failure is a 503 naming what was being looked up. */
async function qrsCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("QRS_UNAVAILABLE", `${what}: ${describeError(err)}`, { cause: err });
  }
}

/** Every outcome of a start request in the audit log and the start counter. */
function auditReport(audit: AuditLog, starts: Counter, actor: AuditActor, originKind: string, report: TaskStartReport): void {
  for (const s of report.started) {
    audit.record({
      actor,
      action: "task.start",
      target: s.taskId,
      result: s.status === "started" ? "ok" : "failed",
      details: {
        taskName: s.taskName,
        via: s.via,
        ...(s.error ? { error: s.error } : {}),
        ...(s.executionSessionId ? { executionSessionId: s.executionSessionId } : {}),
      },
    });
    starts.inc({ origin: originKind, result: s.status });
  }
  for (const d of report.denied) {
    audit.record({ actor, action: "task.start", target: d.taskId, result: "denied", details: { taskName: d.taskName, via: d.via, reason: d.reason } });
    starts.inc({ origin: originKind, result: "denied" });
  }
  for (const id of report.notFound) {
    audit.record({ actor, action: "task.start", target: id, result: "failed", details: { reason: "no such task on the Qlik site" } });
    starts.inc({ origin: originKind, result: "not_found" });
  }
  for (const id of report.invalid) {
    audit.record({ actor, action: "task.start", target: id.slice(0, 100), result: "failed", details: { reason: "not a task id (GUID)" } });
    starts.inc({ origin: originKind, result: "invalid" });
  }
}
