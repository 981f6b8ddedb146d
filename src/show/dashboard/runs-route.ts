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

const Query = z.object({
  taskId: z.string().trim().min(1).max(100).optional().describe("A Qlik Sense task id"),
  appName: z.string().trim().min(1).max(300).optional().describe("An app's name: the runs of the tasks that reload it"),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe("How many runs, newest first (at most 100)"),
  scriptLog: z
    .enum(["none", "failed", "all"])
    .default("failed")
    .describe("Which runs carry their script log's telling lines (while the timeline still holds the run)"),
});

export function registerRunsRoute(router: Router, deps: { runs?: RunHistory; timeline: EventTimeline }): void {
  router.route(
    {
      method: "get",
      path: "/v4/runs",
      summary: "A task's or an app's recent runs",
      description:
        "Finished runs from the run history (kept 35 days): outcome, duration, host, execution id; with scriptLog, the failing lines and the last lines of each run's script log while Steward's timeline holds it (its newest 500 events). Give taskId or appName.",
      tags: ["Alerts"],
      scope: "read",
      query: Query,
      responses: {
        200: { description: `the runs, newest first; truncated: rows were left out past about 1 MiB. ${LIST_ANSWER_NOTE}` },
        400: { description: "neither taskId nor appName" },
      },
    },
    (c, { query }) => {
      if (!query.taskId === !query.appName) throw new AppError("BAD_REQUEST", "give exactly one of taskId and appName", { details: { field: "taskId" } });
      if (!deps.runs) return c.json({ runs: [], note: "the run history needs a store" });
      const rows = query.taskId ? deps.runs.runsOf(query.taskId, query.limit) : deps.runs.runsOfApp(query.appName!, query.limit);
      const logs = query.scriptLog === "none" ? new Map() : scriptLogsOf(deps.timeline, rows);
      const page = fitAnswer(
        rows.map((r) => {
          const log = query.scriptLog === "all" || r.outcome !== "succeeded" ? logs.get(r.executionId) : undefined;
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
