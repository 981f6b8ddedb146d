// The assistant's read tools: each one question an admin asks about the site, answered from one or two of Steward's
// own REST reads (so a read key's answer is the API's), shaped to what the question needs and bounded.
import type { Catalog } from "./catalog";
import { z } from "zod";
import { apiAnswer, errorAnswer, factsAnswer, query, type StewardApi } from "./steward-api";
import { dependentsOf, type WatchdogView } from "./dependents";
import { openCausesAnswer } from "./open-causes";
import { registerOnCallTool } from "./oncall-tool";
import { FRESHNESS_MEANING, FRESHNESS_STATES, isBehind } from "../../watch/freshness/states";

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;
const id = z.string().trim().min(1).max(100);
const limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);

export function registerReadTools(server: Catalog, api: StewardApi): void {
  registerFailureTools(server, api);
  registerSiteTools(server, api);
  registerOnCallTool(server, api);
}

/** What failed: incidents, their causes, and the runs with their script lines. */
function registerFailureTools(server: Catalog, api: StewardApi): void {
  server.registerTool(
    "incidents",
    {
      title: "Incidents",
      description:
        "Steward's incidents, newest first: one per failing task (opened by a failure, updated by the next failures, closed by its next success) and one per other condition that pages (a missed start, a missed or failed check-in, a freshness promise at risk or late, a failed data check, a failed reload outside the Scheduler, a queue backed up, a stopped service: closed when it ends), the same set as the dashboard's Incidents page, with its title, failures, last summary, error class, who acknowledged it, `cause`: the open cause it is one symptom of (acknowledging either acknowledges both), and `heldBy`: the retry, re-run, Engine reload of its app or restart of its chain being done on it and who asked (a remediation rule, or the person: askedBy, askedFrom; what is due and when; what it causes is not paged meanwhile, nor a rule's failure). Give `id` for one incident. Use `causes` for failures grouped by their likely cause.",
      inputSchema: {
        status: z.enum(["open", "closed", "all"]).default("open").describe("Open (default), closed or all"),
        sinceHours: z
          .number()
          .min(0)
          .max(24 * 400)
          .optional()
          .describe("Only incidents updated in the last N hours"),
        limit: limit(100, 25).describe("At most this many (default 25)"),
        id: z.number().int().min(1).optional().describe("One incident by its id"),
      },
      annotations: READ_ONLY,
    },
    async (a) => {
      if (a.id !== undefined) return apiAnswer(await api.get(`/v4/incidents/${a.id}`));
      const status = a.status === "all" ? undefined : a.status;
      return apiAnswer(await api.get(`/v4/incidents${query({ status, sinceHours: a.sinceHours, limit: a.limit })}`));
    },
  );

  server.registerTool(
    "causes",
    {
      title: "Failures by cause",
      description:
        "Failures grouped by their likely cause (a data source down, a full disk, a node gone): each cause with its title, when it opened, how many runs still fail, who acknowledged it, the tasks, apps and streams it affects, and what Steward is doing about it and what came of each action (`beingDone`: a retry due, a rule holding, a re-run waiting for an engine; each outcome as the cause's channels told it). A cause is the incident the on-call person was paged for. With status open: every cause that holds an open incident, each with those incidents (`incidents`, the same groups as the dashboard's Incidents page), including a cause that ended while its tasks still fail (status closed, `ended` says since when: a queue that emptied after Qlik cancelled their runs); and `alone`, the open incidents of tasks failing for a reason of their own: each is a cause of one. Give `id` for one cause with every run (symptom) in it, including each run's failing script line.",
      inputSchema: {
        status: z.enum(["open", "closed", "all"]).default("open").describe("Open (default), closed or all"),
        limit: limit(100, 25).describe("At most this many (default 25)"),
        id: z.number().int().min(1).optional().describe("One cause by its id, with its runs"),
      },
      annotations: READ_ONLY,
    },
    async (a) => {
      if (a.id !== undefined) return apiAnswer(await api.get(`/v4/causes/${a.id}`));
      const status = a.status === "all" ? undefined : a.status;
      const causes = await api.get<{ causes: Array<{ id: number }> }>(`/v4/causes${query({ status, limit: a.limit })}`);
      return status === "open" ? openCausesAnswer(api, causes, a.limit) : apiAnswer(causes);
    },
  );

  server.registerTool(
    "runs",
    {
      title: "A task's or an app's recent runs",
      description:
        "Finished runs of one task (taskId) or of the tasks that reload one app (appName), newest first, from the last 35 days: outcome, duration, node, execution id, the incident the run belongs to (incidentId, for `incidents`) and the cause that holds it (causeId, for `causes`; null: a cause of its own), and for failed runs the telling lines of the script log (the failing lines and the last ones, numbered) while Steward still holds them.",
      inputSchema: {
        taskId: id.optional().describe("A Qlik Sense task id"),
        appName: z.string().trim().min(1).max(300).optional().describe("An app's name"),
        limit: limit(50, 10).describe("At most this many runs (default 10)"),
        scriptLog: z.enum(["none", "failed", "all"]).default("failed").describe("Which runs carry script-log lines (default: failed ones)"),
      },
      annotations: READ_ONLY,
    },
    async (a) => {
      if (!a.taskId === !a.appName) return errorAnswer("give exactly one of taskId and appName");
      return apiAnswer(await api.get(`/v4/runs${query({ taskId: a.taskId, appName: a.appName, limit: a.limit, scriptLog: a.scriptLog })}`));
    },
  );
}

