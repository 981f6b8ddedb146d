// REST surface of incidents per cause (scope admin): the parents, newest first, each with what it affects counted
// ("25 tasks, 12 apps, 3 streams"), and one parent with every symptom. The dashboard's /ui/causes reads these.
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import { z } from "zod";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { CauseStore, ParentRow, SymptomRow } from "./cause-store";
import { type ScriptLines, scriptLines } from "../../hear/events/script-lines";
import type { ScriptLogExcerpt } from "../../platform/events/event-parts";
import { promisesHeld } from "./promises-at-risk";
import { BeingDoneSchema, type BeingDoneReader, type CauseBeingDone, NOTHING_DONE } from "./being-done";

/** A symptom's event's kept script log, while Steward still holds the event (the dashboard's timeline); wired late. */
export type ScriptLogLookup = (eventId: string) => ScriptLogExcerpt | undefined;

/** Lines of one symptom's script log in an answer: a cause may hold thousands of runs, each says its failure briefly. */
const SYMPTOM_LINES_MAX = 12;

/** Runs one parent lists over the API (a cause of more is a site-wide outage over days; the pages count them all). */
const RUNS_LISTED = 50_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Symptoms that are not a task although a row may name one: a node's queue and a node's service (rows written before
 * they stopped posing as tasks "Scheduler queue on …", "QlikSenseSchedulerService on …"), and a reload outside the
 * Scheduler (its app is what it affects, not a task).
 */
const NOT_A_TASK = new Set(["scheduler.queue_backlog", "service.stopped", "app.reload_failed", "app.reload_succeeded"]);

/**
 * "2 services stopped, 2 tasks, 1 app affected": what a cause holds, counted; a kind with none is left out ("" when
 * nothing is named). A node's stopped services are counted too: they are what its "still failing" counts beside tasks.
 */
export function affectedText(counts: { tasks: number; apps: number; streams: number; services?: number; queues?: number }): string {
  const n = (k: number, w: string) => (k === 0 ? [] : [`${k} ${w}${k === 1 ? "" : "s"}`]);
  const stopped = [
    ...(counts.queues ? [`${n(counts.queues, "queue")[0]} backed up`] : []),
    ...(counts.services ? [`${n(counts.services, "service")[0]} stopped`] : []),
  ];
  const parts = [...n(counts.tasks, "task"), ...n(counts.apps, "app"), ...n(counts.streams, "stream")];
  return [...stopped, ...(parts.length === 0 ? [] : [`${parts.join(", ")} affected`])].join(", ");
}

export function affected(symptoms: readonly SymptomRow[]) {
  const distinct = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
  const tasks = distinct(symptoms.map((s) => (NOT_A_TASK.has(s.kind) ? null : s.taskName)));
  const apps = distinct(symptoms.map((s) => s.appName));
  const streams = distinct(symptoms.map((s) => s.stream));
  const count = (kind: string) => new Set(symptoms.filter((s) => s.kind === kind).map((s) => s.subject)).size;
  const [services, queues] = [count("service.stopped"), count("scheduler.queue_backlog")];
  return { tasks, apps, streams, text: affectedText({ tasks: tasks.length, apps: apps.length, streams: streams.length, services, queues }) };
}

/**
 * Symptoms still failing: the open ones, each also an incident of its own (a task's, or a condition's: a queue backed
 * up, a service stopped, a missed start), and each named by the text ("1 queue backed up, 2 tasks affected; 3 still
 * failing"), so the count agrees with the text and with the incidents listed under the cause.
 */
export const stillFailingOf = (symptoms: readonly SymptomRow[]): number => symptoms.filter((s) => s.state === "open").length;

/** What holds a cause's page now: a maintenance window over the nodes its runs ran on (issue 106). */
export interface WindowHold {
  window: string;
  scope: string;
  /** The window's end (ISO time): the cause pages then if it is still open. */
  until: string;
}

