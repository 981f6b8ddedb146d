// REST surface of incidents per cause (scope admin): the parents, newest first, each with what it affects counted
// ("25 tasks, 12 apps, 3 streams"), and one parent with every symptom. The dashboard's /ui/causes reads these.
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import { z } from "zod";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { CauseStore, ParentRow, SymptomRow } from "./cause-store";
import { type ScriptLines, scriptLines } from "../../hear/events/script-lines";
import type { ScriptLogExcerpt } from "../../platform/events/event-parts";

/** A symptom's event's kept script log, while Steward still holds the event (the dashboard's timeline); wired late. */
export type ScriptLogLookup = (eventId: string) => ScriptLogExcerpt | undefined;

/** Lines of one symptom's script log in an answer: a cause may hold thousands of runs, each says its failure briefly. */
const SYMPTOM_LINES_MAX = 12;

/** Runs one parent lists over the API (a cause of more is a site-wide outage over days; the pages count them all). */
const RUNS_LISTED = 50_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function affected(symptoms: readonly SymptomRow[]) {
  const distinct = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
  const tasks = distinct(symptoms.map((s) => s.taskName));
  const apps = distinct(symptoms.map((s) => s.appName));
  const streams = distinct(symptoms.map((s) => s.stream));
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  return { tasks, apps, streams, text: `${n(tasks.length, "task")}, ${n(apps.length, "app")}, ${n(streams.length, "stream")} affected` };
}

export function parentView(p: ParentRow, symptoms: readonly SymptomRow[]) {
  return {
    id: p.id,
    cause: p.causeKey,
    title: p.title,
    status: p.status,
    openedAt: iso(p.openedAt)!,
    lastAt: iso(p.lastAt)!,
    closedAt: iso(p.closedAt),
    lastPageAt: iso(p.lastPageAt),
    updates: p.updates,
    acknowledgedAt: iso(p.acknowledgedAt),
    acknowledgedBy: p.acknowledgedBy,
    acknowledgedNote: p.acknowledgedNote,
    stillFailing: symptoms.filter((s) => s.state === "open").length,
    affected: affected(symptoms),
  };
}

export type ParentView = ReturnType<typeof parentView>;

const ParentSchema = z.object({
  id: z.number(),
  cause: z.string(),
  title: z.string(),
  status: z.enum(["open", "closed"]),
  openedAt: z.string(),
  lastAt: z.string(),
  closedAt: z.string().nullable(),
  lastPageAt: z.string().nullable().describe("When the parent last paged: its first page, or its latest update."),
  updates: z.number().describe("Update pages sent (grouping.updates)."),
  acknowledgedAt: z.string().nullable().describe("When someone acknowledged the cause (or one of its incidents); null while nobody has."),
  acknowledgedBy: z.string().nullable(),
  acknowledgedNote: z.string().nullable(),
  stillFailing: z.number(),
  affected: z.object({ tasks: z.array(z.string()), apps: z.array(z.string()), streams: z.array(z.string()), text: z.string() }),
});

export function registerCauseRoutes(router: Router, store: CauseStore, scriptLogOf: () => ScriptLogLookup | undefined = () => undefined): void {
  router.route(
    {
      method: "get",
      path: "/v4/causes",
      summary: "Incidents per cause (newest first)",
      description: "Failures that share a cause (the same error class reading the same source) grouped under one parent, which pages once.",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({ status: z.enum(["open", "closed"]).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      responses: {
        200: {
          description: `Parents. ${LIST_ANSWER_NOTE}`,
          schema: z.object({ causes: z.array(ParentSchema), truncated: z.boolean().describe("Rows were left out past about 1 MiB: ask for fewer") }),
        },
      },
    },
    async (c, { query }) => {
      const rows = await store.list(query);
      const page = fitAnswer(await Promise.all(rows.map(async (p) => parentView(p, await store.symptoms(p.id)))));
      return c.json({ causes: page.items, truncated: page.truncated });
    },
  );
  router.route(
    {
      method: "get",
      path: "/v4/causes/:id",
      summary: "One incident per cause with every task and app it affects",
      tags: ["Alerts"],
      scope: "read",
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      responses: {
        200: {
          description: "The parent, its symptoms and every run folded into it",
          schema: ParentSchema.extend({
            symptoms: z
              .array(z.any())
              .describe(
                "Each task or app the cause holds; scriptLog: its failing run's failing lines (failures, with their text) and last lines, while Steward's timeline holds the run.",
              ),
            runs: z.array(z.string()).describe("Task runs (executionIds) folded into the cause, oldest first."),
          }),
        },
        404: { description: "No such cause" },
      },
    },
    async (c, { params }) => {
      const p = await store.get(params.id);
      if (!p) return c.json(errorBody(404, "NOT_FOUND", `no cause ${params.id}`, { field: "id" }), 404);
      const symptoms = await store.symptoms(p.id);
      const runs = await store.runs(p.id, RUNS_LISTED);
      const lookup = scriptLogOf();
      const linesOf = (eventId: string): { scriptLog?: ScriptLines } => {
        const log = lookup?.(eventId);
        return log ? { scriptLog: scriptLines(log, SYMPTOM_LINES_MAX) } : {};
      };
      return c.json({
        ...parentView(p, symptoms),
        runs: runs.ids,
        symptoms: symptoms.map((s) => ({
          subject: s.subject,
          task: s.taskName,
          app: s.appName,
          stream: s.stream,
          kind: s.kind,
          eventId: s.eventId,
          state: s.state,
          firstAt: iso(s.firstAt),
          lastAt: iso(s.lastAt),
          recoveredAt: iso(s.recoveredAt),
          ...linesOf(s.eventId),
        })),
      });
    },
  );
}