/** What did not happen, what is late, what depends on what, and a span's summary. */
function registerSiteTools(server: Catalog, api: StewardApi): void {
  server.registerTool(
    "what_did_not_happen",
    {
      title: "What did not happen",
      description:
        "The watchdog's open conditions: reloads that should have started from their QRS triggers and did not (missed), chains that stopped, reloads running far past their usual duration, stale apps, tasks turned off, and jobs before Qlik that did not check in; each with its explanation and since when. Also the tasks and triggers Steward cannot watch, and the tasks of which no start can be expected (no trigger, only disabled ones), with the reason. `recent` adds what got back on track in the last day.",
      inputSchema: {
        recent: z.boolean().default(false).describe("Also list the conditions closed in the last day"),
      },
      annotations: READ_ONLY,
    },
    async (a) => {
      const r = await api.get<WatchdogView>("/v4/watchdog");
      if (!r.ok) return apiAnswer(r);
      const w = r.data;
      // Without the watchdog the check-ins' conditions are still told (they need no QRS).
      if (!w.enabled && (w.open ?? []).length === 0 && (w.recentlyClosed ?? []).length === 0)
        return factsAnswer({ enabled: false, note: "the watchdog is not configured (watchdog: in the config)" });
      const condition = (e: ConditionEvent) => ({
        condition: e.condition?.type,
        title: e.title,
        summary: e.summary,
        since: e.condition?.openedAt,
        ...(e.task ? { task: { id: e.task.id, name: e.task.name } } : {}),
        ...(e.app ? { app: { id: e.app.id, name: e.app.name, stream: e.app.stream ?? null } } : {}),
        ...(e.note ? { note: e.note } : {}),
      });
      return factsAnswer({
        open: ((w.open ?? []) as ConditionEvent[]).map(condition),
        notWatched: (w.tasks ?? [])
          .filter((t) => t.notWatchedReason || t.startsNotWatched || (t.notWatched?.length ?? 0) > 0)
          .map((t) => ({ task: t.name, id: t.id, reason: t.notWatchedReason, startsNotWatched: t.startsNotWatched ?? null, triggers: t.notWatched })),
        ...(a.recent ? { recentlyClosed: ((w.recentlyClosed ?? []) as ConditionEvent[]).map(condition) } : {}),
      });
    },
  );

  server.registerTool(
    "freshness",
    {
      title: "Freshness promises",
      description: `Each promised app (fresh by a time of day, or never older than a maximum age): its state (${FRESHNESS_STATES.map((s) => `${s}: ${FRESHNESS_MEANING[s]}`).join("; ")}), the data's time, and when late or at risk, why: the upstream task, chain or check-in job that holds it, when it is now expected to be fresh (expected.at; overdue when that time has passed), and the cause that holds its chain up (expected.cause: its id for the causes tool).`,
      inputSchema: {
        onlyLate: z.boolean().default(false).describe("Only apps late or at risk"),
      },
      annotations: READ_ONLY,
    },
    async (a) =>
      apiAnswer(await api.get<{ rows?: Array<{ state?: string }> }>("/v4/freshness"), (d) =>
        a.onlyLate ? { ...d, rows: (d.rows ?? []).filter((x) => isBehind(x.state ?? "")) } : d,
      ),
  );

  server.registerTool(
    "what_depends_on",
    {
      title: "What depends on a task, app or job",
      description:
        "The chain downstream of a task (by id or name), an app (the tasks that reload it) or a check-in job: every task that waits for it through task-event triggers, directly or further down, with the apps they reload. What a failure of it holds up.",
      inputSchema: {
        task: z.string().trim().min(1).max(300).optional().describe("A task's id or name"),
        app: z.string().trim().min(1).max(300).optional().describe("An app's id or name"),
        checkin: z.string().trim().min(1).max(200).optional().describe("A check-in job's name"),
      },
      annotations: READ_ONLY,
    },
    async (a) => {
      if ([a.task, a.app, a.checkin].filter(Boolean).length !== 1) return errorAnswer("give exactly one of task, app and checkin");
      const r = await api.get<WatchdogView>("/v4/watchdog");
      if (!r.ok) return apiAnswer(r);
      if (!r.data.enabled) return errorAnswer("the chains come from the watchdog, which is not configured (watchdog: in the config)");
      return factsAnswer(dependentsOf(r.data, a));
    },
  );

  server.registerTool(
    "reloads_outside_schedule",
    {
      title: "Who reloaded what outside the schedule",
      description:
        "Reloads the Scheduler did not run (the hub, the data load editor, the Engine API), newest first, as the Engine's own lines told Steward: when, which app (stream, published or not), which user, on which node, succeeded or failed with the failing lines, and whether the failure was alerted and why or why not. Needs the Engine's appender file on each node.",
      inputSchema: {
        sinceHours: z
          .number()
          .min(0)
          .max(24 * 31)
          .default(24)
          .describe("Reloads that ended in the last N hours (default 24)"),
        outcome: z.enum(["succeeded", "failed"]).optional().describe("Only successful or only failed ones"),
        appId: id.optional().describe("One app's reloads"),
        limit: limit(200, 50).describe("At most this many (default 50)"),
      },
      annotations: READ_ONLY,
    },
    async (a) => apiAnswer(await api.get(`/v4/engine-reloads${query({ sinceHours: a.sinceHours, outcome: a.outcome, appId: a.appId, limit: a.limit })}`)),
  );

  server.registerTool(
    "summary",
    {
      title: "What happened in a span of time",
      description:
        "The morning report's facts for a span (default: the last 24 hours, e.g. 'last night'): what is being done (remediation's retries and re-runs for the open incidents, and each action's outcome with who asked), runs and failures by cause, incidents still open, what did not happen or is late, promises at risk, the slowest and the fastest-growing reloads. At most 31 days.",
      inputSchema: {
        from: z.iso.datetime({ offset: true }).optional().describe("Start, ISO 8601 with a zone"),
        to: z.iso.datetime({ offset: true }).optional().describe("End, ISO 8601 with a zone (default: now)"),
      },
      annotations: READ_ONLY,
    },
    async (a) => apiAnswer(await api.get(`/v4/report${query({ from: a.from, to: a.to })}`)),
  );

  server.registerTool(
    "noise",
    {
      title: "How noisy the pages were, and what to change",
      description:
        "The noise report for the last `sinceDays` days (default 7): per route and kind the pages sent and held, the share acknowledged, the median time to acknowledge and the share that recovered by itself; the noisiest tasks and routes; pages per week against the budget and the share acted on; and proposed config changes (id, YAML fragment, path). Read-only: a proposal is applied only by an administrator (steward config apply-proposal ID).",
      inputSchema: { sinceDays: z.number().int().min(1).max(31).default(7).describe("The window: the last N days (default 7)") },
      annotations: READ_ONLY,
    },
    async (a) => apiAnswer(await api.get(`/v4/noise${query({ sinceDays: a.sinceDays })}`)),
  );
}

interface ConditionEvent {
  title: string;
  summary: string;
  condition?: { type: string; openedAt: string };
  task?: { id: string; name: string };
  app?: { id: string; name: string; stream?: string };
  note?: string;
}
