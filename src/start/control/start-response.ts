// Renders a TaskStartReport as the REST/MQTT answer: seed 000's fields (tasksStarted, tasksNotFound,
// totalTasksStarted) and Butler's (tasksId, tasksTag, tasksTagDenied, tasksCP, tasksCPDenied) side by side.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import type { TaskRunResult } from "./task-waiter";
import type { TaskStartReport } from "./types";

const TaskRef = z.object({ taskId: z.string(), taskName: z.string().optional() });

export const TaskRunResultSchema = z.lazy(() =>
  z.object({
    taskId: z.string(),
    taskName: z.string(),
    executionSessionId: z.string(),
    outcome: z.enum(["succeeded", "failed", "aborted", "timeout", "unknown"]),
    statusCode: z.number().optional(),
    status: z.string().optional(),
    startTime: z.string().optional(),
    stopTime: z.string().optional(),
    durationMs: z.number().optional(),
    executingNode: z.string().optional(),
    scriptLogTail: z.array(z.string()),
    note: z.string().optional(),
  }),
);

export const StartResponseSchema = z.lazy(() =>
  z.object({
    tasksStarted: z.array(
      z.object({
        taskId: z.string(),
        taskName: z.string(),
        status: z.enum(["started", "failed"]),
        error: z.string().optional(),
        via: z.array(z.string()).optional(),
      }),
    ),
    tasksNotFound: z.array(z.string()),
    totalTasksStarted: z.number(),
    tasksDenied: z.array(z.object({ taskId: z.string(), taskName: z.string().optional(), reason: z.string(), via: z.array(z.string()).optional() })),
    tasksId: z.object({ started: z.array(TaskRef), invalid: z.array(TaskRef), denied: z.array(TaskRef) }),
    tasksTag: z.array(TaskRef.extend({ tag: z.string() })),
    tasksTagDenied: z.array(TaskRef.extend({ tag: z.string() })),
    tasksCP: z.array(TaskRef.extend({ name: z.string(), value: z.string() })),
    tasksCPDenied: z.array(TaskRef.extend({ name: z.string(), value: z.string() })),
    executions: z.array(TaskRunResultSchema).optional().describe("With ?wait=true: how each started run ended."),
    keyValues: z
      .object({
        stored: z.array(z.object({ namespace: z.string(), key: z.string() })),
        skipped: z.array(z.object({ namespace: z.string().optional(), key: z.string().optional(), reason: z.string() })),
      })
      .optional()
      .describe("When the body has keyvaluestore items: which were stored, and which were skipped and why (the tasks start either way)."),
  }),
);
export type KeyValueReport = NonNullable<z.infer<typeof StartResponseSchema>["keyValues"]>;
export type StartResponse = z.infer<typeof StartResponseSchema>;

function splitCp(via: string): { name: string; value: string } {
  const body = via.slice(3);
  const i = body.indexOf("=");
  return { name: body.slice(0, i), value: body.slice(i + 1) };
}

export function toStartResponse(report: TaskStartReport, executions?: TaskRunResult[], keyValues?: KeyValueReport): StartResponse {
  const started = report.started.filter((s) => s.status === "started");
  const ref = (t: { taskId: string; taskName?: string }) => ({ taskId: t.taskId, ...(t.taskName !== undefined ? { taskName: t.taskName } : {}) });
  const viaTag = <T extends { via?: string[]; taskId: string; taskName?: string }>(xs: T[]) =>
    xs.flatMap((t) => (t.via ?? []).filter((v) => v.startsWith("tag:")).map((v) => ({ ...ref(t), tag: v.slice(4) })));
  const viaCp = <T extends { via?: string[]; taskId: string; taskName?: string }>(xs: T[]) =>
    xs.flatMap((t) => (t.via ?? []).filter((v) => v.startsWith("cp:")).map((v) => ({ ...ref(t), ...splitCp(v) })));
  return {
    tasksStarted: report.started.map((s) => ({
      taskId: s.taskId,
      taskName: s.taskName,
      status: s.status,
      ...(s.error ? { error: s.error } : {}),
      ...(s.via ? { via: s.via } : {}),
    })),
    tasksNotFound: report.notFound,
    totalTasksStarted: started.length,
    tasksDenied: report.denied,
    tasksId: {
      started: started.filter((s) => s.via?.includes("id")).map(ref),
      // Butler lists unknown ids as invalid too.
      invalid: [...report.invalid, ...report.notFound].map((taskId) => ({ taskId })),
      denied: report.denied.filter((d) => d.via?.includes("id")).map(ref),
    },
    tasksTag: viaTag(started),
    tasksTagDenied: viaTag(report.denied),
    tasksCP: viaCp(started),
    tasksCPDenied: viaCp(report.denied),
    ...(executions ? { executions } : {}),
    ...(keyValues ? { keyValues } : {}),
  };
}