/** The window holding each of these causes' pages now (src/tell/maintenance, wired by the alert gates). */
export type HeldCauses = (ids: readonly number[]) => Promise<ReadonlyMap<number, WindowHold>>;

export function parentView(p: ParentRow, symptoms: readonly SymptomRow[], beingDone: CauseBeingDone = NOTHING_DONE, heldBy?: WindowHold) {
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
    stillFailing: stillFailingOf(symptoms),
    awaitingReload: symptoms.filter((s) => s.state === "awaiting").length,
    affected: affected(symptoms),
    promises: promisesHeld(symptoms),
    beingDone,
    // A cause that paged anyone (a run outside the window) is not held, although the window holds its runs' alerts.
    ...(heldBy && p.status === "open" && p.lastPageAt === null ? { heldBy } : {}),
  };
}

/** What is being done about each of the causes, read once for the answer (none without remediation). */
async function beingDoneOf(reader: BeingDoneReader | undefined, causes: ReadonlyArray<{ p: ParentRow; symptoms: readonly SymptomRow[] }>) {
  if (!reader || causes.length === 0) return new Map<number, CauseBeingDone>();
  const taskIdsOf = (symptoms: readonly SymptomRow[]) => [...new Set(symptoms.flatMap((s) => (s.taskId ? [s.taskId] : [])))];
  return reader(causes.map(({ p, symptoms }) => ({ id: p.id, taskIds: taskIdsOf(symptoms), openedAt: p.openedAt })));
}

export type ParentView = ReturnType<typeof parentView>;

const ParentSchema = z.lazy(() =>
  z.object({
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
    awaitingReload: z
      .number()
      .describe("Tasks and apps a job before Qlik feeds that have not reloaded since the job checked in late: they hold its cause open."),
    affected: z.object({ tasks: z.array(z.string()), apps: z.array(z.string()), streams: z.array(z.string()), text: z.string() }),
    promises: z
      .array(z.object({ promise: z.string(), app: z.string().nullable(), state: z.enum(["at risk", "late", "fresh again"]), at: z.string() }))
      .describe("The freshness promises whose alerts the cause holds, each with how far it went (at its last alert, `at`), also after the cause ended."),
    beingDone: BeingDoneSchema(),
    heldBy: z
      .object({ window: z.string(), scope: z.string(), until: z.string() })
      .optional()
      .describe("The maintenance window holding the cause's page: every run it holds ran on its nodes; it pages at `until` if still open."),
  }),
);

export function registerCauseRoutes(
  router: Router,
  store: CauseStore,
  scriptLogOf: () => ScriptLogLookup | undefined = () => undefined,
  beingDone: () => BeingDoneReader | undefined = () => undefined,
  heldCauses: HeldCauses = async () => new Map(),
): void {
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
          schema: () => z.object({ causes: z.array(ParentSchema), truncated: z.boolean().describe("Rows were left out past about 1 MiB: ask for fewer") }),
        },
      },
    },
    async (c, { query }) => {
      const rows = await Promise.all((await store.list(query)).map(async (p) => ({ p, symptoms: await store.symptoms(p.id) })));
      const done = await beingDoneOf(beingDone(), rows);
      const held = await heldCauses(rows.filter(({ p }) => p.status === "open").map(({ p }) => p.id));
      const page = fitAnswer(rows.map(({ p, symptoms }) => parentView(p, symptoms, done.get(p.id), held.get(p.id))));
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
          schema: () =>
            ParentSchema.unwrap().extend({
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
      const done = await beingDoneOf(beingDone(), [{ p, symptoms }]);
      const lookup = scriptLogOf();
      const linesOf = (eventId: string): { scriptLog?: ScriptLines } => {
        const log = lookup?.(eventId);
        return log ? { scriptLog: scriptLines(log, SYMPTOM_LINES_MAX) } : {};
      };
      return c.json({
        ...parentView(p, symptoms, done.get(p.id), (await heldCauses([p.id])).get(p.id)),
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
