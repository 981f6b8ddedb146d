// Which QRS trigger started a run the Scheduler's account started: a schema (time) trigger whose last event is
// the run's start, or a task-event trigger (a chain) whose upstream task ended as the trigger waits for just
// before. Two QRS reads per run, on the task's own triggers; nothing is guessed when QRS says nothing clear.
import { z } from "zod";
import type { Logger } from "pino";
import type { StartedBy } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import { and, compare, eq } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";

/** A schema trigger's last event and the run's start may differ by the Scheduler's own delay. */
const SCHEDULE_SLACK_MS = 120_000;
/** A chain with no time constraint: the upstream run must have ended this recently. */
const CHAIN_DEFAULT_WINDOW_MS = 10 * 60_000;
const TASK_KEY: Record<string, string> = { reload: "reloadTask", externalProgram: "externalProgramTask", userSync: "userSyncTask" };

const TaskRef = z.lazy(() => z.object({ id: z.string(), name: z.string() }).nullish());
const SchemaEventSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    enabled: z.boolean().optional(),
    operational: z.object({ lastEventDate: z.string().nullish() }).nullish(),
  }),
);
const CompositeEventSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    enabled: z.boolean().optional(),
    timeConstraint: z.object({ days: z.number(), hours: z.number(), minutes: z.number(), seconds: z.number() }).partial().nullish(),
    compositeRules: z.array(z.object({ ruleState: z.number(), reloadTask: TaskRef, externalProgramTask: TaskRef, userSyncTask: TaskRef })).default([]),
  }),
);

export type TriggerLookup = Pick<QrsClient, "request" | "getExecutionResults">;

async function list<T>(qrs: TriggerLookup, path: string, filter: string, schema: z.ZodType<T>, timeoutMs: number): Promise<T[]> {
  const res = await qrs.request({ method: "GET", path, query: { filter }, timeoutMs });
  if (res.status !== 200) return [];
  const parsed = z.array(z.unknown()).safeParse(JSON.parse(res.body.toString("utf8")));
  if (!parsed.success) return [];
  return parsed.data.flatMap((x) => {
    const one = schema.safeParse(x);
    return one.success ? [one.data] : [];
  });
}

export async function triggerOf(qrs: TriggerLookup, e: TaskEvent, started: StartedBy, log: Logger, timeoutMs = 5_000): Promise<StartedBy> {
  const key = TASK_KEY[e.taskType];
  const start = Date.parse(e.execution?.startTime ?? "");
  if (started.kind !== "scheduler" || !key || !Number.isFinite(start)) return started;
  const filter = `${key}.id eq ${e.task.id}`;
  try {
    const schedules = await list(qrs, "schemaevent/full", filter, SchemaEventSchema, timeoutMs);
    const bySchedule = schedules.find((s) => {
      const at = Date.parse(s.operational?.lastEventDate ?? "");
      return Number.isFinite(at) && at <= start + 5_000 && start - at <= SCHEDULE_SLACK_MS;
    });
    if (bySchedule) return { ...started, trigger: { type: "schedule", name: bySchedule.name }, text: `the trigger "${bySchedule.name}"` };

    for (const chain of await list(qrs, "compositeevent/full", filter, CompositeEventSchema, timeoutMs)) {
      if (chain.enabled === false) continue;
      const c = chain.timeConstraint ?? {};
      const window = (((c.days ?? 0) * 24 + (c.hours ?? 0)) * 60 + (c.minutes ?? 0)) * 60_000 + (c.seconds ?? 0) * 1000 || CHAIN_DEFAULT_WINDOW_MS;
      for (const rule of chain.compositeRules) {
        const upstream = rule.reloadTask ?? rule.externalProgramTask ?? rule.userSyncTask;
        const status = rule.ruleState === 1 ? 7 : rule.ruleState === 2 ? 8 : undefined;
        if (!upstream || status === undefined) continue;
        const runs = await qrs.getExecutionResults(
          and(
            eq("taskID", upstream.id),
            compare("status", "eq", status),
            compare("stopTime", "ge", new Date(start - window).toISOString()),
            compare("stopTime", "le", new Date(start + 5_000).toISOString()),
          ),
          { timeoutMs },
        );
        if (runs.length > 0) {
          const outcome = status === 7 ? "succeeded" : "failed";
          return {
            ...started,
            trigger: { type: "chain", name: chain.name, after: { task: upstream.name, outcome } },
            text: `the task chain "${chain.name}" (after "${upstream.name}" ${outcome})`,
          };
        }
      }
    }
  } catch (err) {
    log.debug({ taskId: e.task.id, err: (err as Error).message }, "cannot tell which trigger started the run");
  }
  return started;
}
