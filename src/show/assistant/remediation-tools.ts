// The assistant's remediation actions (docs/remediation.md), each the REST call a person's would be: retry an
// incident's task, re-run what a node's queue cancelled, reload an incident's app through the Engine, start its chain
// again from one of its tasks. Registered only when mcp.allowActions lists them; each needs the tasks scope.
import { z } from "zod";
import { ACTION, type ActionContext, act } from "./action-act";
import type { Catalog } from "./catalog";
import type { McpAction } from "./config";
import { apiAnswer } from "./steward-api";

export function registerRemediationTools(server: Catalog, x: ActionContext, allowed: ReadonlySet<McpAction>): void {
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
}
