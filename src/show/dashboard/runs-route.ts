// GET /v4/runs: a task's or an app's recent runs from the run history (35 days), with the script log's failing lines
// of the runs the timeline still holds. What the task page shows, as JSON, for a read key and the assistant interface.
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import type { Router } from "../../platform/http/route";
import { type ScriptLines, scriptLines } from "../../hear/events/script-lines";
import { isTaskEvent } from "../../platform/events/types";
import type { EventTimeline } from "./event-timeline";
import type { RunHistory, RunRow } from "./run-history";
import type { RunLink, RunRef } from "../../tell/incidents";

/** Which incident and cause each run belongs to, for a whole page at once (absent: a run nothing recorded). */
export type RunLinks = (runs: readonly RunRef[]) => Promise<Map<string, RunLink>>;

const Query = z.object({
  taskId: z.string().trim().min(1).max(100).optional().describe("A Qlik Sense task id"),
  appName: z.string().trim().min(1).max(300).optional().describe("An app's name: the runs of the tasks that reload it"),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe("How many runs, newest first (at most 100)"),
  scriptLog: z
    .enum(["none", "failed", "all"])
    .default("failed")
    .describe("Which runs carry their script log's telling lines (while the timeline still holds the run)"),
});

const RunSchema = z.lazy(() =>
  z.object({
    executionId: z.string(),
    outcome: z.enum(["succeeded", "failed", "aborted"]),
    taskId: z.string(),
    taskName: z.string(),
    taskType: z.string(),
    appName: z.string().nullable(),
    host: z.string(),
    finishedAt: z.string(),
    durationMs: z.number().nullable(),
    incidentId: z.number().nullable().describe("The task's incident the run opened, updated or closed (GET /v4/incidents/{id}); null when none recorded it"),
    causeId: z
      .number()
      .nullable()
      .describe(
        "The cause that holds the run (a node down, a queue backed up, a failed upstream, a source down: GET /v4/causes/{id}); null: a cause of its own or none",
      ),
    heardAfterSuccess: z
      .object({ succeededAt: z.string() })
      .optional()
      .describe(
        "A failure Steward heard of only after the task ran again successfully (its datagram was lost and reconciliation found it): when that success ended. It opened no incident and paged nobody.",
      ),
    scriptLog: z.unknown().optional().describe("The failing lines and the last lines of the run's script log"),
  }),
);

export function registerRunsRoute(router: Router, deps: { runs?: RunHistory; timeline: EventTimeline; runLinks?: RunLinks }): void {
  router.route(
    {
      method: "get",
      path: "/v4/runs",
      summary: "A task's or an app's recent runs",
      description:
        "Finished runs from the run history (kept 35 days): outcome, duration, host, execution id, the incident the run belongs to (incidentId) and the cause that holds it (causeId: null when the run is a cause of its own or no cause holds it; GET /v4/causes/{id}); with scriptLog, the failing lines and the last lines of each run's script log while Steward's timeline holds it (its newest 500 events). Give taskId or appName.",
      tags: ["Alerts"],
      scope: "read",
      query: Query,
      responses: {
        200: {
          description: `the runs, newest first; truncated: rows were left out past about 1 MiB. ${LIST_ANSWER_NOTE}`,
          schema: () => z.object({ runs: z.array(RunSchema), truncated: z.boolean() }),
        },
        400: { description: "neither taskId nor appName" },
      },
    },
    async (c, { query }) => {
      if (!query.taskId === !query.appName) throw new AppError("BAD_REQUEST", "give exactly one of taskId and appName", { details: { field: "taskId" } });
      if (!deps.runs) return c.json({ runs: [], note: "the run history needs a store" });
      const rows = query.taskId ? deps.runs.runsOf(query.taskId, query.limit) : deps.runs.runsOfApp(query.appName!, query.limit);
      const logs = query.scriptLog === "none" ? new Map() : scriptLogsOf(deps.timeline, rows);
      const links = deps.runLinks ? await deps.runLinks(rows) : new Map<string, RunLink>();
      const page = fitAnswer(
        rows.map((r) => {
          const log = query.scriptLog === "all" || r.outcome !== "succeeded" ? logs.get(r.executionId) : undefined;
          const link = links.get(`${r.executionId.toLowerCase()}:${r.outcome}`);
          return {
            executionId: r.executionId,
            outcome: r.outcome,
            taskId: r.taskId,
            taskName: r.taskName,
            taskType: r.taskType,
            appName: r.appName,
            host: r.host,
            finishedAt: new Date(r.finishedAt).toISOString(),
            durationMs: r.durationMs,
            incidentId: link?.incidentId ?? null,
            causeId: link?.causeId ?? null,
            ...(link?.succeededBeforeHeardAt !== undefined ? { heardAfterSuccess: { succeededAt: new Date(link.succeededBeforeHeardAt).toISOString() } } : {}),
            ...(log ? { scriptLog: log } : {}),
          };
        }),
      );
      return c.json({ runs: page.items, truncated: page.truncated });
    },
  );
}

function scriptLogsOf(timeline: EventTimeline, rows: readonly RunRow[]): Map<string, ScriptLines> {
  const wanted = new Set(rows.map((r) => r.executionId));
  const out = new Map<string, ScriptLines>();
  for (const entry of timeline.entries()) {
    const e = entry.event;
    if (!isTaskEvent(e) || !e.scriptLog) continue;
    const id = e.executionId;
    if (id && wanted.has(id) && !out.has(id)) out.set(id, scriptLines(e.scriptLog));
  }
  return out;
}
