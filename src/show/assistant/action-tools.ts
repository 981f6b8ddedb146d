// The assistant's actions, registered only when `mcp.allowActions` lists them: start a task, acknowledge, snooze or
// resolve an incident, add a silence. Each needs its REST route's scope on the caller's key too; a call is refused without it.
// Every call, done or refused, is in the audit log with the key and the tool; the REST write it makes is audited too.
import type { Catalog, ToolResult } from "./catalog";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { AuditActor } from "../../platform/audit/audit-log";
import type { Principal, Scope } from "../../platform/http/types";
import { grants } from "../../platform/security/policy";
import type { McpAction } from "./config";
import { apiAnswer, errorAnswer, type StewardApi } from "./steward-api";

export interface ActionContext {
  api: StewardApi;
  allowed: readonly McpAction[];
  principal: Principal;
  actor: AuditActor;
  audit: AuditLog;
}

const ACTION = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;
const duration = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, { message: 'a duration such as "30m", "2h" or "1d"' })
  .describe('How long, e.g. "30m", "2h", "1d"');
const reason = z.string().trim().min(1).max(500).describe("Why: kept with it and shown with the alerts it holds");

/** Runs an action when the key may: audited as done, failed or refused, with the tool's name and its target. */
async function act(x: ActionContext, tool: string, scope: Scope, target: string, run: () => Promise<ToolResult>): Promise<ToolResult> {
  const entry = { actor: x.actor, action: "mcp.action", target: `${tool} ${target}` };
  if (!grants(x.principal.scopes, scope, "POST")) {
    x.audit.record({ ...entry, result: "denied", details: { tool, scope, why: `${x.principal.name} lacks scope "${scope}"` } });
    return errorAnswer(`refused: ${x.principal.name} lacks the scope "${scope}" that ${tool} needs`);
  }
  const answer = await run();
  x.audit.record({ ...entry, result: answer.isError ? "failed" : "ok", details: { tool, scope } });
  return answer;
}

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
  if (allowed.has("retryIncident")) {
    server.registerTool(
      "retry_incident",
      {
        title: "Retry an incident's task",
        description:
          "Asks Steward to start the task of an open incident again, now or in some minutes, as POST /v4/incidents/{id}/retry does (docs/remediation.md): offered for failures that may heal by themselves (error classes connection, lock, timeout); refused for others. Steward starts it once on the whole site and records it on the incident's actions; the incident's next message says how it went. Needs the tasks scope.",
        inputSchema: {
          id: z.number().int().min(1).describe("The incident's id"),
          inMinutes: z.number().int().min(0).max(10_080).default(0).describe("Minutes from now; 0 starts it at once"),
        },
        annotations: ACTION,
      },
      (a) =>
        act(x, "retry_incident", "tasks", `incident ${a.id}`, async () =>
          apiAnswer(await x.api.post(`/v4/incidents/${a.id}/retry`, { inMinutes: a.inMinutes })),
        ),
    );
  }
  if (allowed.has("rerunCancelled")) {
    server.registerTool(
      "rerun_cancelled",
      {
        title: "Re-run the runs a node's queue cancelled",
        description:
          "For a node's reload queue cause (scheduler.queue_backlog), asks Steward to start again the runs Qlik cancelled while they waited, once the queue has drained, one after another in chain order, as POST /v4/causes/{id}/rerun-cancelled does (docs/remediation.md). A task its chain ran again meanwhile is not started twice. Needs the tasks scope.",
        inputSchema: { causeId: z.number().int().min(1).describe("The queue cause's id") },
        annotations: ACTION,
      },
      (a) => act(x, "rerun_cancelled", "tasks", `cause ${a.causeId}`, async () => apiAnswer(await x.api.post(`/v4/causes/${a.causeId}/rerun-cancelled`, {}))),
    );
  }
  if (allowed.has("reloadApp")) {
    server.registerTool(
      "reload_incident_app",
      {
        title: "Reload an incident's app through the Engine",
        description:
          "For an open incident of a reload task, asks Steward to reload the task's app once through the Qlik Engine, as the task would (partial or full, from the task's settings in QRS), as POST /v4/incidents/{id}/reload-app does (docs/remediation.md). Recorded on the incident's actions with what the Engine answered; the incident's next message says how it ended. Needs the tasks scope.",
        inputSchema: { id: z.number().int().min(1).describe("The incident's id") },
        annotations: ACTION,
      },
      (a) => act(x, "reload_incident_app", "tasks", `incident ${a.id}`, async () => apiAnswer(await x.api.post(`/v4/incidents/${a.id}/reload-app`, {}))),
    );
  }
  if (allowed.has("restartChain")) {
    server.registerTool(
      "restart_chain",
      {
        title: "Start an incident's chain again from a task",
        description:
          "Asks Steward to start one task of an open incident's chain (GET /v4/incidents/{id}/chain lists them: the incident's task, what it waits for, what runs after); the rest of the chain runs as Qlik's triggers start it, as POST /v4/incidents/{id}/restart-chain does (docs/remediation.md). A task outside the chain is refused. Needs the tasks scope.",
        inputSchema: {
          id: z.number().int().min(1).describe("The incident's id"),
          taskId: z.string().trim().min(1).max(100).describe("The task of the chain to start"),
        },
        annotations: ACTION,
      },
      (a) =>
        act(x, "restart_chain", "tasks", `incident ${a.id}`, async () =>
          apiAnswer(await x.api.post(`/v4/incidents/${a.id}/restart-chain`, { taskId: a.taskId })),
        ),
    );
  }
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
