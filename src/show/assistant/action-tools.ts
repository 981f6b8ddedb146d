// The assistant's actions, registered only when `mcp.allowActions` lists them: start a task, acknowledge, snooze or
// resolve an incident, add a silence. Each needs its REST route's scope on the caller's key too; a call is refused without it.
// Every call, done or refused, is in the audit log with the key and the tool; the REST write it makes is audited too.
import type { Catalog } from "./catalog";
import { z } from "zod";
import { ACTION, type ActionContext, act } from "./action-act";
import { registerRemediationTools } from "./remediation-tools";
import { apiAnswer, errorAnswer } from "./steward-api";

export type { ActionContext } from "./action-act";

const duration = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, { message: 'a duration such as "30m", "2h" or "1d"' })
  .describe('How long, e.g. "30m", "2h", "1d"');
const reason = z.string().trim().min(1).max(500).describe("Why: kept with it and shown with the alerts it holds");

export function registerActionTools(server: Catalog, x: ActionContext): void {
  const allowed = new Set(x.allowed);
  if (allowed.has("startTask")) {
    server.registerTool(
      "start_task",
      {
        title: "Start a task",
        description: "Starts one Qlik Sense task by its id now, as PUT /v4/reloadtask/{id}/start does (needs the tasks scope). Answers whether it started.",
        inputSchema: { taskId: z.string().trim().min(1).max(100).describe("The task's id") },
        annotations: ACTION,
      },
      (a) => act(x, "start_task", "tasks", a.taskId, async () => apiAnswer(await x.api.post(`/v4/reloadtask/${encodeURIComponent(a.taskId)}/start`, {}))),
    );
  }
  if (allowed.has("acknowledgeIncident")) {
    server.registerTool(
      "acknowledge_incident",
      {
        title: "Acknowledge an incident",
        description:
          "Says someone is on an open incident: its further failures stop notifying until it recovers; the cause it is a symptom of, and every other incident of that cause, are acknowledged with it (needs the admin scope).",
        inputSchema: {
          id: z.number().int().min(1).describe("The incident's id"),
          note: z.string().trim().max(500).optional().describe("What is being done"),
        },
        annotations: ACTION,
      },
      (a) =>
        act(x, "acknowledge_incident", "admin", String(a.id), async () =>
          apiAnswer(await x.api.post(`/v4/incidents/${a.id}/acknowledge`, a.note ? { note: a.note } : {})),
        ),
    );
  }
  if (allowed.has("snoozeIncident")) {
    server.registerTool(
      "snooze_incident",
      {
        title: "Snooze an incident",
        description:
          "Holds back an open incident's further alerts for a while (a silence on the incident and on every other incident of the cause it belongs to; their recovery still goes out). Needs the admin scope.",
        inputSchema: { id: z.number().int().min(1).describe("The incident's id"), duration, reason },
        annotations: ACTION,
      },
      (a) =>
        act(x, "snooze_incident", "admin", String(a.id), async () => {
          // One incident per cause: the incidents of the cause this one belongs to are snoozed with it.
          const one = await x.api.get<{ cause: { id: number } | null }>(`/v4/incidents/${a.id}`);
          const causeId = one.ok ? one.data.cause?.id : undefined;
          const groups = causeId
            ? await x.api.get<{ causes: Array<{ cause: { id: number } | null; incidents: Array<{ id: number }> }> }>("/v4/incidents/by-cause")
            : undefined;
          const members = groups?.ok ? (groups.data.causes.find((g) => g.cause?.id === causeId)?.incidents.map((i) => i.id) ?? []) : [];
          const incidentIds = [a.id, ...members.filter((id) => id !== a.id)].slice(0, 50);
          return apiAnswer(await x.api.post("/v4/silences", { matcher: { incidentIds }, duration: a.duration, reason: a.reason }));
        }),
    );
  }
  if (allowed.has("resolveIncident")) {
    server.registerTool(
      "resolve_incident",
      {
        title: "Resolve an incident or a cause",
        description:
          "Closes an open incident (id) or a cause with every incident it holds (causeId) now, as resolved by hand, without waiting for the task's next good run: its follow-up says who resolved it and goes where its pages went, PagerDuty, Opsgenie and Alertmanager end their alert, and the task's next failure opens a new incident. Give exactly one of id and causeId. Needs the admin scope.",
        inputSchema: {
          id: z.number().int().min(1).optional().describe("The incident's id"),
          causeId: z.number().int().min(1).optional().describe("The cause's id: resolves it and every incident it holds"),
          note: z.string().trim().max(500).optional().describe("Why it is resolved (what was done)"),
        },
        annotations: ACTION,
      },
      (a) => {
        if ((a.id === undefined) === (a.causeId === undefined)) return errorAnswer("give exactly one of id (an incident) and causeId (a cause)");
        const path = a.id !== undefined ? `/v4/incidents/${a.id}/resolve` : `/v4/causes/${a.causeId}/resolve`;
        const target = a.id !== undefined ? `incident ${a.id}` : `cause ${a.causeId}`;
        return act(x, "resolve_incident", "admin", target, async () => apiAnswer(await x.api.post(path, { from: "mcp", ...(a.note ? { note: a.note } : {}) })));
      },
    );
  }
  registerRemediationTools(server, x, allowed);
  if (allowed.has("addSilence")) {
    const names = z.array(z.string().trim().min(1).max(200)).min(1).max(20).optional();
    server.registerTool(
      "add_silence",
      {
        title: "Add a silence",
        description:
          "Holds back the alerts of matching events until it expires (task or app names with * wildcards, event kinds such as task.failed), with a reason. Needs the admin scope.",
        inputSchema: {
          taskNames: names.describe("Task names; * matches any characters"),
          appNames: names.describe("App names; * matches any characters"),
          kinds: names.describe("Event kinds, e.g. task.failed, app.stale, cloud.automation.failed"),
          duration,
          reason,
        },
        annotations: ACTION,
      },
      (a) => {
        const matcher = {
          ...(a.taskNames ? { taskNames: a.taskNames } : {}),
          ...(a.appNames ? { appNames: a.appNames } : {}),
          ...(a.kinds ? { kinds: a.kinds } : {}),
        };
        if (Object.keys(matcher).length === 0) return errorAnswer("name what to silence: taskNames, appNames or kinds");
        return act(x, "add_silence", "admin", JSON.stringify(matcher).slice(0, 200), async () =>
          apiAnswer(await x.api.post("/v4/silences", { matcher, duration: a.duration, reason: a.reason })),
        );
      },
    );
  }
}
